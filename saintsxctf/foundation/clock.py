"""The server's clock for the two readings that decide an answer by the time of day: the throttles' windows
(`seconds()`, read by `saintsxctf.foundation.api.throttles.WindowThrottle.timer`) and the statistics' "today"
(`today()`, read by `groups.queries.current_date` and `users.queries.utc_today`).

Both read `now()`, which is the real time (UTC) unless a test pinned it (`pin()`; the `clock` fixture in
conftest.py pins it for every test, so no test depends on when it runs: a run crossing xx:59 → xx:00 or
midnight gives the same answers). Audit columns, token lifetimes and code expiry keep the real time:
they are compared with rows written at real time.
"""

from datetime import UTC, date, datetime

_pinned: datetime | None = None


def now() -> datetime:
    """The current time, aware, in UTC."""
    return _pinned if _pinned is not None else datetime.now(UTC)


def seconds() -> float:
    """Seconds since the epoch (what the throttles count windows in)."""
    return now().timestamp()


def today() -> date:
    """Today's date in UTC (deviations.md 6)."""
    return now().date()


def pin(instant: datetime | None) -> None:
    """Make `now()` answer `instant` (aware, or naive meaning UTC) until pinned again; None unpins."""
    global _pinned
    if instant is not None and instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    _pinned = instant.astimezone(UTC) if instant is not None else None
