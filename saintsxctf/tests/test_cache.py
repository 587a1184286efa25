"""The Redis cache backend shares one client per pool, and still behaves as Django's cache."""

import threading

import pytest
from django.core.cache import caches

from conftest import clear_cache, redis_cache_settings, redis_test_url
from saintsxctf.foundation.cache import SharedRedisCache

pytestmark = pytest.mark.skipif(redis_test_url() is None, reason="no Redis reachable (REDIS_URL, TEST_REDIS_URL)")


@pytest.fixture
def redis_cache(settings):
    """Redis under this run's key prefix (conftest.py); its keys are deleted by prefix after the test."""
    redis_cache_settings(settings)
    cache = caches["default"]
    assert isinstance(cache, SharedRedisCache)
    return cache


def test_every_call_uses_the_same_client(redis_cache):
    first = redis_cache._cache.get_client(write=True)
    assert redis_cache._cache.get_client(write=True) is first
    assert redis_cache._cache.get_client(write=False) is first  # one server: one pool for reads and writes


def test_values_counters_and_deletes_round_trip(redis_cache):
    assert redis_cache.get("missing") is None
    redis_cache.set("k", {"a": [1, 2]})
    assert redis_cache.get("k") == {"a": [1, 2]}
    assert redis_cache.add("n", 1) is True
    assert redis_cache.add("n", 5) is False
    assert redis_cache.incr("n", 2) == 3
    assert redis_cache.get_many(["k", "n", "other"]) == {"k": {"a": [1, 2]}, "n": 3}
    redis_cache.delete("k")
    assert redis_cache.get("k") is None


def test_threads_sharing_the_client_count_exactly(redis_cache):
    redis_cache.set("counter", 0)
    barrier = threading.Barrier(8)

    def bump():
        barrier.wait()
        for _ in range(50):
            redis_cache.incr("counter")

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert redis_cache.get("counter") == 400


def test_clearing_between_tests_deletes_only_this_runs_keys(redis_cache):
    """conftest.clear_cache deletes by prefix (SCAN + DEL): a key of another suite or a server on the same Redis
    database survives, where `cache.clear()` (FLUSHDB) would erase it."""
    client = redis_cache._cache.get_client(write=True)
    outsider = f"outsider-{redis_cache.key_prefix}"
    client.set(outsider, b"kept", ex=60)
    try:
        redis_cache.set("mine", 1)
        redis_cache.set("also-mine", 2)
        assert clear_cache(redis_cache) == 2
        assert redis_cache.get("mine") is None and redis_cache.get("also-mine") is None
        assert client.get(outsider) == b"kept"
    finally:
        client.delete(outsider)
