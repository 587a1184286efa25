"""The summary engine: where every log write updates the log summaries (`LogSummary`), in one place.

`LogSummary` is a materialized table (a runner's logs summed per day, month, year and all time) that statistics,
leaderboards, range views and feed page counts read instead of the logs. It must never drift from the logs, so it
is kept in the transaction of every log write, whoever writes: the services (logs/services.py), the admin, a
queryset update in a shell, a data migration. Every such write goes through one protocol, `write_logs()`:

1. lock the authors the write touches (`saintsxctf.foundation.locks.lock_users`: their user rows, sorted, one statement);
2. write (the `save()`, `UPDATE`, `DELETE` or `INSERT` the caller asked for);
3. refresh the touched days, and the months, years and all time holding them, from the logs (`_refresh`); a
   create, which can only add to them, adds its values in one upsert instead (`_add`), and a delete or soft
   delete of one log takes its values out of its day row when that is exact (`_subtract`);
4. mark the cached aggregates stale (once per write).

The write hooks of `logs.models` (`Log.save()`, `delete()`, `soft_delete()`, and `LogQuerySet.update()`,
`delete()`, `bulk_create()`) are one-line calls to the functions below, which only say which (author, day, type)
keys a write touches. This is the project's one exception to "no logic in save()" (shared/STYLE.md rule 2): a
service alone could not keep the table exact, because the admin and any queryset write bypass services. The
models cannot import this module (it reads their models), so `LogsConfig.ready()` plugs it in as `Log.summaries`.

Bulk writers that go past the ORM (seed_demo, the legacy importer, `manage.py rebuild_summaries`) rebuild the
summaries of what they wrote instead, with the one set-based rebuild in SQL (logs/rebuild.py).
"""

from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import partial

from django.db import DEFAULT_DB_ALIAS, connection, connections, router, transaction
from django.db.models import CharField, Count, Exists, F, Func, Max, OuterRef, Q, Sum

from logs.models import SUMMARIZED_FIELDS, Log, LogSummary
from saintsxctf.foundation.locks import lock_users
from saintsxctf.foundation.models import rows_changed
from saintsxctf.foundation.prepared import PreparedQuery

# The `start` of a user's all-time summary rows.
ALL_TIME_START = date(1000, 1, 1)
# Each period is summed from the one before it: days from logs, months from days, years from months, all time
# from years, so refreshing one log's summaries reads a bounded number of rows whatever the history length.
PERIODS = (LogSummary.DAY, LogSummary.MONTH, LogSummary.YEAR, LogSummary.ALL)
# (author, day, type) of a log: the key of the day summary it counts in.
KEY_FIELDS = ("user_id", "date", "type_id")


# -- the protocol ---------------------------------------------------------------------------------------------
def write_logs(write: Callable, *, touched: Iterable[tuple], touched_after: Callable[[], Iterable[tuple]] | None = None,
               added: list[Log] | None = None, removed: int | None = None, using: str = DEFAULT_DB_ALIAS):
    """`write()` inside the protocol; returns what it returns.

    `touched`: the (author, day, type) keys the write changes, known before it (the rows as they were, and as
    they will be). A key with day None only names an author to lock (a queryset update that moves logs to
    another author). `touched_after()`: keys only known once the write ran (the rows a queryset update changed,
    as they are now); their authors must be among those of `touched`. `added`: when the write only inserts
    these logs (a create), their values are added to the summaries (`_add`) instead of recomputing the days.
    `removed`: when the write only takes this one log out of the live logs (a delete or a soft delete), its
    values are subtracted (`_subtract`) when that is exact, and its day is recomputed when it is not.
    """
    touched = list(touched)
    vendor = connections[using].vendor
    with transaction.atomic(using=using, savepoint=False):
        lock_users((user_id for user_id, _, _ in touched), using=using)
        # The removed log as it is now, under its author's lock (the caller's copy may be older than an edit).
        gone = REMOVED_LOG.rows(removed, using=using) if removed is not None and vendor in SUBTRACTING_VENDORS else None
        if gone and gone[0]["user_id"] not in {user_id for user_id, _, _ in touched}:
            # Moved to another author since the caller read it (the admin): lock them too, out of the sorted order
            # (a deadlock with a write moving logs between the two is broken by the database), and recompute both.
            lock_users([gone[0]["user_id"]], using=using)
            touched.append(log_key_of(gone[0]))
            gone = None
        result = write()
        if added is not None and vendor in UPSERT_SQL:
            changed = _add(added, using)
        elif gone is not None and (subtracted := _subtract(gone, using)) is not None:
            changed = subtracted
        else:
            if gone:
                touched.append(log_key_of(gone[0]))
            if touched_after is not None:
                touched += touched_after()
            keys = summary_keys(touched)
            changed = bool(keys)
            if keys:
                _refresh(keys)
        if changed:
            rows_changed.send(sender=LogSummary, using=using, fields=None)  # the cached aggregates (watched)
    return result


