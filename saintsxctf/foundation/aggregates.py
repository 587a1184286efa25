"""The cached aggregates: exact caching of aggregate reads (statistics, leaderboards, range views, feed page
counts, the all feed's authors, group member lists), and the one way they are invalidated.

Reading. `cached(name, parts, compute)` stores `compute()` under a key holding the current *data version* and
the arguments it was computed from (the date included, so "today" boundaries never go stale). A reader reads
the version *before* it computes, so a value is never stored under a version newer than the data it was computed
from. There are two versions (counters in the shared cache): `VERSION_KEY`, bumped by every write of an input,
and `PEOPLE_VERSION_KEY`, bumped by every write but log writes, so values that read no log (`reads_logs=False`:
a group's member list) outlive the log writes that happen all day.

Invalidating: one mechanism, no call to remember. An app whose rows are inputs of an aggregate says so once, in
its `AppConfig.ready()`: `watch(Model, ...)`. From then on every write of those rows bumps the versions,
whichever path it takes: `save()` and `delete()` (Django's post_save and post_delete), a queryset's `update()`,
`bulk_create()` and `bulk_update()` and `saintsxctf.foundation.bulk.bulk_insert()` (`rows_changed`, sent by the project's
querysets, saintsxctf/foundation/models.py). The log summaries are watched the same way; their one writer, the summary
engine (logs/summaries.py), announces each write once. A bump happens at once (so a read later in the same
transaction does not see a value cached before it) and again on commit (so a value a concurrent reader computed
from the data before the commit, and stored under the interim version, is never read after the commit). If the
cache is unavailable, reads compute and writes skip the bump (saintsxctf/foundation/cache.py: the circuit breaker, which
bumps pass).

Only a cache every process shares can hold these values (a per-process cache would answer each gunicorn worker
differently after a write another worker served). So caching is on only when `settings.AGGREGATE_CACHE` is
(Redis configured); otherwise every read computes from the summaries, which is correct with any number of
processes, and nothing is bumped.

Why signals, which the style keeps away from business logic (shared/STYLE.md rule 2): invalidation changes no
data, and it must hear every writer, including the admin, shells, migrations and bulk loaders that never call a
service; a hand call beside each write is what a new write path forgets.

This module is part of the project's ground floor: it imports no app; the apps hand it their models.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from saintsxctf.foundation.cache import CacheUnavailable, bypassing_breaker
from saintsxctf.foundation.models import AnnouncingQuerySet, rows_changed
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
    incr_or_start = getattr(cache, "incr_or_start", None)  # the shared Redis cache: one round trip
    if incr_or_start is not None:
        incr_or_start(key, _new_version())
        return
    try:
        cache.incr(key)
    except ValueError:  # no counter yet (or evicted)
        cache.set(key, _new_version(), timeout=None)


def invalidate(using: str | None = None, *, logs_only: bool = False) -> None:
    """Mark cached values stale, now and when the current transaction commits: every value, or with
    `logs_only` only the values that read logs. The receivers call it; code that writes never needs to
    (`watch()`)."""
    _invalidate((VERSION_KEY,) if logs_only else (VERSION_KEY, PEOPLE_VERSION_KEY), using)


def _invalidate(keys: tuple[str, ...], using: str | None) -> None:
    if not settings.AGGREGATE_CACHE:
        return
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


# -- what is watched ---------------------------------------------------------------------------------------------
# model -> (the versions a write of its rows bumps, the fields whose writes alone change no aggregate)
_watched: dict[type, tuple[tuple[str, ...], frozenset[str]]] = {}
_single_writer: set[type] = set()  # watched models written only by one module, which announces its writes


def watch(*models, logs_only: bool = False, per_row: bool = True, ignoring=()) -> None:
    """Make every write of `models`' rows mark the cached aggregates stale (call it from `AppConfig.ready()`).

    `logs_only`: the rows are log data (the summaries); their writes leave the values that read no log.
    `per_row`: also listen to post_save and post_delete (rows saved or deleted one at a time, the admin's forms
    included). A table written only in bulk by its one writer, which sends `rows_changed` itself once per write
    (the summaries), says False: a post_delete receiver makes Django read every row before it deletes it.
    `ignoring`: fields no aggregate reads (a write that sets only these, such as a sign-in's `last_login`, keeps
    the cache).

    Every manager of a watched model written one row at a time must give an `AnnouncingQuerySet`
    (saintsxctf/tests/test_aggregates.py), or its queryset updates would go unheard.
    """
    versions = (VERSION_KEY,) if logs_only else (VERSION_KEY, PEOPLE_VERSION_KEY)
    for model in models:
        _watched[model] = (versions, frozenset(ignoring))
        if not per_row:
            _single_writer.add(model)
        label = model._meta.label
        rows_changed.connect(_changed, sender=model, dispatch_uid=f"aggregates-rows-{label}")
        if per_row:
            # Connected per model: a receiver for every sender would stop Django from deleting any row without
            # reading it.
            post_save.connect(_changed, sender=model, dispatch_uid=f"aggregates-saved-{label}")
            post_delete.connect(_changed, sender=model, dispatch_uid=f"aggregates-deleted-{label}")


def watched() -> dict[type, tuple[tuple[str, ...], frozenset[str]]]:
    """The watched models, as `watch()` registered them."""
    return dict(_watched)


def unannounced_managers() -> list[str]:
    """Managers of watched models whose querysets would not announce their writes (should be none)."""
    return [f"{model._meta.label}.{manager.name}" for model in _watched if model not in _single_writer
            for manager in model._meta.managers if not issubclass(manager._queryset_class, AnnouncingQuerySet)]


def _changed(sender, using=None, update_fields=None, fields=None, **kwargs):
    versions, ignored = _watched[sender]
    written = update_fields if update_fields is not None else fields
    if written is not None and ignored and set(written) <= ignored:
        return
    _invalidate(versions, using)
