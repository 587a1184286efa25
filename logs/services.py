"""The write path of logs: every create, update and delete of a log goes through these services.

The per-user summaries (`LogSummary`) are refreshed by the model layer itself (`Log.save()`, `Log.delete()`,
`LogQuerySet.update()`/`delete()`), inside the write's transaction, so every path that writes logs through
the ORM (these services, the admin) keeps them exact. Bulk writers (`bulk_insert`: seed_demo, the legacy
importer) call `log_summaries_rebuild()` for what they wrote.
"""

from collections.abc import Iterable
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import TruncMonth, TruncYear
from django.utils import timezone

from comments.models import Comment
from logs.cached import invalidate
from logs.models import ExerciseType, Log, LogSummary
from saintsxctf.foundation.prepared import PreparedQuery
from users.models import User

# The `start` of a user's all-time summary rows.
ALL_TIME_START = date(1000, 1, 1)
# Each period is summed from the one before it: days from logs, months from days, years from months, all time
# from years, so refreshing one log's summaries reads a bounded number of rows whatever the history length.
PERIODS = (LogSummary.DAY, LogSummary.MONTH, LogSummary.YEAR, LogSummary.ALL)
SUMMARY_BATCH = 5000


@transaction.atomic(savepoint=False)
def log_create(
    *, author: User, date, type: ExerciseType | str, feel: int, first: str | None = None, last: str | None = None,
    name=None, location=None, distance=None, metric=None, time=None, description=None, miles=None,
) -> Log:
    """Create `author`'s log; miles and pace are derived from distance, metric and time (`miles` only counts
    when no distance is given: Log.set_distance)."""
    log = Log(
        user=author, first=author.first if first is None else first, last=author.last if last is None else last,
        name=name, location=location, date=date, feel=feel, description=description, time_created=timezone.now(),
    )
    log.type_id = type.pk if isinstance(type, ExerciseType) else type
    log.set_distance(distance, metric, time, miles)
    # The author and a type given as a row were just read: checking that they exist would cost a query each.
    log.full_clean(exclude=["user", "type"] if isinstance(type, ExerciseType) else ["user"])
    log.save()
    return log


# The columns an edit owns.
LOG_EDIT_FIELDS = ["name", "location", "date", "feel", "description", "type", "distance", "metric", "time", "miles",
                   "pace"]


@transaction.atomic(savepoint=False)
def log_update(
    *, log: Log, date, type: ExerciseType | str, feel: int, name=None, location=None, distance=None, metric=None,
    time=None, description=None, miles=None,
) -> Log:
    """Replace what a client may change on `log`; the author and `time_created` never change."""
    log.name, log.location, log.date, log.feel, log.description = name, location, date, feel, description
    log.type_id = type.pk if isinstance(type, ExerciseType) else type
    log.set_distance(distance, metric, time, miles)
    log.full_clean()
    # Only the columns an edit owns: a soft delete committed since the log was read stays (a full save would
    # write back the `deleted` the request read, and undelete it).
    log.save(update_fields=LOG_EDIT_FIELDS)
    return log


@transaction.atomic(savepoint=False)
def log_soft_delete(*, log: Log) -> None:
    """Soft delete `log` and its live comments, together."""
    Comment.objects.filter(log=log).soft_delete()
    log.soft_delete()


@transaction.atomic(savepoint=False)
def log_restore(*, log: Log) -> None:
    """Bring back a soft-deleted `log` (its comments stay as they are)."""
    log.deleted, log.deleted_date, log.deleted_user, log.deleted_app = False, None, None, None
    log.save(update_fields=["deleted", "deleted_date", "deleted_user", "deleted_app"])


@transaction.atomic(savepoint=False)
def log_delete(*, log: Log) -> None:
    """Delete `log` and every comment on it (soft-deleted ones too), together."""
    Comment.all_objects.filter(log=log).delete()
    log.delete()


# -- summaries --------------------------------------------------------------------------------------------
def period_start(period: str, day: date) -> date:
    """The first day of the `period` holding `day`."""
    if period == LogSummary.DAY:
        return day
    if period == LogSummary.MONTH:
        return day.replace(day=1)
    if period == LogSummary.YEAR:
        return day.replace(month=1, day=1)
    return ALL_TIME_START