def log_key(log: Log) -> tuple:
    return log.user_id, log.date, log.type_id


def log_key_of(row: dict) -> tuple:
    return row["user_id"], row["date"], row["type_id"]


def _written_db(logs) -> str:
    """The database a write of `logs` (a log, or a queryset of logs) goes to, as Django's own write picks it: the
    router's write database (the primary, also for a row read from a replica), unless the queryset names one."""
    if isinstance(logs, Log):
        return router.db_for_write(Log, instance=logs)
    return logs._db or router.db_for_write(logs.model, **logs._hints)


def save(log: Log, write: Callable) -> None:
    """`Log.save()`: the author's old and new day (an edit can move a log to another day or type); a new log's
    values are added to its day's summaries."""
    using = _written_db(log)
    if log._state.adding:
        write_logs(write, touched=[log_key(log)], added=[log], using=using)
        return
    before = list(Log.all_objects.using(using).filter(pk=log.pk).values_list(*KEY_FIELDS))
    write_logs(write, touched=[*before, log_key(log)], using=using)


def delete(log: Log, write: Callable):
    """`Log.delete()` and `Log.soft_delete()`: the log's values are taken out of its day's summaries."""
    return write_logs(write, touched=[log_key(log)], removed=log.pk, using=_written_db(log))


def update(logs, changes: dict, write: Callable) -> int:
    """`LogQuerySet.update(**changes)`: the days of the rows as they were and as they are after the update."""
    if not SUMMARIZED_FIELDS & changes.keys():
        return write()
    using = _written_db(logs)
    rows = list(logs.using(using).order_by().values_list("pk", *KEY_FIELDS))
    touched = [key for _, *key in rows]
    new_author = changes.get("user_id", changes.get("user"))
    if new_author is not None:  # locked with the others, before the write
        touched.append((getattr(new_author, "username", new_author), None, None))
    after = Log.all_objects.using(using).filter(pk__in=[pk for pk, *_ in rows])
    return write_logs(write, touched=touched, touched_after=partial(after.values_list, *KEY_FIELDS), using=using)


def delete_many(logs, write: Callable):
    """`LogQuerySet.delete()`: the days of the deleted rows."""
    using = _written_db(logs)
    return write_logs(write, touched=logs.using(using).order_by().values_list(*KEY_FIELDS), using=using)


def create_many(logs, objs: list, options: dict, write: Callable):
    """`LogQuerySet.bulk_create(objs, **options)`: the new rows' values are added to their days' summaries
    (recomputed instead when a conflict option may have skipped or changed rows)."""
    plain = not (options.get("ignore_conflicts") or options.get("update_conflicts"))
    return write_logs(write, touched=[log_key(log) for log in objs], added=objs if plain else None,
                      using=_written_db(logs))


# -- summing ---------------------------------------------------------------------------------------------------
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


