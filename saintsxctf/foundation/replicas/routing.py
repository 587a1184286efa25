"""Which database serves a read: the router, the request's routing state, replica health and the writer pins.

See the package docstring (saintsxctf/foundation/replicas/__init__.py) for the rules. State kept here:
- per request (a context variable set by `ReplicaRoutingMiddleware`): whether the request may read from a
  replica at all, and who wrote during it;
- per process: each replica's last health check (a replica's health is an observation, not state other
  processes must agree on; each process finds out for itself within `REPLICA_CHECK_SECONDS`);
- in the shared cache: the writers of the last `REPLICA_READ_YOUR_WRITES_SECONDS` (every instance must see them).
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import itertools
import json
import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

PRIMARY = DEFAULT_DB_ALIAS
PIN_PREFIX = "replicas:wrote:"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def replica_aliases() -> list[str]:
    """The replica aliases reads may use: none without a shared cache (read-your-writes needs one)."""
    aliases = settings.DATABASE_REPLICAS
    if not aliases or "DummyCache" in settings.CACHES["default"]["BACKEND"]:
        return []
    return aliases


# ------------------------------------------------------------------------------------------------
# Per request
# ------------------------------------------------------------------------------------------------
@dataclass
class RequestRouting:
    """How one request reads: `replica_ok` unless it writes or its caller is pinned (decided lazily)."""

    method: str
    caller: str | None  # the username the bearer token names (unverified: it only chooses a database)
    _pinned: bool | None = None
    writers: set[str] = field(default_factory=set)
    wrote: bool = False

    def pinned(self) -> bool:
        if self._pinned is None:
            self._pinned = self.caller is not None and is_pinned(self.caller)
        return self._pinned


_request: contextvars.ContextVar[RequestRouting | None] = contextvars.ContextVar("replica_routing", default=None)
_forced_primary: contextvars.ContextVar[bool] = contextvars.ContextVar("replica_forced_primary", default=False)


@contextlib.contextmanager
def on_primary():
    """Every read inside goes to the primary (e.g. a value computed to be stored in the shared cache)."""
    token = _forced_primary.set(True)
    try:
        yield
    finally:
        _forced_primary.reset(token)


def note_writer(username: str) -> None:
    """Remember `username` as a writer of this request (besides its authenticated user), e.g. a new account: the
    next requests naming them read from the primary for the read-your-writes window."""
    routing = _request.get()
    if routing is not None:
        routing.writers.add(username)


def token_subject(authorization: str) -> str | None:
    """The `sub` claim of a bearer JWT, *unverified*: it only routes reads (a forged one costs its sender a read
    from the primary); authentication verifies the token as always."""
    scheme, _, token = authorization.partition(" ")
    if scheme != "Bearer" or token.count(".") != 2:
        return None
    payload = token.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, TypeError):
        return None
    subject = claims.get(settings.SIMPLE_JWT["USER_ID_CLAIM"]) if isinstance(claims, dict) else None
    return subject if isinstance(subject, str) and 0 < len(subject) <= 150 else None


# ------------------------------------------------------------------------------------------------
# Writer pins, in the shared cache
# ------------------------------------------------------------------------------------------------
def pin(usernames) -> None:
    """Send the reads of `usernames` to the primary, on every instance, for the read-your-writes window."""
    keys = {PIN_PREFIX + name: 1 for name in usernames}
    if not keys:
        return
    try:
        cache.set_many(keys, timeout=settings.REPLICA_READ_YOUR_WRITES_SECONDS)
    except Exception:  # noqa: BLE001 - the write is done; a lost pin costs at most a stale read, never an error
        logger.warning("read-your-writes pin not stored", exc_info=True)


def is_pinned(username: str) -> bool:
    """Whether `username` wrote within the window; True when the cache cannot say (the primary is never stale)."""
    try:
        return cache.get(PIN_PREFIX + username) is not None
    except Exception as error:  # noqa: BLE001
        logger.warning("read-your-writes pin unreadable, reading from the primary: %s", error)
        return True


# ------------------------------------------------------------------------------------------------
# Replica health, per process
# ------------------------------------------------------------------------------------------------
@dataclass
class ReplicaHealth:
    checked: float = float("-inf")
    usable: bool = False
    lag: float | None = None
    lag_seen: bool = False
    down_until: float = 0.0


_health: dict[str, ReplicaHealth] = {}
_turn = itertools.count()


def health(alias: str) -> ReplicaHealth:
    return _health.setdefault(alias, ReplicaHealth())


def mark_down(alias: str, error: Exception | None = None) -> None:
    """`alias` failed: no read goes there for REPLICA_RETRY_SECONDS; its connection is dropped."""
    state = health(alias)
    state.usable, state.lag = False, None
    state.down_until = time.monotonic() + settings.REPLICA_RETRY_SECONDS
    logger.warning("replica %s unavailable, reading from the primary: %s", alias, error)
    with contextlib.suppress(Exception):
        connections[alias].close()


def replication_lag(alias: str) -> float | None:
    """Seconds `alias` is behind its primary (MariaDB's Seconds_Behind_Master); None when replication is stopped
    or broken (unknown lag). A server that replicates from nothing (the primary under another alias, a test
    mirror) is current: 0. Raises DatabaseError when the server does not answer."""
    connection = connections[alias]
    connection.close_if_health_check_failed()
    with connection.wrap_database_errors:
        connection.ensure_connection()
        if connection.vendor != "mysql":
            return 0.0
        with connection.connection.cursor() as cursor:
            cursor.execute("SHOW SLAVE STATUS")
            row = cursor.fetchone()
            names = [column[0] for column in cursor.description or ()]
    if row is None:
        return 0.0
    status = dict(zip(names, row, strict=False))
    if status.get("Slave_SQL_Running") != "Yes" or status.get("Seconds_Behind_Master") is None:
        return None
    return float(status["Seconds_Behind_Master"])


def usable(alias: str) -> bool:
    """Whether reads may go to `alias` now (its lag is checked at most every REPLICA_CHECK_SECONDS)."""
    state = health(alias)
    now = time.monotonic()
    if now < state.down_until:
        return False
    if now - state.checked < settings.REPLICA_CHECK_SECONDS:
        return state.usable
    state.checked = now
    try:
        state.lag = replication_lag(alias)
    except DatabaseError as error:
        mark_down(alias, error)
        return False
    was = state.usable if state.lag_seen else None
    state.lag_seen = True
    state.usable = state.lag is not None and state.lag <= settings.REPLICA_MAX_LAG_SECONDS
    if was is not False and not state.usable:
        logger.warning("replica %s skipped: lag %s s (bound %s s)", alias, state.lag, settings.REPLICA_MAX_LAG_SECONDS)
    return state.usable


def read_alias() -> str:
    """The database the next ORM read uses (the rules are in the package docstring)."""
    aliases = replica_aliases()
    if not aliases:
        return PRIMARY
    routing = _request.get()
    if (routing is None or routing.method not in SAFE_METHODS or routing.wrote or _forced_primary.get()
            or connections[PRIMARY].in_atomic_block or routing.pinned()):
        return PRIMARY
    start = next(_turn)
    for offset in range(len(aliases)):
        alias = aliases[(start + offset) % len(aliases)]
        if usable(alias):
            return alias
    return PRIMARY


class ReplicaRouter:
    """DATABASE_ROUTERS entry: reads as `read_alias()` says, writes and migrations on the primary only."""

    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        # Explicitly the primary: without an answer Django would write where the instance was read from.
        routing = _request.get()
        if routing is not None:
            routing.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Rows read from a replica and from the primary are the same rows.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return None if db == PRIMARY else False


class ReplicaRoutingMiddleware:
    """Opens each request's routing state, and pins its writers (its authenticated user, and any named with
    `note_writer`) in the shared cache when it wrote."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_aliases():
            return self.get_response(request)
        routing = RequestRouting(request.method, token_subject(request.META.get("HTTP_AUTHORIZATION", "")))
        token = _request.set(routing)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)
            if routing.wrote or routing.writers:
                user = getattr(request, "user", None)
                if user is not None and user.is_authenticated:
                    routing.writers.add(user.get_username())
                pin(routing.writers)