def period_end(period: str, start: date) -> date:
    """The first day after the month or year starting on `start`."""
    if period == LogSummary.YEAR:
        return start.replace(year=start.year + 1)
    return start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)


SUMMARY_SUMS = {"miles": Sum("miles"), "feel": Sum("feel"), "first": Max("first"), "last": Max("last")}
SUMMARY_VALUES = ("logs", "miles", "feel", "first", "last", "newest")


def _summed_rows(period: str, users: Q):
    """Every summary row of `period` of `users`, summed in SQL from the period below it (logs for days).

    The rebuild sums every period this way; a single write sums only its days this way and the periods above
    them in Python (`log_summaries_refresh_many`).
    """
    if period == LogSummary.DAY:
        return Log.objects.filter(users).order_by().values("user_id", "type_id", start=F("date")).annotate(
            logs=Count("log_id"), newest=Max("time_created"), **SUMMARY_SUMS)
    source = LogSummary.objects.filter(users, period=PERIODS[PERIODS.index(period) - 1]).order_by()
    if period == LogSummary.ALL:
        rows = source.values("user_id", "type_id")
    else:
        trunc = TruncMonth if period == LogSummary.MONTH else TruncYear
        rows = source.values("user_id", "type_id", period_start=trunc("start"))
    return rows.annotate(logs=Sum("logs"), newest=Max("newest"), **SUMMARY_SUMS)


def _write_summaries(period: str, rows) -> None:
    batch = []
    for row in rows.iterator(chunk_size=SUMMARY_BATCH):
        start = _as_date(row.get("start") or row.get("period_start") or ALL_TIME_START)
        batch.append(LogSummary(
            period=period, user_id=row["user_id"], start=start, type_id=row["type_id"], logs=row["logs"],
            miles=row["miles"], feel=row["feel"] or 0, first=row["first"] or "", last=row["last"] or "",
            newest=row["newest"],
        ))
        if len(batch) >= SUMMARY_BATCH:
            LogSummary.objects.bulk_create(batch)
            batch = []
    if batch:
        LogSummary.objects.bulk_create(batch)


def _as_date(value) -> date:
    """A log's date as a `date` (an unsaved or just-saved log may hold the text a caller gave it)."""
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value.date() if isinstance(value, datetime) else value


def summary_keys(rows) -> dict[str, set[tuple[date, str]]]:
    """{username: {(date, type)}} of (username, date, type) triples: the summary days a write touches."""
    keys: dict[str, set[tuple[date, str]]] = {}
    for user_id, day, type_id in rows:
        if day is not None:
            keys.setdefault(user_id, set()).add((_as_date(day), type_id))
    return keys


def lock_authors(usernames: Iterable[str]) -> None:
    """Lock the authors' user rows, in one order, until the transaction ends.

    Two writes of one author's summaries run one after the other: without it, two first logs of a day both
    find no row and both insert one (a duplicate key), or one sums without the other's log.
    """
    names = sorted(set(usernames))
    if len(names) == 1:
        LOCK_AUTHOR.rows(names[0])
    elif names:
        list(User.all_objects.select_for_update().filter(username__in=names).order_by("username")
             .values_list("pk", flat=True))


def _combined(rows: Iterable[dict]) -> dict:
    """The summary values of a period from the rows of the periods it is made of (SUM, MAX; null miles stay
    null unless some row has miles, as SQL's SUM)."""
    logs = feel = 0
    miles = newest = None
    first = last = ""
    for row in rows:
        logs += row["logs"]
        feel += row["feel"]
        if row["miles"] is not None:
            miles = row["miles"] if miles is None else miles + row["miles"]
        first, last = max(first, row["first"]), max(last, row["last"])
        if row["newest"] is not None and (newest is None or row["newest"] > newest):
            newest = row["newest"]
    return {"logs": logs, "miles": miles, "feel": feel, "first": first, "last": last, "newest": newest}


