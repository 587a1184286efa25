import inspect
import json
import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import reverse
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from saintsxctf.foundation.api.parameters import MAX_ID
from saintsxctf.foundation.api.schema import EXAMPLES_FILE
from saintsxctf.urls import API_ROUTERS

pytestmark = pytest.mark.django_db
# The contract's examples, where the shared folder sits beside this checkout (/work/shared in development).
CONTRACT_EXAMPLES = Path(settings.BASE_DIR).parent / "shared" / "contract" / "examples"


def test_schema_is_valid_openapi_3(api_client):
    resp = api_client.get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert resp.status_code == 200
    schema = resp.json() if resp["Content-Type"].startswith("application/vnd.oai.openapi+json") \
        else yaml.safe_load(resp.content)
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)
    assert "/v2/users/{username}" in schema["paths"]


@pytest.mark.parametrize("name", ["docs", "redoc"])
def test_docs_pages_use_bundled_assets(api_client, name):
    resp = api_client.get(reverse(name))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn.jsdelivr.net" not in html


# -- the document as a client generator reads it (issue 20 item 6) -----------------------------------------------
OPERATION_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
METHODS = {"get", "put", "post", "delete", "patch"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        resp = APIClient().get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert resp.status_code == 200
    return resp.json()


def operations(schema):
    return [(path, method, operation) for path, item in schema["paths"].items()
            for method, operation in item.items() if method in METHODS]


def test_one_tag_per_resource_group(schema):
    groups = {router.path for router in API_ROUTERS}
    tags = {path: operation["tags"] for path, _, operation in operations(schema)}
    assert all(len(names) == 1 for names in tags.values()), tags
    assert {names[0] for names in tags.values()} == groups | {"auth", "functions", "index"}
    for path, names in tags.items():
        first = path.strip("/").split("/")
        expected = first[1] if first[0] == "v2" and len(first) > 1 and first[1] in groups else \
            {"auth": "auth", "fn": "functions"}.get(first[0], "index")
        assert names == [expected], path
    # Every tag is listed once, with a description.
    assert [tag["name"] for tag in schema["tags"]] == list(dict.fromkeys(names[0] for names in tags.values()))
    assert all(tag["description"] and tag["description"] != tag["name"] for tag in schema["tags"])


def test_operation_ids_suit_a_client_generator(schema):
    ids = [operation["operationId"] for _, _, operation in operations(schema)]
    assert len(ids) == len(set(ids))
    assert [i for i in ids if not OPERATION_ID.match(i)] == []


def test_every_path_parameter_is_described_with_its_values(schema):
    parameters = [(path, parameter) for path, _, operation in operations(schema)
                  for parameter in operation.get("parameters", []) if parameter["in"] == "path"]
    assert {parameter["name"] for _, parameter in parameters} >= {"log_id", "username", "filter_by", "start"}
    for path, parameter in parameters:
        assert parameter["description"], (path, parameter["name"])
        assert "example" in parameter, (path, parameter["name"])
        if parameter["name"].endswith("_id") and parameter["name"] != "team_name_or_group_id":
            assert parameter["schema"] == {"type": "integer", "minimum": 0, "maximum": MAX_ID}, (path, parameter)
    by_name = {parameter["name"]: parameter for path, parameter in parameters if path.startswith("/v2/log_feed")}
    assert by_name["filter_by"]["schema"]["enum"] == ["all", "group", "groups", "user", "users", "username"]
    assert by_name["limit"]["schema"]["maximum"] == settings.API_MAX_PAGE_SIZE
    range_view = {parameter["name"]: parameter for path, parameter in parameters if path.startswith("/v2/range_view")}
    assert range_view["exercise_types"]["schema"]["pattern"] == "^[bors]+$"
    assert range_view["start"]["schema"] == {"type": "string", "format": "date"}


def documented_examples(schema) -> dict[str, tuple]:
    """contract/examples source -> (path, method, status, example value, response schema)."""
    found = {}
    for path, method, operation in operations(schema):
        for status, response in operation["responses"].items():
            for content in response.get("content", {}).values():
                for example in content.get("examples", {}).values():
                    source = example["summary"].split("contract/examples/")[1].rstrip(")")
                    found[source] = (path, method, status, example["value"], content["schema"])
    return found


def keys_in(value) -> set:
    if isinstance(value, dict):
        return set(value).union(*(keys_in(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(keys_in(item) for item in value))
    return set()


def test_the_contracts_example_bodies_are_examples(schema):
    bundled = json.loads(EXAMPLES_FILE.read_text())
    found = documented_examples(schema)
    # Every example but the two DELETE answers, which this API sends as a 204 without a body (deviations.md).
    assert set(found) == {example["source"] for example in bundled} - {
        "api/logs/delete/success.json", "api/groups/members/delete/andy.json", "api/groups/members/delete/tom.json"}
    for example in bundled:
        if example["source"] not in found:
            continue
        path, method, status, value, response_schema = found[example["source"]]
        assert method.upper() == example["method"]
        assert (status == "400") == (example.get("status") == 400), example["source"]  # error bodies on the 400
        assert not {"password", "salt"} & keys_in(value)  # no hash in the document (deviations.md 1, 13)
        if "$ref" in response_schema:  # a success envelope: the example's keys are the documented ones
            component = schema["components"]["schemas"][response_schema["$ref"].rsplit("/", 1)[1]]
            assert set(value) <= set(component["properties"]), example["source"]


@pytest.mark.skipif(not CONTRACT_EXAMPLES.is_dir(), reason="the contract folder is not beside this checkout")
def test_the_bundled_examples_are_the_contracts():
    bundled = {example["source"]: example["body"] for example in json.loads(EXAMPLES_FILE.read_text())}
    assert bundled == {path.relative_to(CONTRACT_EXAMPLES).as_posix(): json.loads(path.read_text())
                       for path in CONTRACT_EXAMPLES.rglob("*.json")}


def test_viewsets_declare_rather_than_pass_through():
    """No viewset method exists only to call the same method of its base (to hang a schema or a docstring on it):
    the standard actions' schemas follow from the declaration, their descriptions are `descriptions`."""
    passing = []
    for router in API_ROUTERS:
        for viewset, _ in router.registry:
            for name, method in vars(viewset).items():
                function = getattr(method, "__wrapped__", method)
                if not inspect.isfunction(function):
                    continue
                body = [line.strip() for line in inspect.getsource(function).splitlines()[1:]
                        if line.strip() and not line.strip().startswith(('"""', "#", "@"))]
                if body and body[-1].startswith(f"return super().{name}(") and len(body) == 1:
                    passing.append(f"{viewset.__name__}.{name}")
    assert passing == []
