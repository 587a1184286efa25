"""Shared fixtures: clients that name who is calling, with real simplejwt tokens; the pinned clock; a cache
that holds only this run's keys.

Time. Every test runs with the server's clock pinned (`clock`, saintsxctf/foundation/clock.py): by default at 12:34:30
UTC of the real date the test started on, the middle of every throttle window (a minute, ten minutes, an
hour, a day), so a test never straddles a window boundary or midnight. A test that is about time moves it
(`clock.set(...)`, `clock.advance(...)`); test code reads "today" from `clock.today`, never from the wall.

Cache. This run's keys carry their own prefix (`TEST_CACHE_PREFIX`, added to `CACHES["default"]`
`KEY_PREFIX`), and before and after every test only the keys under that prefix are deleted (`clear_cache`:
SCAN + DEL on Redis). The tests never flush a whole Redis database: a second suite, or a server, sharing the
Redis keeps its state. Redis-only tests use `redis_cache_settings` (`redis_test_url()`: REDIS_URL, else TEST_REDIS_URL, else
db 0 of a local Redis), under the same prefix.
"""

import os
import socket
import uuid
from datetime import UTC, date, datetime, time, timedelta

import factory
import factory.random  # a submodule: `import factory` alone does not load it (a test file run alone failed)
import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.test.utils import override_settings
from rest_framework.test import APIClient

from saintsxctf.foundation import clock as server_clock
from saintsxctf.foundation.auth.tokens import issue_access_token
from users.tests.factories import UserFactory

TEST_CACHE_PREFIX = f"sxtest-{uuid.uuid4().hex[:16]}"
# Mid-window for every throttle period (:34:30 is 30 s into a minute, 4.5 min into ten, 34.5 min into an
# hour) and mid-day, so no window and no date changes during a test unless the test moves the clock.
DEFAULT_TIME_OF_DAY = time(12, 34, 30)


def redis_test_url() -> str | None:
    """A Redis for tests that need one whatever the run's cache is, or None when none is reachable."""
    url = os.environ.get("REDIS_URL") or os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=0.5).close()
    except OSError:
        return None
    return url


def redis_cache_settings(settings) -> None:
    """Point the default cache at Redis (redis_test_url()) for one test, under this run's prefix."""
    settings.CACHES = {"default": {"BACKEND": "saintsxctf.foundation.cache.SharedRedisCache", "LOCATION": redis_test_url(),
                                   "KEY_PREFIX": TEST_CACHE_PREFIX}}


def clear_cache(target=None) -> int:
    """Delete this run's keys from `target` (the default cache): SCAN + DEL by prefix on Redis, never a
    FLUSHDB; a local-memory cache belongs to this process and is cleared whole. Returns the keys deleted
    (Redis), -1 (cleared whole) or 0 (the dummy cache of runs without Redis)."""
    target = target or caches["default"]
    if isinstance(target, RedisCache):
        if not target.key_prefix.startswith(TEST_CACHE_PREFIX):
            raise RuntimeError(f"refusing to clear a cache outside this test run's prefix: {target.key_prefix!r}")
        client = target._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{target.key_prefix}:*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start:start + 500])
        return len(keys)
    if isinstance(target, LocMemCache):
        target.clear()
        return -1
    if isinstance(target, DummyCache):  # the default without REDIS_URL: nothing is ever stored
        return 0
    raise RuntimeError(f"no way to clear only this run's keys from {type(target).__name__}")


@pytest.fixture(autouse=True, scope="session")
def _test_cache_prefix():
    """Every cache key of this run starts with TEST_CACHE_PREFIX."""
    configured = {name: dict(options) for name, options in django_settings.CACHES.items()}
    for options in configured.values():
        options["KEY_PREFIX"] = TEST_CACHE_PREFIX + (f"-{options['KEY_PREFIX']}" if options.get("KEY_PREFIX") else "")
    with override_settings(CACHES=configured):
        yield


class PinnedClock:
    """The server's clock in a test (saintsxctf/foundation/clock.py): `set()` an instant (a datetime, naive meaning UTC,
    or a date, meaning DEFAULT_TIME_OF_DAY on it), `advance()` it; `now`, `today` and `seconds` read it."""

    def set(self, when: datetime | date) -> "PinnedClock":
        if not isinstance(when, datetime):
            when = datetime.combine(when, DEFAULT_TIME_OF_DAY)
        server_clock.pin(when)
        return self

    def advance(self, delta: timedelta | None = None, **parts) -> "PinnedClock":
        server_clock.pin(server_clock.now() + (delta or timedelta(**parts)))
        return self

    @property
    def now(self) -> datetime:
        return server_clock.now()

    @property
    def today(self) -> date:
        return server_clock.today()

    @property
    def seconds(self) -> float:
        return server_clock.seconds()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The test run's MariaDB connections wait as long as a management command's (manage.py: 10 minutes), not a
    web request's 15 s: creating and migrating the test database on a busy server can take longer than 15 s for one
    information_schema query, and the read timeout then drops the connection (2013) and errors the whole run."""
    from django.db import connections

    for connection in connections.all(initialized_only=False):
        options = connection.settings_dict.get("OPTIONS", {})
        for name in ("read_timeout", "write_timeout"):
            if name in options:
                options[name] = max(options[name], 600)


@pytest.fixture(autouse=True)
def _seeded_factories(request):
    """Factory data (faker names, sentences) seeded from the test's id: a test sees the same rows on every run and
    in any order, so data that trips a rule (a last name too like the test's password) fails every run, not 1 in 50."""
    factory.random.reseed_random(request.node.nodeid)


@pytest.fixture(autouse=True)
def clock():
    """The pinned server clock (see the module docstring)."""
    pinned = PinnedClock().set(datetime.now(UTC).date())
    yield pinned
    server_clock.pin(None)


@pytest.fixture(autouse=True)
def _fast_tests(settings, _test_cache_prefix):
    """A fast hasher first (bcrypt stays available, legacy hashes still verify); this run's cache keys gone."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "saintsxctf.foundation.auth.hashers.ClientBCryptPasswordHasher",
    ]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def aggregate_cache(settings):
    """For tests of the aggregate cache (logs/cached.py): Redis when the run has it; otherwise this one process's
    local memory stands in for it (the default setup caches no aggregates: it has no cache every process
    shares)."""
    if not settings.AGGREGATE_CACHE:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        settings.AGGREGATE_CACHE = True


def client_for(user) -> APIClient:
    """An API client that sends `user`'s bearer token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user)}")
    return client


@pytest.fixture
def api_client():
    """No token at all."""
    return APIClient()


@pytest.fixture
def user(db):
    return UserFactory(username="andy", first="Andy", last="Jarombek", email="andy@example.com")


@pytest.fixture
def auth_client(user):
    """Calls as `user`."""
    return client_for(user)


@pytest.fixture
def other_user(db):
    return UserFactory(username="dotty", first="Dotty", last="Jarombek", email="dotty@example.com")


@pytest.fixture
def other_client(other_user):
    """Calls as another runner."""
    return client_for(other_user)