def _refreshed(stored: dict[tuple, dict], fresh_days: dict[tuple, dict], days: set[date]) -> dict[tuple, dict]:
    """One user's summary rows of `types` after their `days` were recomputed (`fresh_days`), keyed
    (period, start, type).

    `stored` holds the rows of `types` a refresh reads: the days of the months holding `days`, the months of
    their years, every year and all time. Months, years and all time are summed from the period below.
    """
    rows = {key: row for key, row in stored.items() if not (key[0] == LogSummary.DAY and key[1] in days)}
    rows.update(fresh_days)
    for period in PERIODS[1:]:
        below = PERIODS[PERIODS.index(period) - 1]
        starts = {period_start(period, day) for day in days}
        groups: dict[tuple, list[dict]] = {}
        for (row_period, start, type_id), row in rows.items():
            if row_period == below and period_start(period, start) in starts:
                groups.setdefault((period, period_start(period, start), type_id), []).append(row)
        rows = {key: row for key, row in rows.items() if not (key[0] == period and key[1] in starts)}
        rows.update({key: _combined(parts) for key, parts in groups.items()})
    return rows


def _stored_scope(user_id: str, days: set[date], types: set[str]) -> Q:
    """The summary rows a refresh of `user_id`'s `days` of `types` reads (see `_refreshed`)."""
    bounds = [(below, start, period_end(period, start))
              for period, below in ((LogSummary.MONTH, LogSummary.DAY), (LogSummary.YEAR, LogSummary.MONTH))
              for start in sorted({period_start(period, day) for day in days})]
    return _scope(user_id, sorted(types), bounds)


def _scope(user_id: str, types: list[str], bounds: list[tuple[str, date, date]]) -> Q:
    """`user_id`'s rows of `types`: every year and all time, and the (period, first start, end) `bounds`."""
    scope = Q(period__in=[LogSummary.YEAR, LogSummary.ALL])
    for period, start, end in bounds:
        scope |= Q(period=period, start__gte=start, start__lt=end)
    return Q(user_id=user_id, type_id__in=types) & scope


STORED_FIELDS = ("id", "user_id", "period", "start", "type_id", *SUMMARY_VALUES)

# The queries of the common write, one author's one day of one exercise type, compiled once
# (saintsxctf/foundation/prepared.py): built through the ORM they took longer than the database took to answer them, inside
# the author's lock, where every other write of that author waits. Markers: dates no summary holds.
_MARKER_DAYS = [date(1001, 1, n) for n in range(1, 6)]
LOCK_AUTHOR = PreparedQuery(lambda name: User.all_objects.select_for_update().filter(username=name).values("pk"), 1)
ONE_DAY_SUMS = PreparedQuery(
    lambda user_id, day, type_id: _summed_rows(LogSummary.DAY, Q(user_id=user_id, date__in=[day], type_id__in=[type_id])),
    3, markers=("\x00user\x00", _MARKER_DAYS[0], "\x00type\x00"))
ONE_DAY_STORED = PreparedQuery(
    lambda user_id, type_id, month, next_month, year, next_year: LogSummary.objects.filter(
        _scope(user_id, [type_id], [(LogSummary.DAY, month, next_month), (LogSummary.MONTH, year, next_year)]),
    ).values(*STORED_FIELDS),
    6, markers=("\x00user\x00", "\x00type\x00", *_MARKER_DAYS[1:]))


def _read_one_day(user_id: str, day: date, type_id: str) -> tuple[list[dict], list[dict]]:
    """(day sums, stored rows) of one author's one day of one type, as the general path reads them."""
    month, year = period_start(LogSummary.MONTH, day), period_start(LogSummary.YEAR, day)
    return (ONE_DAY_SUMS.rows(user_id, day, type_id),
            ONE_DAY_STORED.rows(user_id, type_id, month, period_end(LogSummary.MONTH, month),
                                year, period_end(LogSummary.YEAR, year)))


REFRESH_USERS = 50


def log_summaries_refresh_many(keys: dict[str, set[tuple[date, str]]], *, locked: bool = False) -> None:
    """Recompute the summary rows of each user's (day, type) pairs (`summary_keys`), and of the months, years
    and all time holding them.

    Days are summed from the logs (one query), the rest in Python from the stored rows of the period below
    (one query), and only rows that changed are written (an upsert and, when rows vanish, a delete). Only the
    types written are read, so a write costs the same few queries and rows whatever the history length.
    `locked`: the caller holds the authors' locks.
    """
    users = sorted(user_id for user_id, pairs in keys.items() if pairs)
    if not users:
        return
    with transaction.atomic(savepoint=False):
        if not locked:
            lock_authors(users)
        for k in range(0, len(users), REFRESH_USERS):
            _refresh_users({user_id: keys[user_id] for user_id in users[k:k + REFRESH_USERS]})
        invalidate(logs_only=True)


