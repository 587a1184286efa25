"""Request logs (saintsxctf/foundation/requestlog.py): one JSON line per request with its id, the id on every line of the
request and on the response, tracebacks for 500s and a report to ADMINS, contract 400s not warnings."""

import json
import logging

import pytest
from django.test import Client
from django.urls import reverse

from saintsxctf.foundation.models import OutgoingMail
from saintsxctf.foundation.requestlog import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def lines(caplog):
    """The JSON lines the console handler would write, for every record logged during the test."""
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(RequestIdFilter())
    formatter = JsonFormatter()
    return lambda: [json.loads(formatter.format(record)) for record in caplog.records]


def test_every_request_gets_an_id_on_the_response_and_one_json_line(auth_client, user, lines):
    resp = auth_client.get(reverse("users:user-detail", kwargs={"username": "andy"}))
    request_id = resp["X-Request-ID"]
    assert len(request_id) == 32
    [line] = [line for line in lines() if line["logger"] == "saintsxctf.request"]
    assert line["request_id"] == request_id
    assert (line["level"], line["method"], line["path"], line["status"], line["user"]) == \
        ("INFO", "GET", "/v2/users/andy", 200, "andy")
    assert line["duration_ms"] >= 0 and line["time"].endswith("+00:00")


def test_a_proxys_request_id_is_kept_and_a_bad_one_replaced(api_client, lines):
    assert api_client.get("/", HTTP_X_REQUEST_ID="lb-1234.abc_DEF")["X-Request-ID"] == "lb-1234.abc_DEF"
    for bad in ["has space", "x" * 129, "new\nline", "<script>"]:
        replaced = api_client.get("/", HTTP_X_REQUEST_ID=bad)["X-Request-ID"]
        assert replaced != bad and len(replaced) == 32


def test_a_contract_400_is_info_and_nothing_warns(api_client, user, lines):
    resp = api_client.post(reverse("forgot_password:forgot_password-detail", kwargs={"username": "nobody"}))
    assert resp.status_code == 400
    logged = lines()
    assert [line["status"] for line in logged if line["logger"] == "saintsxctf.request"] == [400]
    assert [line for line in logged if line["level"] in ("WARNING", "ERROR")] == []


def test_a_500_is_logged_with_its_traceback_under_the_request_id_and_reported(settings, lines):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "saintsxctf.tests.crash_urls"
    settings.ADMINS = [("Ops", "ops@example.com")]
    resp = Client(raise_request_exception=False).get("/crash", HTTP_X_REQUEST_ID="req-500")
    assert resp.status_code == 500 and resp["X-Request-ID"] == "req-500"
    logged = lines()
    errors = [line for line in logged if line["level"] == "ERROR"]
    assert {line["request_id"] for line in errors} == {"req-500"}
    assert any("RuntimeError: secret internals" in line.get("traceback", "") for line in errors)
    request_line = next(line for line in logged if line["logger"] == "saintsxctf.request")
    assert (request_line["status"], request_line["level"]) == (500, "ERROR")
    report = OutgoingMail.objects.get(kind="error_report")  # queued: the worker sends it
    assert report.to == "ops@example.com" and "req-500" in report.body and "RuntimeError" in report.body


def test_a_500_inside_drf_is_reported_once(settings, auth_client, user, monkeypatch, lines):
    from users import views

    settings.ADMINS = [("Ops", "ops@example.com")]

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.UserViewSet, "retrieve", crash)
    resp = auth_client.get(reverse("users:user-detail", kwargs={"username": "andy"}))
    assert resp.status_code == 500
    assert OutgoingMail.objects.filter(kind="error_report").count() == 1
    assert any("RuntimeError: boom" in line.get("traceback", "") for line in lines())


def test_probes_are_not_logged(api_client, lines):
    api_client.get("/health")
    assert [line for line in lines() if line["logger"] == "saintsxctf.request"] == []
