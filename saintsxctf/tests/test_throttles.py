"""Throttles: per address and per account, counted in the database, 429 with Retry-After."""

import pytest
from django.urls import reverse
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from conftest import clear_cache
from saintsxctf.foundation.api import throttles
from saintsxctf.foundation.api.throttles import (
    ACTIVATION_CODE_THROTTLES,
    FORGOT_PASSWORD_THROTTLES,
    SIGNUP_THROTTLES,
    parse_rate,
)
from saintsxctf.foundation.models import ThrottleCount
from saintsxctf.tests.concurrency import needs_server_db, race
from users.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def with_rates(settings, **rates):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates}}


def token_request(client_id="andy", addr="10.0.0.1", **extra):
    client = APIClient(REMOTE_ADDR=addr)
    return client.post(reverse("auth:token"), {"clientId": client_id, "clientSecret": PASSWORD}, format="json",
                       **extra)


def assert_throttled(resp):
    assert resp.status_code == 429
    body = resp.json()
    assert body["error_description"] == "Too Many Requests"
    assert set(body) == {"error_description", "exception", "contact", "api_index"}
    assert 1 <= int(resp["Retry-After"]) <= 61


def test_defaults_let_a_client_make_30_token_requests_a_minute(user):
    assert all(token_request().status_code == 200 for _ in range(30))


def test_token_requests_for_one_account_are_limited_per_address(user):
    """Defaults: 30 a minute per account and address (a stranger elsewhere cannot spend the runner's allowance:
    test_security_throttles.py)."""
    for _ in range(30):
        assert token_request(addr="10.0.1.1").status_code == 200
    resp = token_request(addr="10.0.1.1")
    assert_throttled(resp)
    assert "result" not in resp.json()
    # The account is matched however it is spelled; another account, or another address, is not affected.
    assert_throttled(token_request(client_id="ANDY", addr="10.0.1.1"))
    assert token_request(client_id="dotty", addr="10.0.1.1").status_code == 200
    assert token_request(addr="10.0.2.1").status_code == 200


def test_token_requests_from_one_address_are_limited_across_accounts(user, settings):
    with_rates(settings, token_ip="5/min")
    for i in range(5):
        assert token_request(client_id=f"guess{i}").status_code == 200
    assert_throttled(token_request(client_id="guess-next"))
    assert token_request(addr="10.9.9.9").status_code == 200  # another address


def test_a_throttled_request_issues_no_token(user, settings):
    with_rates(settings, token_account="1/min")
    token_request()
    before = OutstandingToken.objects.count()
    assert_throttled(token_request())
    assert OutstandingToken.objects.count() == before


def test_a_spoofed_forwarded_for_header_does_not_dodge_the_address_limit(user, settings):
    with_rates(settings, token_ip="3/min")
    for i in range(3):
        token_request(client_id=f"x{i}", HTTP_X_FORWARDED_FOR=f"1.2.3.{i}")
    assert_throttled(token_request(client_id="x9", HTTP_X_FORWARDED_FOR="1.2.3.99"))