def _day_sums(users: Q):
    """The day rows of the live logs `users` selects, summed in SQL; a write sums the periods above them in Python
    (`_refresh`), the bulk rebuild sums every period in SQL (logs/rebuild.py)."""
    return Log.objects.filter(users).order_by().values("user_id", "type_id", start=F("date")).annotate(
        logs=Count("log_id"), newest=Max("time_created"), **SUMMARY_SUMS)


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


def _combined(rows: Iterable[dict]) -> dict:
    """The summary values of a period from the rows of the periods it is made of (`_add_values`)."""
    total = {"logs": 0, "miles": None, "feel": 0, "first": "", "last": "", "newest": None}
    for row in rows:
        _add_values(total, row)
    return total


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
ONE_DAY_SUMS = PreparedQuery(
    lambda user_id, day, type_id: _day_sums(Q(user_id=user_id, date__in=[day], type_id__in=[type_id])),
    3, markers=("\x00user\x00", _MARKER_DAYS[0], "\x00type\x00"))
ONE_DAY_STORED = PreparedQuery(
    lambda user_id, type_id, month, next_month, year, next_year: LogSummary.objects.filter(
        _scope(user_id, [type_id], [(LogSummary.DAY, month, next_month), (LogSummary.MONTH, year, next_year)]),
    ).values(*STORED_FIELDS),
    6, markers=("\x00user\x00", "\x00type\x00", *_MARKER_DAYS[1:]))


def _read_one_day(user_id: str, day: date, type_id: str) -> tuple[list[dict], list[dict]]:
    """(day sums, stored rows) of one author's one day of one type, as the general path reads them."""
    return ONE_DAY_SUMS.rows(user_id, day, type_id), _one_day_stored(user_id, day, type_id)


def _one_day_stored(user_id: str, day: date, type_id: str, using: str | None = None) -> list[dict]:
    """The stored rows a refresh of one author's one day of one type reads (`_stored_scope`)."""
    month, year = period_start(LogSummary.MONTH, day), period_start(LogSummary.YEAR, day)
    return ONE_DAY_STORED.rows(user_id, type_id, month, period_end(LogSummary.MONTH, month),
                               year, period_end(LogSummary.YEAR, year), using=using)


def _keyed(stored_rows: Iterable[dict], users: Iterable[str]) -> tuple[dict[str, dict[tuple, dict]], dict[tuple, int]]:
    """Stored rows as ({user: {(period, start, type): values}}, {(user, period, start, type): row id})."""
    stored: dict[str, dict[tuple, dict]] = {user_id: {} for user_id in users}
    ids: dict[tuple, int] = {}
    for row in stored_rows:
        key = (row["period"], _as_date(row["start"]), row["type_id"])
        stored[row["user_id"]][key] = {name: row[name] for name in SUMMARY_VALUES}
        ids[(row["user_id"], *key)] = row["id"]
    return stored, ids


REFRESH_USERS = 50


def _refresh(keys: dict[str, set[tuple[date, str]]]) -> None:
    """Recompute the summary rows of each user's (day, type) pairs (`summary_keys`), and of the months, years
    and all time holding them. The caller holds the users' locks (`write_logs`).

    Days are summed from the logs (one query), the rest in Python from the stored rows of the period below
    (one query), and only rows that changed are written (an upsert and, when rows vanish, a delete). Only the
    types written are read, so a write costs the same few queries and rows whatever the history length.
    """
    users = sorted(user_id for user_id, pairs in keys.items() if pairs)
    for k in range(0, len(users), REFRESH_USERS):
        _refresh_users({user_id: keys[user_id] for user_id in users[k:k + REFRESH_USERS]})


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
        day_rows = _day_sums(day_scope)
        stored_rows = LogSummary.objects.filter(stored_scope).values(*STORED_FIELDS)
    for row in day_rows:
        fresh[row["user_id"]][(LogSummary.DAY, _as_date(row["start"]), row["type_id"])] = {
            "logs": row["logs"], "miles": row["miles"], "feel": int(row["feel"] or 0),
            "first": row["first"] or "", "last": row["last"] or "", "newest": row["newest"],
        }
    stored, ids = _keyed(stored_rows, keys)
    _write_rows({user_id: _refreshed(stored[user_id], fresh[user_id], days[user_id]) for user_id in keys},
                stored, ids, connection)


