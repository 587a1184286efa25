"""Exact caching of aggregate reads (statistics, leaderboards, range views, feed page counts).

Every cached value is stored under a key holding the current *data version* and the arguments it was computed
from (the date included, so "today" boundaries never go stale). The data version is one counter in the shared
cache (Redis when REDIS_URL is set) and is bumped by every code path that changes an input of an aggregate:
summary writes (every log write), user, group and membership writes. A bump happens at once (so a read later
in the same transaction does not see a value cached before it) and again on commit (so a value a concurrent
reader computed from the data before the commit, and stored under the interim version, is never read after
the commit). A reader reads the version *before* it computes, so a value is never stored under a version newer
than the data it was computed from. If the cache is unavailable, reads compute and writes skip the bump.

Only a cache every process shares can hold these values (a per-process cache would answer each gunicorn worker
differently after a write another worker served). So caching is on only when `settings.AGGREGATE_CACHE` is
(Redis configured); otherwise every read computes from the summaries, which is correct with any number of
processes, and nothing is bumped.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from saintsxctf.foundation.cache import CacheUnavailable, bypassing_breaker
from saintsxctf.foundation.replicas.routing import on_primary

logger = logging.getLogger(__name__)

VERSION_KEY = "aggregates:version"  # bumped by every write of an input, logs included
# Bumped by the writes of everything but logs (users, groups, teams, memberships): values that read no log,
# such as a group's member list, outlive the log writes that happen all day.
PEOPLE_VERSION_KEY = "aggregates:people-version"
TIMEOUT = 3600  # seconds; a safety net only, invalidation is by version


def _new_version() -> int:
    # Never reused, even after the counter is evicted or flushed: a re-created counter cannot meet old keys.
    return time.time_ns()


def data_version(key: str = VERSION_KEY) -> int | None:
    """The current data version (of everything, or of `PEOPLE_VERSION_KEY`), or None when the cache is
    unavailable."""
    try:
        version = cache.get(key)
        if version is None:
            cache.add(key, _new_version(), timeout=None)
            version = cache.get(key)
        return version
    except Exception as error:  # noqa: BLE001 - a cache outage must not break reads
        # The traceback once per outage: while the breaker is open (saintsxctf/foundation/cache.py) a line is enough.
        logger.warning("aggregate cache unavailable: %s", error, exc_info=not isinstance(error, CacheUnavailable))
        return None


def _bump(keys: tuple[str, ...]) -> None:
    for key in keys:
        try:
            with bypassing_breaker():  # saintsxctf/foundation/cache.py: a write always tries to invalidate
                _bump_one(key)
        except Exception:  # noqa: BLE001
            logger.warning("aggregate cache version bump failed", exc_info=True)


def _bump_one(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # no counter yet (or evicted)
        cache.set(key, _new_version(), timeout=None)


def invalidate(using: str | None = None, *, logs_only: bool = False) -> None:
    """Mark cached values stale, now and when the current transaction commits: every value, or with
    `logs_only` (a write of logs and nothing else) only the values that read logs."""
    if not settings.AGGREGATE_CACHE:
        return
    keys = (VERSION_KEY,) if logs_only else (VERSION_KEY, PEOPLE_VERSION_KEY)
    _bump(keys)
    transaction.on_commit(lambda: _bump(keys), using=using)


def cached(name: str, parts: tuple, compute, *, reads_logs: bool = True, keep=None):
    """`compute()`, cached under `name`, `parts` (the arguments, date included) and the data version; a value
    that reads no log (`reads_logs=False`) is kept across log writes. With `keep`, only values for which
    `keep(value)` is true are stored: callers whose parameters come from a request store nothing for a value that
    names no real row (an empty feed, range or member list), so a request cannot mint a cache entry for any
    string it likes (security probe F13)."""
    if not settings.AGGREGATE_CACHE:
        return compute()
    version_key = VERSION_KEY if reads_logs else PEOPLE_VERSION_KEY
    version = data_version(version_key)
    if version is None:
        return compute()
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    key = f"{version_key}:{version}:{name}:{digest}"
    try:
        hit = cache.get(key)
    except Exception:  # noqa: BLE001
        hit = None
    if hit is not None:
        return hit
    # From the primary: a replica behind the version just read would store a stale value under it
    # (saintsxctf/foundation/replicas).
    with on_primary():
        value = compute()
    if keep is not None and not keep(value):
        return value
    try:
        cache.set(key, value, timeout=TIMEOUT)
    except Exception:  # noqa: BLE001
        logger.warning("aggregate cache set failed", exc_info=True)
    return value


# Inputs of the aggregates saved or deleted one row at a time (admin edits included). Queryset updates of
# these tables call invalidate() where they happen (groups/services.py, users/services.py, the admin's bulk
# actions, the legacy importer); summaries call it in logs/services.py.
WATCHED_MODELS = {"users.User", "groups.Group", "groups.GroupMember", "teams.Team", "teams.TeamGroup",
                  "teams.TeamMember"}


def _row_changed(sender, using=None, **kwargs):
    if sender._meta.label in WATCHED_MODELS:
        invalidate(using)