def test_behind_a_proxy_the_address_comes_from_forwarded_for(user, settings):
    with_rates(settings, token_ip="2/min")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = "10.0.0.254"
    for i in range(2):
        token_request(client_id=f"y{i}", addr=proxy, HTTP_X_FORWARDED_FOR="spoofed, 203.0.113.5")
    assert_throttled(token_request(client_id="y9", addr=proxy, HTTP_X_FORWARDED_FOR="203.0.113.5"))
    assert token_request(client_id="y9", addr=proxy, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 200


def test_counts_survive_a_cache_flush(user, settings):
    """Counts live in the database: a flushed or restarted Redis does not give a password guesser a new start."""
    with_rates(settings, token_account="1/min")
    token_request()
    assert_throttled(token_request())
    clear_cache()  # a restart of Redis, an eviction...: the counts are in the database, nothing starts over
    assert_throttled(token_request())


def test_expired_windows_are_deleted(user, settings, monkeypatch):
    with_rates(settings, token_account="100/min", token_ip="100/min")
    monkeypatch.setattr(throttles, "PURGE_ONE_IN", 1)
    monkeypatch.setattr(throttles.WindowThrottle, "timer", staticmethod(lambda: 1_000_000_000.0))
    token_request()
    assert ThrottleCount.objects.count() == 2  # the address's and the account's window
    monkeypatch.setattr(throttles.WindowThrottle, "timer", staticmethod(lambda: 1_000_000_000.0 + 3600))
    token_request(client_id="other", addr="10.0.0.2")
    assert ThrottleCount.objects.count() == 2  # the old windows are gone, the new ones counted


def test_the_pair_endpoint_is_throttled_too(user, settings):
    with_rates(settings, token_account="2/min")
    client = APIClient()
    for _ in range(2):
        client.post(reverse("auth:token-pair"), {"username": "andy", "password": "guess"}, format="json")
    assert_throttled(client.post(reverse("auth:token-pair"), {"username": "andy", "password": PASSWORD},
                                 format="json"))


@pytest.mark.parametrize("rate, expected", [("30/min", (30, 60)), ("100/10min", (100, 600)), ("5/hour", (5, 3600)),
                                            ("1/s", (1, 1)), ("7/2d", (7, 172800))])
def test_rates_are_parsed(rate, expected):
    assert parse_rate(rate) == expected


@pytest.mark.parametrize("rate", ["", "30", "x/min", "30/fortnight"])
def test_bad_rates_are_refused(rate):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        parse_rate(rate)


# The other guarded endpoints are not on this branch yet: their throttles are tested on a stand-in view with
# the same request shape (the real endpoints are tested once they exist).
class StandIn(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get(self, request, **kwargs):
        return Response({})

    def post(self, request, **kwargs):
        return Response({})


GUARDED = [
    (SIGNUP_THROTTLES, "signup", lambda i: ({"username": f"new{i}", "email": "same@example.com"}, {})),
    (SIGNUP_THROTTLES, "signup", lambda i: ({"username": "same", "email": f"new{i}@example.com"}, {})),
    (FORGOT_PASSWORD_THROTTLES, "forgot_password", lambda i: ({}, {"username": "andy"})),
    (ACTIVATION_CODE_THROTTLES, "activation_code", lambda i: ({"group_id": i, "email": "coach@example.com"}, {})),
]


def call(throttle_classes, body, kwargs, addr="10.0.0.1", method="post"):
    view = StandIn.as_view(throttle_classes=throttle_classes)
    factory = APIRequestFactory(REMOTE_ADDR=addr)
    request = getattr(factory, method)("/", body, format="json")
    return view(request, **kwargs)


@pytest.mark.parametrize("throttle_classes, scope, make", GUARDED)
def test_guarded_endpoints_are_limited_per_account(settings, throttle_classes, scope, make):
    with_rates(settings, **{f"{scope}_account": "3/min"})
    for i in range(3):
        body, kwargs = make(i)
        assert call(throttle_classes, body, kwargs, addr=f"10.1.0.{i}").status_code == 200
    body, kwargs = make(3)
    resp = call(throttle_classes, body, kwargs, addr="10.1.1.1")
    assert resp.status_code == 429 and int(resp["Retry-After"]) >= 1


@pytest.mark.parametrize("throttle_classes, scope", [(SIGNUP_THROTTLES, "signup"),
                                                     (FORGOT_PASSWORD_THROTTLES, "forgot_password"),
                                                     (ACTIVATION_CODE_THROTTLES, "activation_code")])
def test_guarded_endpoints_are_limited_per_address(settings, throttle_classes, scope):
    with_rates(settings, **{f"{scope}_ip": "4/min"})
    for i in range(4):
        body = {"username": f"u{i}", "email": f"u{i}@example.com"}
        assert call(throttle_classes, body, {"username": f"u{i}"}).status_code == 200
    assert call(throttle_classes, {"username": "u9", "email": "u9@example.com"},
                {"username": "u9"}).status_code == 429
    # Reads are never counted.
    assert call(throttle_classes, None, {"username": "u9"}, method="get").status_code == 200


def test_default_signup_rate_lets_one_address_sign_up_ten_runners_a_minute():
    for i in range(10):
        body = {"username": f"s{i}", "email": f"s{i}@example.com"}
        assert call(SIGNUP_THROTTLES, body, {}).status_code == 200


@needs_server_db
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_never_lose_a_count(settings):
    """Twelve requests at once, each on its own database connection (think: gunicorn workers on two machines),
    share the limit exactly, including the race to create a window's counter."""
    with_rates(settings, signup_account="5/min", signup_ip="1000/min")
    statuses = race(*[
        (lambda i=i: call(SIGNUP_THROTTLES, {"username": "racer", "email": f"r{i}@example.com"}, {},
                          addr=f"10.2.0.{i}").status_code) for i in range(12)])
    assert sorted(statuses) == [200] * 5 + [429] * 7