def _write_rows(refreshed: dict[str, dict[tuple, dict]], stored: dict[str, dict[tuple, dict]], ids: dict[tuple, int],
                db) -> None:
    """Write each user's `refreshed` rows ({user: {(period, start, type): values}}) over their `stored` ones
    (`_keyed`): an upsert of the rows that changed, a delete of the rows that vanished."""
    changed, vanished = {}, []
    for user_id, rows in refreshed.items():
        changed.update({(key[0], user_id, key[1], key[2]): row for key, row in rows.items()
                        if stored[user_id].get(key) != row})
        vanished += [ids[(user_id, *key)] for key in stored[user_id].keys() - rows.keys()]
    if vanished:
        LogSummary.objects.using(db.alias).filter(id__in=vanished).delete()
    if not changed:
        return
    if db.vendor in REPLACE_SQL:
        _upsert(db, changed, REPLACE_SQL[db.vendor])
        return
    target = ["period", "user", "start", "type"] if db.features.supports_update_conflicts_with_target else None
    LogSummary.objects.using(db.alias).bulk_create(
        [LogSummary(period=period, user_id=user_id, start=start, type_id=type_id, **row)
         for (period, user_id, start, type_id), row in changed.items()],
        update_conflicts=True, unique_fields=target, update_fields=list(SUMMARY_VALUES))


# -- one upsert of summary rows ---------------------------------------------------------------------------------
# Written past the ORM: `bulk_create(update_conflicts=True)` builds a model per row and compiles its statement on
# every call, inside the author's lock; the statement here is built once per (database, row count). Per backend:
# MySQL/MariaDB and SQLite (another backend goes through the ORM). `REPLACE_SQL` sets a row's values (a refresh,
# a subtraction); `UPSERT_SQL` (below) adds to them (a create).
_UPSERT_COLUMNS = ("period", "user", "start", "type", "logs", "miles", "feel", "first", "last", "newest")
REPLACE_SQL = {
    "mysql": "ON DUPLICATE KEY UPDATE " + ", ".join(
        f"{{{name}}} = VALUES({{{name}}})" for name in SUMMARY_VALUES),
    "sqlite": "ON CONFLICT ({period}, {user}, {start}, {type}) DO UPDATE SET " + ", ".join(
        f"{{{name}}} = excluded.{{{name}}}" for name in SUMMARY_VALUES),
}
UPSERT_BATCH = 1000
KEPT_UPSERT_ROWS = 8  # a one-log write upserts 4 rows (day, month, year, all time); an edit that moves it, 8
_upsert_sql: dict[tuple, str] = {}


def _upsert(db, rows: dict[tuple, dict], on_conflict: str) -> None:
    """INSERT the summary `rows` ({(period, user, start, type): values}) in batches, in one order of row locks for
    every writer; a row that exists is resolved by `on_conflict` (`REPLACE_SQL` or `UPSERT_SQL` of the backend)."""
    fields = [LogSummary._meta.get_field(name) for name in _UPSERT_COLUMNS]
    items = sorted(rows.items())
    with db.cursor() as cursor:
        for k in range(0, len(items), UPSERT_BATCH):
            batch = items[k:k + UPSERT_BATCH]
            params = []
            for key, values in batch:
                for field, value in zip(fields, (*key, *(values[name] for name in SUMMARY_VALUES)), strict=True):
                    params.append(field.get_db_prep_save(value, db))
            cursor.execute(_upsert_statement(db, fields, len(batch), on_conflict), params)


