"""Browsers on other origins: django-cors-headers, origins from CORS_ALLOWED_ORIGINS, none by default."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

WEB = "https://www.saintsxctf.com"


def preflight(client, origin, path="/v2/logs/", method="POST"):
    return client.options(path, HTTP_ORIGIN=origin, HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
                          HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type")


def test_no_origin_is_allowed_by_default(api_client):
    resp = preflight(api_client, WEB)
    assert "access-control-allow-origin" not in resp.headers


def test_a_listed_origin_passes_the_preflight(api_client, settings):
    settings.CORS_ALLOWED_ORIGINS = [WEB]
    resp = preflight(api_client, WEB)
    assert resp.status_code == 200
    assert resp["Access-Control-Allow-Origin"] == WEB
    assert "POST" in resp["Access-Control-Allow-Methods"]
    assert {"authorization", "content-type"} <= {h.strip() for h in resp["Access-Control-Allow-Headers"].split(",")}
    assert "access-control-allow-credentials" not in resp.headers  # tokens are headers, never cookies


def test_another_origin_is_refused_by_the_browser(api_client, settings):
    settings.CORS_ALLOWED_ORIGINS = [WEB]
    resp = preflight(api_client, "https://evil.example.com")
    assert "access-control-allow-origin" not in resp.headers


def test_the_real_request_carries_the_headers(auth_client, user, settings):
    settings.CORS_ALLOWED_ORIGINS = [WEB]
    resp = auth_client.get(reverse("users:user-detail", kwargs={"username": "andy"}), HTTP_ORIGIN=WEB)
    assert resp.status_code == 200 and resp["Access-Control-Allow-Origin"] == WEB
    assert "x-request-id" in resp["Access-Control-Expose-Headers"].lower()
