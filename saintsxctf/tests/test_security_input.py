"""Issue 13: hostile input through HTTP. Each test sends what the security probe sent
(shared/findings/security-probe.md, F9, F10, I-2, I-3) and checks the answer is the contract's 4xx, never a 500."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from logs.tests.factories import LogFactory
from users.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

FRAMEWORK_KEYS = {"error_description", "exception", "contact", "api_index"}


def token(client, client_id, secret):
    return client.post(reverse("auth:token"), {"clientId": client_id, "clientSecret": secret}, format="json")


# -- bodies: size, depth, charset, encodings (F9, F4) -----------------------------------------------
def raw_post(client, path, raw: bytes, content_type="application/json"):
    return client.generic("POST", path, raw, content_type=content_type)


def deep(levels: int) -> bytes:
    return ('{"clientId": "andy", "clientSecret": "x", "a": ' + "[" * levels + "]" * levels + "}").encode()


@pytest.mark.parametrize("path", ["/auth/token", "/auth/token/pair", "/v2/users/"])
def test_json_nested_1000_deep_is_a_400(api_client, user, path):
    resp = raw_post(api_client, path, deep(1000))
    assert resp.status_code == 400
    assert "error" in resp.json() or set(resp.json()) == FRAMEWORK_KEYS


def test_json_nested_1000_deep_is_a_400_for_writes_with_a_token(auth_client):
    for path in ["/v2/logs/", "/v2/comments/", "/v2/notifications/", "/v2/activation_code/"]:
        resp = raw_post(auth_client, path, deep(1000))
        assert resp.status_code == 400, (path, resp.status_code)
    resp = auth_client.generic("PUT", "/v2/users/memberships/andy", deep(1000), content_type="application/json")
    assert resp.status_code == 400


def test_the_depth_limit_is_the_setting(api_client, user, settings):
    settings.API_MAX_JSON_DEPTH = 5
    assert raw_post(api_client, "/auth/token", deep(4)).json()["result"] == ""  # depth 5 with the object
    resp = raw_post(api_client, "/auth/token", deep(5))
    assert resp.status_code == 400 and "nested deeper than 5" in resp.json()["exception"]


@pytest.mark.parametrize("size", [300 * 1024, 3 * 1024 * 1024])
def test_a_big_body_is_a_413(auth_client, size):
    body = json.dumps({"clientId": "andy", "clientSecret": "x", "pad": "A" * size}).encode()
    for client, path in [(APIClient(), "/auth/token"), (APIClient(), "/v2/users/"), (auth_client, "/v2/logs/")]:
        resp = raw_post(client, path, body)
        assert resp.status_code == 413, (path, resp.status_code)
        assert resp.json()["error_description"] == "Payload Too Large"
        assert set(resp.json()) == FRAMEWORK_KEYS


def test_the_body_limit_is_the_setting(api_client, user, settings):
    settings.API_MAX_BODY_BYTES = 100
    assert token(api_client, "andy", "x").status_code == 200
    assert token(api_client, "andy", "x" * 100).status_code == 413


def test_a_body_in_another_charset_is_a_415(api_client, user):
    body = json.dumps({"clientId": "andy", "clientSecret": PASSWORD}).encode("cp500")
    resp = raw_post(api_client, "/auth/token", body, content_type="application/json; charset=cp500")
    assert resp.status_code == 415 and set(resp.json()) == FRAMEWORK_KEYS
    ok = raw_post(api_client, "/auth/token", json.dumps({"clientId": "andy", "clientSecret": PASSWORD}).encode(),
                  content_type="application/json;charset=UTF-8")
    assert ok.status_code == 200 and ok.json()["result"]


@pytest.mark.parametrize("path, body", [
    ("/auth/token", '{"clientId": "\\ud800", "clientSecret": "x"}'),
    ("/auth/token/pair", '{"username": "\\ud800", "password": "x"}'),
    ("/v2/users/", '{"username": "\\ud800", "first": "a", "last": "b", "email": "\\ud800@x.com", "password": "xxxxxxx",'
                   ' "activation_code": "ABCDEF"}'),
])
def test_a_lone_surrogate_is_a_400(api_client, path, body):
    resp = raw_post(api_client, path, body.encode())
    assert resp.status_code == 400


def test_a_lone_surrogate_in_an_activation_code_is_a_400(auth_client):
    resp = raw_post(auth_client, "/v2/activation_code/", b'{"group_id": 1, "email": "\\udfff@example.com"}')
    assert resp.status_code == 400


# -- log values (F9, F10) ---------------------------------------------------------------------------
def log_body(**fields):
    return {"username": "andy", "first": "Andy", "last": "J", "date": "2026-11-20", "type": "run", "feel": 5,
            "distance": 3, "metric": "miles", **fields}


@pytest.mark.parametrize("fields", [
    {"date": "9999-12-31"}, {"date": "0001-01-01"}, {"date": "1899-12-31"}, {"date": "2100-01-01"},
    {"time": 1e300}, {"time": 86399913600000}, {"time": 10**30}, {"time": 360000}, {"time": "100:00:00"},
    {"time": "99999999:00:00"}, {"time": -1},
    {"distance": 1e308}, {"distance": 1001}, {"distance": 2000, "metric": "kilometers"},
    {"distance": 1700000, "metric": "meters"},
])
def test_out_of_range_log_values_are_a_400(auth_client, user, fields):
    resp = auth_client.post("/v2/logs/", log_body(**fields), format="json")
    assert resp.status_code == 400, resp.content
    assert resp.json()["error"] == "failed to create a new log"
    log = LogFactory(user=user)
    resp = auth_client.put(f"/v2/logs/{log.pk}", {**log_body(**fields), "log_id": log.pk}, format="json")
    assert resp.status_code == 400, resp.content


def test_json_numbers_past_float_range_are_a_400(auth_client, user):
    for raw in ['"time": 1e999', '"distance": 1e999', '"distance": -1e999', '"feel": 1e999']:
        body = json.dumps(log_body())[:-1] + ", " + raw + "}"
        resp = raw_post(auth_client, "/v2/logs/", body.encode())
        assert resp.status_code == 400, (raw, resp.content)


@pytest.mark.parametrize("fields", [
    {"date": "1900-01-01"}, {"date": "2099-12-31"}, {"time": "99:59:59"}, {"time": 359999},
    {"distance": 1000}, {"distance": 1600, "metric": "kilometers"}, {"distance": 1609344, "metric": "meters"},
])
def test_values_a_runner_can_log_are_taken(auth_client, user, fields):
    resp = auth_client.post("/v2/logs/", log_body(**fields), format="json")
    assert resp.status_code == 200, resp.content


@pytest.mark.parametrize("start, end", [("0001-01-01", "2026-01-01"), ("2026-01-01", "9999-12-31")])
def test_range_view_dates_out_of_range_are_a_400(auth_client, user, start, end):
    resp = auth_client.get(f"/v2/range_view/users/andy/r/{start}/{end}")
    assert resp.status_code == 400
    assert "must be a date from 1900-01-01 to 2099-12-31" in resp.json()["error"]


# -- unknown paths and token caching (I-2, I-3) -----------------------------------------------------
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/v2/logs/267/", "/nowhere", "/v2/no-such-thing/1"])
def test_unsafe_methods_on_unknown_paths_answer_the_json_404(method, path):
    resp = Client(enforce_csrf_checks=True).generic(method, path, b"{}", content_type="application/json")
    assert resp.status_code == 404
    assert resp["Content-Type"] == "application/json"
    assert set(resp.json()) == FRAMEWORK_KEYS


def test_token_answers_are_never_cached(api_client, user):
    answers = [
        token(api_client, "andy", PASSWORD),
        token(api_client, "andy", "wrong"),
        api_client.post(reverse("auth:token-pair"), {"username": "andy", "password": PASSWORD}, format="json"),
    ]
    refresh = answers[2].json()["refresh"]
    answers.append(api_client.post(reverse("auth:token-refresh"), {"refresh": refresh}, format="json"))
    for resp in answers:
        assert resp.status_code == 200
        assert "no-store" in resp["Cache-Control"] and "private" in resp["Cache-Control"]