def _upsert_statement(db, fields: list, count: int, on_conflict: str) -> str:
    """The statement of `count` rows; kept for the few row counts of a one-log write."""
    key = (db.alias, count, on_conflict)
    sql = _upsert_sql.get(key)
    if sql is None:
        names = {name: db.ops.quote_name(field.column) for name, field in zip(_UPSERT_COLUMNS, fields, strict=True)}
        placeholder = f"({', '.join(['%s'] * len(fields))})"
        sql = (f"INSERT INTO {db.ops.quote_name(LogSummary._meta.db_table)} ({', '.join(names.values())}) VALUES "
               f"{', '.join([placeholder] * count)} {on_conflict.format(**names)}")
        if count <= KEPT_UPSERT_ROWS:
            _upsert_sql[key] = sql
    return sql


# -- adding new logs (deltas) -------------------------------------------------------------------------------------
# A create only adds to its day, month, year and all-time rows: logs + 1, miles + miles, feel + feel, the larger of
# the names and times. One upsert of those four rows, under the author's lock, replaces the two reads and the
# Python of a recomputation (`_refresh`). A removal is taken out by `_subtract` below, an edit recomputes. Per
# backend: MySQL/MariaDB and SQLite (another backend recomputes).
UPSERT_SQL = {
    "mysql": ("ON DUPLICATE KEY UPDATE {logs} = {logs} + VALUES({logs}), "
              "{miles} = CASE WHEN VALUES({miles}) IS NULL THEN {miles} WHEN {miles} IS NULL THEN VALUES({miles}) "
              "ELSE {miles} + VALUES({miles}) END, {feel} = {feel} + VALUES({feel}), "
              "{first} = GREATEST({first}, VALUES({first})), {last} = GREATEST({last}, VALUES({last})), "
              "{newest} = CASE WHEN VALUES({newest}) IS NULL THEN {newest} WHEN {newest} IS NULL THEN VALUES({newest}) "
              "ELSE GREATEST({newest}, VALUES({newest})) END"),
    "sqlite": ("ON CONFLICT ({period}, {user}, {start}, {type}) DO UPDATE SET {logs} = {logs} + excluded.{logs}, "
               "{miles} = CASE WHEN excluded.{miles} IS NULL THEN {miles} WHEN {miles} IS NULL THEN excluded.{miles} "
               "ELSE {miles} + excluded.{miles} END, {feel} = {feel} + excluded.{feel}, "
               "{first} = max({first}, excluded.{first}), {last} = max({last}, excluded.{last}), "
               "{newest} = CASE WHEN excluded.{newest} IS NULL THEN {newest} WHEN {newest} IS NULL THEN excluded.{newest} "
               "ELSE max({newest}, excluded.{newest}) END"),
}


def _add(logs: Iterable[Log], using: str) -> bool:
    """Add the live `logs` (just inserted) to their summary rows; whether any row changed."""
    rows: dict[tuple, dict] = {}
    for log in logs:
        if log.deleted:
            continue
        day = _as_date(log.date)
        for period in PERIODS:
            row = rows.setdefault((period, log.user_id, period_start(period, day), log.type_id), {
                "logs": 0, "miles": None, "feel": 0, "first": "", "last": "", "newest": None})
            _add_values(row, {"logs": 1, "miles": log.miles, "feel": log.feel, "first": log.first or "",
                              "last": log.last or "", "newest": log.time_created})
    if not rows:
        return False
    db = connections[using]
    _upsert(db, rows, UPSERT_SQL[db.vendor])
    return True


def _add_values(row: dict, log: dict) -> None:
    """Add one log's (or row's) values to a summary row (SUM, MAX; null miles stay null unless some has miles)."""
    row["logs"] += log["logs"]
    row["feel"] += log["feel"]
    if log["miles"] is not None:
        row["miles"] = log["miles"] if row["miles"] is None else row["miles"] + log["miles"]
    row["first"], row["last"] = max(row["first"], log["first"]), max(row["last"], log["last"])
    if log["newest"] is not None and (row["newest"] is None or log["newest"] > row["newest"]):
        row["newest"] = log["newest"]


