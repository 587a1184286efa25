"""The write path of logs: every create, update and delete of a log goes through these services.

The per-user summaries (`LogSummary`) are refreshed by the model layer itself (`Log.save()`, `Log.delete()`,
`LogQuerySet.update()`/`delete()`), inside the write's transaction, so every path that writes logs through
the ORM (these services, the admin) keeps them exact. Bulk writers (`bulk_insert`: seed_demo, the legacy
importer) call `log_summaries_rebuild()` for what they wrote.
"""

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import TruncMonth, TruncYear
from django.utils import timezone

from comments.models import Comment
from logs.cached import invalidate
from logs.models import ExerciseType, Log, LogSummary
from users.models import User

# The `start` of a user's all-time summary rows.
ALL_TIME_START = date(1000, 1, 1)
# Each period is summed from the one before it: days from logs, months from days, years from months, all time
# from years, so refreshing one log's summaries reads a bounded number of rows whatever the history length.
PERIODS = (LogSummary.DAY, LogSummary.MONTH, LogSummary.YEAR, LogSummary.ALL)
SUMMARY_BATCH = 5000


@transaction.atomic
def log_create(
    *, author: User, date, type: ExerciseType | str, feel: int, first: str | None = None, last: str | None = None,
    name=None, location=None, distance=None, metric=None, time=None, description=None,
) -> Log:
    """Create `author`'s log; miles and pace are derived from distance, metric and time."""
    log = Log(
        user=author, first=author.first if first is None else first, last=author.last if last is None else last,
        name=name, location=location, date=date, feel=feel, description=description, time_created=timezone.now(),
    )
    log.type_id = type.pk if isinstance(type, ExerciseType) else type
    log.set_distance(distance, metric, time)
    log.full_clean()
    log.save()
    return log


# The columns an edit owns.
LOG_EDIT_FIELDS = ["name", "location", "date", "feel", "description", "type", "distance", "metric", "time", "miles",
                   "pace"]


@transaction.atomic
def log_update(
    *, log: Log, date, type: ExerciseType | str, feel: int, name=None, location=None, distance=None, metric=None,
    time=None, description=None,
) -> Log:
    """Replace what a client may change on `log`; the author and `time_created` never change."""
    log.name, log.location, log.date, log.feel, log.description = name, location, date, feel, description
    log.type_id = type.pk if isinstance(type, ExerciseType) else type
    log.set_distance(distance, metric, time)
    log.full_clean()
    # Only the columns an edit owns: a soft delete committed since the log was read stays (a full save would
    # write back the `deleted` the request read, and undelete it).
    log.save(update_fields=LOG_EDIT_FIELDS)
    return log


@transaction.atomic
def log_soft_delete(*, log: Log) -> None:
    """Soft delete `log` and its live comments, together."""
    Comment.objects.filter(log=log).soft_delete()
    log.soft_delete()


@transaction.atomic
def log_restore(*, log: Log) -> None:
    """Bring back a soft-deleted `log` (its comments stay as they are)."""
    log.deleted, log.deleted_date, log.deleted_user, log.deleted_app = False, None, None, None
    log.save(update_fields=["deleted", "deleted_date", "deleted_user", "deleted_app"])


@transaction.atomic
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


def _summed_rows(period: str, users: Q, starts: list[date] | None):
    """Summary rows of `period` recomputed from the period below it (logs for days), as value dicts."""
    sums = {"miles": Sum("miles"), "feel": Sum("feel"), "first": Max("first"), "last": Max("last")}
    if period == LogSummary.DAY:
        source = Log.objects.filter(users)
        if starts is not None:
            source = source.filter(date__in=starts)
        return source.order_by().values("user_id", "type_id", start=F("date")).annotate(
            logs=Count("log_id"), newest=Max("time_created"), **sums)
    below = PERIODS[PERIODS.index(period) - 1]
    source = LogSummary.objects.filter(users, period=below)
    if period == LogSummary.ALL:
        rows = source.order_by().values("user_id", "type_id")
    else:
        trunc = TruncMonth if period == LogSummary.MONTH else TruncYear
        if starts is not None:
            span = Q()
            for start in starts:
                end = start.replace(year=start.year + 1) if period == LogSummary.YEAR else (
                    start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1))
                span |= Q(start__gte=start, start__lt=end)
            source = source.filter(span)
        rows = source.order_by().values("user_id", "type_id", period_start=trunc("start"))
    return rows.annotate(logs=Sum("logs"), newest=Max("newest"), **sums)


def _write_summaries(period: str, rows) -> None:
    batch = []
    for row in rows.iterator(chunk_size=SUMMARY_BATCH) if hasattr(rows, "iterator") else rows:
        start = row.get("start") or row.get("period_start") or ALL_TIME_START
        if isinstance(start, str):  # SQLite's date truncation answers text
            start = date.fromisoformat(start[:10])
        elif hasattr(start, "date"):
            start = start.date()
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
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def summary_keys(rows) -> dict[str, set[date]]:
    """{username: {dates}} of (username, date) pairs."""
    keys: dict[str, set[date]] = {}
    for user_id, day in rows:
        keys.setdefault(user_id, set()).add(day)
    return keys


def lock_authors(usernames: Iterable[str]) -> None:
    """Lock the authors' user rows, in one order, until the transaction ends.

    Two writes of one author's summaries run one after the other: without it, two first logs of a day both
    find no row to delete and both insert one (a duplicate key), or one sums without the other's log.
    """
    names = sorted(set(usernames))
    if names:
        list(User.all_objects.select_for_update().filter(username__in=names).order_by("username")
             .values_list("pk", flat=True))


@transaction.atomic
def log_summaries_refresh_many(keys: dict[str, set[date]]) -> None:
    lock_authors(keys)
    for user_id in sorted(keys):
        log_summaries_refresh(user_id=user_id, dates=keys[user_id])


@transaction.atomic
def log_summaries_refresh(*, user_id: str, dates: Iterable[date | None]) -> None:
    """Recompute `user_id`'s summary rows of the days, months and years holding `dates` and of all time.

    Each period is summed from the rows of the period below it, so this reads a bounded number of rows.
    """
    days = sorted({_as_date(d) for d in dates if d is not None})
    if not days:
        return
    lock_authors([user_id])
    user = Q(user_id=user_id)
    for period in PERIODS:
        starts = sorted({period_start(period, d) for d in days})
        LogSummary.objects.filter(user, period=period, start__in=starts).delete()
        _write_summaries(period, _summed_rows(period, user, None if period == LogSummary.ALL else starts))
    invalidate()


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
                _write_summaries(period, _summed_rows(period, chunk, None))
            written += LogSummary.objects.filter(chunk).count()
            invalidate()
    return written
