"""`GET /health` and `GET /ready` (saintsxctf/foundation/health.py): plain JSON, outside auth, host checks and throttles;
`/ready` answers within its deadline when a dependency hangs."""

import time

import pytest
from django.core.cache import caches
from django.test import Client

from ops.harness import free_port
from saintsxctf.tests.hung import HungServer

pytestmark = pytest.mark.django_db


def redis_cache(settings, port: int) -> None:
    settings.CACHES = {"default": {"BACKEND": "saintsxctf.foundation.cache.SharedRedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{port}/0",
                                   "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"


@pytest.fixture
def restore_cache(settings):
    """Put the run's cache back before conftest's clear() (a test below points it at a dead server)."""
    before = settings.CACHES, settings.REDIS_URL
    yield
    settings.CACHES, settings.REDIS_URL = before


def test_health_answers_without_a_token_or_a_listed_host(settings):
    settings.ALLOWED_HOSTS = ["api.saintsxctf.com"]
    settings.SECURE_SSL_REDIRECT = True
    resp = Client().get("/health", HTTP_HOST="10.1.2.3:8000")  # an orchestrator probing the container's address
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/json"
    assert resp.json() == {"status": "ok"}


def test_ready_checks_the_database_and_the_cache(settings):
    resp = Client().get("/ready")
    assert resp.status_code == 200, resp.content
    expected_cache = "ok" if settings.REDIS_URL else "not configured"
    assert resp.json() == {"status": "ready", "checks": {"database": "ok", "cache": expected_cache}}


def test_probes_are_never_throttled_nor_authenticated(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        scope: "1/min" for scope in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}}
    client = Client(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert {client.get(path).status_code for path in ["/health", "/ready"] * 5} == {200}


def test_ready_refuses_other_methods():
    resp = Client().post("/ready")
    assert resp.status_code == 405 and resp["Allow"] == "GET, HEAD"


def test_ready_is_503_when_the_cache_is_down(settings, restore_cache):
    redis_cache(settings, free_port())  # nothing listens there
    resp = Client().get("/ready")
    assert resp.status_code == 503
    assert resp["Retry-After"] == "5"
    body = resp.json()
    assert body["status"] == "unavailable" and body["checks"]["database"] == "ok"
    assert body["checks"]["cache"].startswith("error")


@pytest.mark.realtime
def test_ready_answers_within_its_deadline_when_the_cache_hangs(settings, restore_cache):
    settings.READY_TIMEOUT = 1.0
    with HungServer() as hung:
        redis_cache(settings, hung.port)
        settings.CACHES["default"]["OPTIONS"] = {"socket_connect_timeout": 30, "socket_timeout": 30}
        caches["default"]  # noqa: B018 - built with the slow timeouts: only the deadline can save the probe
        start = time.monotonic()
        resp = Client().get("/ready")
        elapsed = time.monotonic() - start
        assert hung.accepted, "the probe never reached the hung server"
    assert resp.status_code == 503 and resp.json()["checks"]["cache"] == "timeout"
    assert elapsed < 2.5


def test_a_hung_redis_never_holds_a_request(settings, restore_cache, auth_client, user):
    """Redis accepts connections and never answers: reads answer normally, within the timeouts, and after the
    first failure the breaker answers every cache call at once."""
    from django.urls import reverse

    settings.AGGREGATE_CACHE = True
    with HungServer() as hung:
        redis_cache(settings, hung.port)  # REDIS_TIMEOUT-like 0.5 s timeouts
        url = reverse("users:user-statistics", kwargs={"username": "andy"})
        timings = []
        for _ in range(3):
            start = time.monotonic()
            resp = auth_client.get(url)
            timings.append(time.monotonic() - start)
            assert resp.status_code == 200, resp.content
        assert hung.accepted
    assert timings[0] < 3.0  # one timeout (plus the redis client's own retries), then the breaker
    assert max(timings[1:]) < 0.5


def test_an_open_breaker_still_lets_writes_invalidate(settings, aggregate_cache):
    """A process whose breaker is open (Redis failed it a moment ago) still bumps the data version on a write:
    other processes, whose Redis calls work, must not go on serving what was cached before the write."""
    if not settings.REDIS_URL:
        pytest.skip("the breaker belongs to the Redis cache")
    from saintsxctf.foundation import aggregates as cached
    from saintsxctf.foundation.cache import CacheUnavailable

    version = cached.data_version()
    caches["default"]._cache._down_until = time.monotonic() + 60  # as after a failed call
    with pytest.raises(CacheUnavailable):
        caches["default"].get("anything")  # reads skip Redis while the breaker is open
    cached.invalidate()
    caches["default"]._cache.reset_breaker()
    assert cached.data_version() != version


def test_a_hung_database_answers_503_within_seconds(tmp_path):
    """gunicorn on a MySQL address that accepts connections and never answers: a request that needs the
    database answers 503 with Retry-After after DB_CONNECT_TIMEOUT, /ready says which check failed, /health
    stays up."""
    from django.urls import reverse

    from ops.harness import Gunicorn, django_env, request

    with HungServer() as hung:
        env = django_env(f"mysql://root@127.0.0.1:{hung.port}/nothing", DB_CONNECT_TIMEOUT="2", READY_TIMEOUT="1")
        with Gunicorn(env, workers=1, logfile=tmp_path / "gunicorn.log") as api:
            assert request(api.base, "GET", "/health", timeout=30) == (200, {"status": "ok"})
            start = time.monotonic()
            status, body = request(api.base, "POST", reverse("auth:token"),
                                   {"clientId": "andy", "clientSecret": "secret"}, timeout=30)
            elapsed = time.monotonic() - start
            assert status == 503 and elapsed < 6, (status, body, elapsed)
            status, body = request(api.base, "GET", "/ready", timeout=30)
            assert status == 503 and body["checks"]["database"] in ("timeout", "error: OperationalError")
        assert hung.accepted