# -- taking one log out (deltas) ------------------------------------------------------------------------------
# A delete or soft delete of one live log reads the stored rows a one-day refresh reads (`ONE_DAY_STORED`) and takes
# the log out of its day row instead of summing the day's logs again: logs - 1, feel - feel, miles - miles, and a
# day row whose last log it was vanishes. A MAX cannot be subtracted: when the log ties the day's first name, last
# name or newest time (or its miles leave nothing), another live log of that day and type must hold the same value.
# The read of the removed log asks that of each value in the same round trip (`REMOVED_LOG`): each EXISTS stops at
# its first row, and a day holds a runner's few logs of a type. Months, years and all time are then summed from the
# rows below, as a refresh does (`_refreshed`). A value no other log holds, or a missing day row, recomputes the day
# from the logs (`_refresh`). Per backend: MySQL/MariaDB and SQLite (another backend recomputes).
SUBTRACTING_VENDORS = ("mysql", "sqlite")


class Bytes(Func):
    """A text compared byte for byte (a case or accent variant of a name is another value for MAX): BINARY on
    MySQL/MariaDB, whose collations compare without case; SQLite's default collation already compares bytes."""

    template = "%(expressions)s"
    output_field = CharField()

    def as_mysql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="BINARY %(expressions)s", **extra_context)


def _removed_log(log_id):
    """The removed log's summarized values, and whether another live log of its author, day and type holds its
    first name, its last name, a time created as new or newer (`others_*`), and any miles."""
    def others():
        return Log.objects.filter(user=OuterRef("user"), date=OuterRef("date"), type=OuterRef("type")).exclude(
            pk=OuterRef("pk"))
    return Log.all_objects.filter(pk=log_id).values(
        "log_id", "user_id", "date", "type_id", "deleted", "miles", "feel", "first", "last", "time_created",
    ).annotate(
        others_first=Exists(others().annotate(held=Bytes("first")).filter(held=Bytes(OuterRef("first")))),
        others_last=Exists(others().annotate(held=Bytes("last")).filter(held=Bytes(OuterRef("last")))),
        others_time_created=Exists(others().filter(time_created__gte=OuterRef("time_created"))),
        others_miles=Exists(others().filter(miles__isnull=False)),
    )


REMOVED_LOG = PreparedQuery(_removed_log, 1, markers=(-1001,))
# Miles left on a day row at or below this are rounding left by subtractions: whether any log still has miles
# (the row's miles are null when none has) is asked of the logs.
MILES_EPSILON = 1e-6


def _subtract(gone: list[dict], using: str) -> bool | None:
    """Take the removed log (`gone`: its `REMOVED_LOG` row before the write, or none) out of its summaries; whether
    a row changed, or None when the day must be recomputed from the logs."""
    if not gone or gone[0]["deleted"]:
        return False  # not a live log: the summaries do not count it
    log = gone[0]
    user_id, day, type_id = log["user_id"], _as_date(log["date"]), log["type_id"]
    all_stored, ids = _keyed(_one_day_stored(user_id, day, type_id, using=using), [user_id])
    stored = all_stored[user_id]
    day_key = (LogSummary.DAY, day, type_id)
    row = stored.get(day_key)
    if row is None or (log["miles"] is not None and row["miles"] is None):
        return None  # the stored rows do not count this log as they should: recompute them
    fresh = {}
    if row["logs"] > 1:
        fresh_row = {**row, "logs": row["logs"] - 1, "feel": row["feel"] - log["feel"]}
        # A MAX the log holds must be held by another log too.
        tied = [name for name in ("first", "last") if log[name] == row[name]]
        if log["time_created"] is not None and log["time_created"] == row["newest"]:
            tied.append("time_created")
        if not all(log[f"others_{name}"] for name in tied):
            return None
        if log["miles"] is not None:
            fresh_row["miles"] = row["miles"] - log["miles"]
            if fresh_row["miles"] <= MILES_EPSILON and not log["others_miles"]:
                fresh_row["miles"] = None
        fresh[day_key] = fresh_row
    _write_rows({user_id: _refreshed(stored, fresh, {day})}, all_stored, ids, connections[using])
    return True
