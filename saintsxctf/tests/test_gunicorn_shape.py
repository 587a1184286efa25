"""gunicorn.conf.py: WEB_CONCURRENCY and GUNICORN_THREADS shape the server `make run`, the Docker image and compose
start (the command names no worker options), checked on a real gunicorn."""

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ops.harness import BIN, ROOT, django_env, free_port, wait_for_port
from ops.harness import request as http_request


def shaped_env(**env: str) -> dict[str, str]:
    """The environment with the shape variables set to `env` only (gunicorn itself fails on an empty one)."""
    clean = {k: v for k, v in os.environ.items() if k not in ("WEB_CONCURRENCY", "GUNICORN_THREADS")}
    return {**clean, **env}


def print_config(**env: str) -> subprocess.CompletedProcess:
    """`gunicorn --print-config` from the project's directory (where it reads gunicorn.conf.py), with `env`."""
    return subprocess.run([str(BIN / "gunicorn"), "--print-config", "saintsxctf.wsgi:application"], cwd=ROOT,
                          env=shaped_env(**env), capture_output=True, text=True, timeout=60)


def printed_config(**env: str) -> dict[str, str]:
    result = print_config(**env)
    assert result.returncode == 0, result.stderr
    return {name.strip(): value.strip() for name, _, value in
            (line.partition("=") for line in result.stdout.splitlines()) if name.strip()}


def test_the_default_shape_is_two_sync_workers():
    config = printed_config()
    assert (config["workers"], config["threads"], config["worker_class"]) == ("2", "1", "sync")


def test_threads_above_one_run_gthread_workers():
    config = printed_config(WEB_CONCURRENCY="3", GUNICORN_THREADS="4")
    assert (config["workers"], config["threads"], config["worker_class"]) == ("3", "4", "gthread")


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_a_bad_value_refuses_to_start_naming_the_variable(value):
    result = print_config(GUNICORN_THREADS=value)
    assert result.returncode != 0 and f"GUNICORN_THREADS must be a whole number of at least 1, not '{value}'" in (
        result.stdout + result.stderr)


def test_a_threaded_server_answers_concurrent_requests(tmp_path):
    """One gthread worker with 4 threads, started as `make run` starts gunicorn: four slow-ish requests at once
    are all answered, by one process."""
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env = django_env(url, WEB_CONCURRENCY="1", GUNICORN_THREADS="4")
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True,
                   timeout=300)
    port = free_port()
    log = Path(tmp_path / "gunicorn.log")
    with log.open("w") as out:
        server = subprocess.Popen([str(BIN / "gunicorn"), "saintsxctf.wsgi:application", "--bind", f"127.0.0.1:{port}"],
                                  cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, 60)
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
        deadline = time.monotonic() + 30
        while not children.read_text().split() and time.monotonic() < deadline:
            time.sleep(0.1)
        workers = children.read_text().split()
        assert len(workers) == 1, log.read_text()
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda _: http_request(f"http://127.0.0.1:{port}", "GET", "/v2", timeout=60)[0],
                                    range(8)))
        assert answers == [200] * 8
        threads = len(os.listdir(f"/proc/{workers[0]}/task"))
        assert threads >= 4, f"the worker runs {threads} threads"  # its request threads, beside the main one
        assert "[INFO] Using worker: gthread" in log.read_text()
    finally:
        server.terminate()
        server.wait(timeout=30)
