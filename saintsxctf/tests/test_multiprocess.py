"""Two gunicorn processes with two workers each, on separate ports and one database: what one serves, the other
sees at once (issue 14). Run in the configuration of the suite's run: the `make run` default (SQLite, no Redis)
on a SQLite run, MariaDB + Redis when the run has DATABASE_URL=mysql://... and REDIS_URL.

Each read is repeated, so that both workers of the reading process answer it (gunicorn hands connections to
whichever worker accepts first; with eight reads the chance that one worker took all of them is 1 in 128, and a
stale worker would then still be caught by the reads of the next step).
"""

import json
import socket
import uuid
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from ops.harness import Gunicorn, find_key
from ops.harness import request as http_request
from saintsxctf.tests.servers import configuration, served_database

READS = 8
DEMO_PASSWORD = "saintsxctf"
RUNNER = "coach"  # seed_demo: a runner with logs, an accepted member (and admin) of every group


CONFIGURATION = configuration()
pytestmark = pytest.mark.skipif(CONFIGURATION is None, reason="MariaDB runs need REDIS_URL for this test")


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """A fresh database with the demo data, outside the test database (two servers must share it)."""
    with served_database(tmp_path_factory.mktemp("multiprocess"), ["seed_demo", "--users", "6", "--logs", "60"],
                         THROTTLE_TOKEN_ACCOUNT="4/min") as env:
        yield env


@pytest.fixture(scope="module")
def servers(database, tmp_path_factory):
    logs = tmp_path_factory.mktemp("gunicorn")
    with Gunicorn(database, workers=2, logfile=Path(logs / "a.log")) as a, \
            Gunicorn(database, workers=2, logfile=Path(logs / "b.log")) as b:
        assert len(a.worker_pids()) == 2 and len(b.worker_pids()) == 2
        for base in (a.base, b.base):
            for _ in range(READS):  # every worker has loaded the application before the first timed read
                assert request(base, "GET", "/")[0] == 200
        yield a.base, b.base


def request(*args, **kwargs):
    """One HTTP request; a generous timeout, because this machine may be busy (a slow answer is not the point
    of this test, a wrong one is)."""
    return http_request(*args, timeout=60, **kwargs)


def sign_in(base: str) -> str:
    status, body = request(base, "POST", reverse("auth:token"), {"clientId": RUNNER, "clientSecret": DEMO_PASSWORD})
    assert status == 200, body
    return body["result"]


def reads(base: str, path: str, token: str) -> list:
    bodies = []
    for _ in range(READS):
        status, body = request(base, "GET", path, token=token)
        assert status == 200, (path, status, body)
        bodies.append(body)
    return bodies


