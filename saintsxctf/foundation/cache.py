"""The shared cache backend: Django's Redis cache, with one client per connection pool and a circuit breaker.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` object for every cache call (about 75 µs on
this machine, against 40 µs for the round trip itself), and a request makes two or three calls (the aggregates'
data version, the cached value). A `redis.Redis` bound to a pool is safe to share (it takes a connection from
the pool for each command), so this client keeps one per pool.

A hung or unreachable Redis must not hold requests: every call has connect and read timeouts
(`REDIS_TIMEOUT`, settings), and after a call fails the client fails every call at once for `BREAKER_SECONDS`
(in this process) instead of waiting out the timeout again. Callers treat a failure as a miss (logs/cached.py),
so while Redis is away the API answers normally, computing what it would have read.

Invalidations (logs/cached.py `_bump`) pass the breaker (`bypassing_breaker()`): a write must try to bump the data
version even while this process's breaker is open, or another process, whose Redis calls work, would go on
serving values cached before the write. A bump to a Redis that really is away still costs one timeout.
"""

import contextlib
import contextvars
import functools
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

BREAKER_SECONDS = 5.0
_bypass = contextvars.ContextVar("bypass_redis_breaker", default=False)


@contextlib.contextmanager
def bypassing_breaker():
    """Cache calls inside ask Redis even when the breaker is open (for invalidations)."""
    token = _bypass.set(True)
    try:
        yield
    finally:
        _bypass.reset(token)


class CacheUnavailable(RedisConnectionError):
    """The breaker is open: Redis failed a call less than BREAKER_SECONDS ago."""


def _guarded(method):
    @functools.wraps(method)
    def call(self, *args, **kwargs):
        if self._down_until > time.monotonic() and not _bypass.get():
            raise CacheUnavailable("Redis failed recently; not asked again yet")
        try:
            return method(self, *args, **kwargs)
        except (RedisError, OSError):
            self._down_until = time.monotonic() + BREAKER_SECONDS
            raise
    return call


class PooledClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._down_until = 0.0

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client

    def reset_breaker(self) -> None:
        self._down_until = 0.0


for _name in ("add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many", "delete_many",
              "clear"):
    setattr(PooledClientRedisCacheClient, _name, _guarded(getattr(RedisCacheClient, _name)))


class SharedRedisCache(RedisCache):
    """`django.core.cache.backends.redis.RedisCache`, with the client above."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = PooledClientRedisCacheClient
