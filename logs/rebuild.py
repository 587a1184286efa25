"""The summary rebuild in SQL: every `LogSummary` row of some users (or everyone) from the logs, set-based.

Bulk writers (the legacy importer) put logs in past the model layer and rebuild the summaries afterwards. Summing
in the ORM and writing the rows back from Python moved every summary row through Python twice (the rebuild of a
1M-log import took longer than copying the logs). Here each period is one `INSERT ... SELECT ... GROUP BY` per
chunk of users, executed by the database: days from the live logs, months from the days, years from the months,
all time from the years — the same sums as the write path's (`SUM` of logs, miles and feel, `MAX` of names and
of `time_created`; a period with no miles keeps a null `miles`, missing names and feel become "" and 0), which
`logs/tests/test_summaries.py` checks against a recomputation in Python.
"""

from collections.abc import Iterable

from django.db import connection, transaction

from logs.cached import invalidate
from logs.models import Log, LogSummary

# The `start` of a user's all-time rows (logs.services.ALL_TIME_START).
ALL_TIME_START = "1000-01-01"
# Users per transaction: each chunk's statements read and write a bounded part of the tables.
REBUILD_USERS = 100


def _month_start(column: str) -> str:
    if connection.vendor == "sqlite":
        return f"date({column}, 'start of month')"
    return f"({column} - INTERVAL (DAYOFMONTH({column}) - 1) DAY)"


def _year_start(column: str) -> str:
    if connection.vendor == "sqlite":
        return f"date({column}, 'start of year')"
    return f"MAKEDATE(YEAR({column}), 1)"


def _statements(users_sql: str) -> list[str]:
    """The four INSERT ... SELECTs (days, months, years, all time), for the users `users_sql` selects."""
    q = connection.ops.quote_name
    summary, logs = q(LogSummary._meta.db_table), q(Log._meta.db_table)
    f = {name: q(LogSummary._meta.get_field(name).column) for name in
         ("period", "user", "start", "type", "logs", "miles", "feel", "first", "last", "newest")}
    g = {name: q(Log._meta.get_field(name).column) for name in
         ("user", "date", "type", "miles", "feel", "first", "last", "time_created", "deleted")}
    into = (f"INSERT INTO {summary} ({f['period']}, {f['user']}, {f['start']}, {f['type']}, {f['logs']}, "
            f"{f['miles']}, {f['feel']}, {f['first']}, {f['last']}, {f['newest']}) ")
    days = (
        f"{into}SELECT '{LogSummary.DAY}', {g['user']}, {g['date']}, {g['type']}, COUNT(*), SUM({g['miles']}), "
        f"COALESCE(SUM({g['feel']}), 0), COALESCE(MAX({g['first']}), ''), COALESCE(MAX({g['last']}), ''), "
        f"MAX({g['time_created']}) FROM {logs} WHERE {g['deleted']} = %s AND {g['user']} IN ({users_sql}) "
        f"GROUP BY {g['user']}, {g['date']}, {g['type']}"
    )

    def above(period: str, below: str, start: str) -> str:
        return (
            f"{into}SELECT '{period}', {f['user']}, {start}, {f['type']}, SUM({f['logs']}), SUM({f['miles']}), "
            f"SUM({f['feel']}), MAX({f['first']}), MAX({f['last']}), MAX({f['newest']}) FROM {summary} "
            f"WHERE {f['period']} = '{below}' AND {f['user']} IN ({users_sql}) "
            f"GROUP BY {f['user']}, {start}, {f['type']}"
        )

    return [
        days,
        above(LogSummary.MONTH, LogSummary.DAY, _month_start(f["start"])),
        above(LogSummary.YEAR, LogSummary.MONTH, _year_start(f["start"])),
        above(LogSummary.ALL, LogSummary.YEAR, f"'{ALL_TIME_START}'"),
    ]


def rebuild_summaries(*, usernames: Iterable[str] | None = None) -> int:
    """Recompute every summary row (of `usernames` only, when given) from the logs, in SQL; returns the rows
    written. Users go in chunks of `REBUILD_USERS`, each chunk one transaction (delete, then insert)."""
    q = connection.ops.quote_name
    summary, logs = q(LogSummary._meta.db_table), q(Log._meta.db_table)
    log_user, summary_user = q(Log._meta.get_field("user").column), q(LogSummary._meta.get_field("user").column)
    if usernames is None:
        with connection.cursor() as cur:
            cur.execute(f"SELECT DISTINCT {log_user} FROM {logs} UNION SELECT DISTINCT {summary_user} FROM {summary}")
            names = sorted(row[0] for row in cur.fetchall())
    else:
        names = sorted(set(usernames))
    written = 0
    for k in range(0, len(names), REBUILD_USERS):
        chunk = names[k:k + REBUILD_USERS]
        users_sql = ", ".join(["%s"] * len(chunk))
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"DELETE FROM {summary} WHERE {summary_user} IN ({users_sql})", chunk)
            for n, statement in enumerate(_statements(users_sql)):
                cur.execute(statement, ([False] if n == 0 else []) + chunk)
                written += cur.rowcount
    invalidate(logs_only=True)
    return written
