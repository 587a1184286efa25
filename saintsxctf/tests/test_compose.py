"""compose.yaml says what the tests run as real processes (Docker does not run on these machines, so the file
itself is never started here; see its header and the README's "Scaling out")."""

import re

import pytest
import yaml
from django.conf import settings

from ops.harness import NGINX_VARIABLES, render_nginx_conf
from saintsxctf.tests.test_settings_documented import variables_read

ROOT = settings.BASE_DIR
COMPOSE = (ROOT / "compose.yaml").read_text()
SERVICES = yaml.safe_load(COMPOSE)["services"]
API_INSTANCES = ("api-1", "api-2")


def test_every_piece_of_the_system_is_a_service():
    assert {"proxy", *API_INSTANCES, "worker", "migrate", "db-primary", "db-replica", "redis"} <= SERVICES.keys()


@pytest.mark.parametrize("name", ["proxy", *API_INSTANCES, "db-primary", "db-replica", "redis"])
def test_every_server_has_a_health_check(name):
    check = SERVICES[name]["healthcheck"]
    assert check["test"][0] == "CMD" and not check.get("disable")


def test_the_api_instances_run_the_production_settings_the_replication_tests_run():
    for name in (*API_INSTANCES, "worker", "migrate"):
        environment = SERVICES[name]["environment"]
        assert environment["DEBUG"] == "false"
        assert environment["DATABASE_URL"].startswith("mysql://") and "@db-primary:" in environment["DATABASE_URL"]
        assert "@db-replica:" in environment["DATABASE_REPLICA_URLS"]
        assert environment["REDIS_URL"].startswith("redis://redis:")
        assert environment["THROTTLE_NUM_PROXIES"] == "1"  # nginx in front
        unknown = sorted(set(environment) - variables_read())
        assert not unknown, f"compose.yaml sets variables the settings never read: {unknown}"
    assert SERVICES["worker"]["command"][-1] == "send_queued_mail"
    assert SERVICES["migrate"]["command"][-2:] == ["migrate", "--noinput"]


def test_the_databases_replicate_and_the_replica_only_reads():
    primary, replica = SERVICES["db-primary"], SERVICES["db-replica"]
    assert "--log-bin" in primary["command"] and "--binlog-format=ROW" in primary["command"]
    assert "--read-only=1" in replica["command"]
    assert replica["environment"]["MARIADB_MASTER_HOST"] == "db-primary"
    ids = {re.search(r"--server-id=(\d+)", " ".join(service["command"])).group(1) for service in (primary, replica)}
    assert len(ids) == 2
    grants = (ROOT / "ops" / "mariadb" / "replica-grants.sql").read_text()
    assert "GRANT SLAVE MONITOR" in grants  # the router's lag check (saintsxctf/foundation/replicas/routing.py)


def test_the_proxy_fills_the_template_in_with_both_instances():
    proxy = SERVICES["proxy"]
    values = {name: str(proxy["environment"][name]) for name in NGINX_VARIABLES}
    conf = render_nginx_conf(**values)
    upstream = re.search(r"upstream saintsxctf_api \{(.*?)\}", conf, flags=re.S).group(1)
    assert re.findall(r"server ([\w.-]+:\d+);", upstream) == [f"{name}:8000" for name in API_INSTANCES]
    for volume in proxy["volumes"]:
        source = volume.split(":")[0]
        if source.startswith("./"):
            assert (ROOT / source).exists(), source
    assert f":{proxy['environment']['SAINTSXCTF_LISTEN']}" in proxy["ports"][0]


def test_every_variable_compose_reads_is_in_env_example():
    example = (ROOT / ".env.example").read_text()
    named = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", COMPOSE))
    assert not sorted(used - named), f"add to .env.example: {sorted(used - named)}"