def test_a_write_through_one_is_read_through_the_other_at_once(servers):
    a, b = servers
    token = sign_in(a)
    status, body = request(b, "GET", reverse("users:user-memberships", kwargs={"username": RUNNER}), token=token)
    assert status == 200
    group_id = next(group for team in body["memberships"] for group in team["groups"])["group_id"]
    today = date.today().isoformat()
    paths = {
        "user statistics": reverse("users:user-statistics", kwargs={"username": RUNNER}),
        "group statistics": reverse("groups:group-statistics", kwargs={"group_id": group_id}),
        "leaderboard": reverse("groups:group-leaderboard", kwargs={"group_id": group_id}),
        "weekly leaderboard": reverse("groups:group-leaderboard-interval",
                                      kwargs={"group_id": group_id, "interval": "week"}),
        "range view": reverse("range_view:range-view", kwargs={
            "filter_by": "users", "bucket": RUNNER, "exercise_types": "r", "start": today, "end": today}),
        "group range view": reverse("range_view:range-view", kwargs={
            "filter_by": "groups", "bucket": group_id, "exercise_types": "r", "start": today, "end": today}),
        "user feed": reverse("log_feed:log-feed", kwargs={"filter_by": "user", "bucket": RUNNER, "limit": 10,
                                                          "offset": 0}),
        "group feed": reverse("log_feed:log-feed", kwargs={"filter_by": "group", "bucket": group_id, "limit": 10,
                                                           "offset": 0}),
        "all feed": reverse("log_feed:log-feed", kwargs={"filter_by": "all", "bucket": "all", "limit": 10,
                                                         "offset": 0}),
    }
    before = {}
    for name, path in paths.items():
        bodies = reads(b, path, token)  # both workers of B answer, and cache what they read
        assert all(body == bodies[0] for body in bodies), name
        before[name] = bodies[0]

    status, created = request(a, "POST", reverse("logs:log-list"), {
        "username": RUNNER, "first": "Casey", "last": "Coach", "name": "Multiprocess run", "location": "Canton, NY", "date": today, "type": "run", "distance": 10,
        "metric": "miles", "time": "1:10:00", "feel": 7, "description": "written through A"}, token=token)
    assert status == 200, created
    log_id = find_key(created, "log_id")

    for name, path in paths.items():
        bodies = reads(b, path, token)
        assert all(body == bodies[0] for body in bodies), f"{name}: B's workers disagree after the write"
        assert bodies[0] != before[name], f"{name}: B still answers what it read before the write"
        if "feed" in name:
            assert log_id in [log["log_id"] for log in bodies[0]["logs"]], name


def test_a_logout_through_one_refuses_the_token_on_the_other(servers):
    a, b = servers
    token = sign_in(a)
    path = reverse("users:user-detail", kwargs={"username": RUNNER})
    reads(b, path, token)  # both of B's workers accept it (and would have cached anything they cache)
    status, body = request(a, "POST", reverse("auth:logout"), {"token": token})
    assert (status, body) == (200, {"result": True})
    for base in (a, b):
        for _ in range(READS):
            assert request(base, "GET", path, token=token)[0] == 403


def test_a_throttle_counts_the_requests_to_both(servers):
    a, b = servers
    account = f"nobody-{uuid.uuid4().hex[:8]}"  # THROTTLE_TOKEN_ACCOUNT=4/min for this test's servers
    statuses = [request(base, "POST", reverse("auth:token"), {"clientId": account, "clientSecret": "x"})[0]
                for base in (a, b, a, b)]
    assert statuses == [200] * 4
    assert request(a, "POST", reverse("auth:token"), {"clientId": account, "clientSecret": "x"})[0] == 429
    assert request(b, "POST", reverse("auth:token"), {"clientId": account, "clientSecret": "x"})[0] == 429


def raw_request(base: str, method: str, path: str, body: bytes, content_type: str) -> tuple[int, dict]:
    """Send the whole body over a plain socket, as a proxy does, then read the answer: a server that closes with
    the body unread resets the connection, and the client gets a broken pipe or a reset instead of the answer."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        sock.sendall(f"{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {content_type}\r\n"
                     f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, payload = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(payload)


@pytest.mark.parametrize("megabytes", [1, 5])
def test_a_body_refused_unread_still_gets_its_answer(servers, megabytes):
    """A refusal before the body is read (no token, a bad upload signature, a body over the limit) reaches the
    client: the worker drains the body before closing (saintsxctf/foundation/middleware.py)."""
    a, _ = servers
    big = megabytes * 1024 * 1024
    status, body = raw_request(a, "POST", reverse("logs:log-list"), b"{" + b" " * (big - 2) + b"}", "application/json")
    assert (status, body["error_description"]) == (401, "Unauthorized"), body
    upload = f"/s3/uasset.saintsxctf.com/prod/profile/{RUNNER}/picture.png?signature=forged"
    status, body = raw_request(a, "PUT", upload, b"\0" * big, "image/png")
    assert status == 403 and body.get("error") == "the upload URL is not valid", body
    status, body = raw_request(a, "POST", reverse("auth:token"), b"{" + b" " * (big - 2) + b"}", "application/json")
    assert (status, body["error_description"]) == (413, "Payload Too Large"), body