def _refresh_users(keys: dict[str, set[tuple[date, str]]]) -> None:
    days = {user_id: {day for day, _ in pairs} for user_id, pairs in keys.items()}
    types = {user_id: {type_id for _, type_id in pairs} for user_id, pairs in keys.items()}
    fresh: dict[str, dict[tuple, dict]] = {user_id: {} for user_id in keys}
    pairs = [(user_id, pair) for user_id, user_pairs in keys.items() for pair in user_pairs]
    if len(pairs) == 1:  # the common write: queries compiled once
        user_id, (day, type_id) = pairs[0]
        day_rows, stored_rows = _read_one_day(user_id, day, type_id)
    else:
        day_scope = stored_scope = Q()
        for user_id in keys:
            day_scope |= Q(user_id=user_id, date__in=sorted(days[user_id]), type_id__in=sorted(types[user_id]))
            stored_scope |= _stored_scope(user_id, days[user_id], types[user_id])
        day_rows = _summed_rows(LogSummary.DAY, day_scope)
        stored_rows = LogSummary.objects.filter(stored_scope).values(*STORED_FIELDS)
    for row in day_rows:
        fresh[row["user_id"]][(LogSummary.DAY, _as_date(row["start"]), row["type_id"])] = {
            "logs": row["logs"], "miles": row["miles"], "feel": int(row["feel"] or 0),
            "first": row["first"] or "", "last": row["last"] or "", "newest": row["newest"],
        }
    stored: dict[str, dict[tuple, dict]] = {user_id: {} for user_id in keys}
    ids: dict[tuple, int] = {}
    for row in stored_rows:
        key = (row["period"], _as_date(row["start"]), row["type_id"])
        stored[row["user_id"]][key] = {name: row[name] for name in SUMMARY_VALUES}
        ids[(row["user_id"], *key)] = row["id"]

    changed, vanished = [], []
    for user_id in keys:
        rows = _refreshed(stored[user_id], fresh[user_id], days[user_id])
        for key, row in rows.items():
            if stored[user_id].get(key) != row:
                period, start, type_id = key
                changed.append(LogSummary(period=period, user_id=user_id, start=start, type_id=type_id, **row))
        vanished += [ids[(user_id, *key)] for key in stored[user_id].keys() - rows.keys()]
    if vanished:
        LogSummary.objects.filter(id__in=vanished).delete()
    if changed:
        target = ["period", "user", "start", "type"] if connection.features.supports_update_conflicts_with_target \
            else None
        LogSummary.objects.bulk_create(changed, update_conflicts=True, unique_fields=target,
                                       update_fields=list(SUMMARY_VALUES))


def log_summaries_refresh(*, user_id: str, days: Iterable[tuple[date, str]]) -> None:
    """Recompute `user_id`'s summary rows of the (day, type) pairs, and of the months, years and all time holding
    them."""
    log_summaries_refresh_many(summary_keys((user_id, day, type_id) for day, type_id in days))


REBUILD_USERS = 50


def log_summaries_rebuild(*, usernames: Iterable[str] | None = None) -> int:
    """Recompute every summary row (of `usernames` only, when given) from the logs; returns the rows written.

    Users go in chunks (each chunk one transaction), so each GROUP BY stays small whatever the table size.
    """
    if usernames is None:
        names = sorted(set(Log.all_objects.order_by().values_list("user_id", flat=True).distinct())
                       | set(LogSummary.objects.order_by().values_list("user_id", flat=True).distinct()))
    else:
        names = sorted(set(usernames))
    written = 0
    for k in range(0, len(names), REBUILD_USERS):
        chunk = Q(user_id__in=names[k:k + REBUILD_USERS])
        with transaction.atomic():
            LogSummary.objects.filter(chunk).delete()
            for period in PERIODS:
                _write_summaries(period, _summed_rows(period, chunk))
            written += LogSummary.objects.filter(chunk).count()
            invalidate(logs_only=True)
    return written
