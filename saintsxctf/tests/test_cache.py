"""The Redis cache backend shares one client per pool, and still behaves as Django's cache."""

import socket
import threading
import uuid

import pytest
from django.core.cache import caches

from saintsxctf.cache import SharedRedisCache


def redis_available() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


pytestmark = pytest.mark.skipif(not redis_available(), reason="no Redis on 127.0.0.1:6379")


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "saintsxctf.cache.SharedRedisCache",
                                   "LOCATION": "redis://127.0.0.1:6379/0",
                                   "KEY_PREFIX": f"test-cache-{uuid.uuid4().hex}"}}
    cache = caches["default"]
    assert isinstance(cache, SharedRedisCache)
    yield cache
    cache.clear()


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
