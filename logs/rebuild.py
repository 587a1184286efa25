"""The summary rebuild in SQL: every `LogSummary` row of some users (or everyone) from the logs, set-based.

Bulk writers (the legacy importer, seed_demo; `manage.py rebuild_summaries` repairs) put logs in past the model
layer and rebuild the summaries afterwards, all with this one rebuild. Summing in the ORM and writing the rows back
from Python moved every summary row through Python twice (the rebuild of a 1M-log import took longer than copying
the logs). Here each period is one `INSERT ... SELECT ... GROUP BY` per
chunk of users, executed by the database: days from the live logs, months from the days, years from the months,
all time from the years — the same sums as the write path's (`SUM` of logs, miles and feel, `MAX` of names and
of `time_created`; a period with no miles keeps a null `miles`, missing names and feel become "" and 0), which
`logs/tests/test_summaries.py` checks against a recomputation in Python.
"""

from collections.abc import Iterable

from django.db import connection, transaction

from logs.models import Log, LogSummary
from saintsxctf.foundation.models import rows_changed

# The `start` of a user's all-time rows (logs.summaries.ALL_TIME_START).
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


def _statements(users_sql: str | None) -> list[str]:
    """The four INSERT ... SELECTs (days, months, years, all time), for the users `users_sql` selects (everyone
    when None: on MariaDB, then, each reads its whole table in key order and groups by sorting, hints below)."""
    q = connection.ops.quote_name
    summary, logs = q(LogSummary._meta.db_table), q(Log._meta.db_table)
    f = {name: q(LogSummary._meta.get_field(name).column) for name in
         ("period", "user", "start", "type", "logs", "miles", "feel", "first", "last", "newest")}
    g = {name: q(Log._meta.get_field(name).column) for name in
         ("user", "date", "type", "miles", "feel", "first", "last", "time_created", "deleted")}
    # Everyone's rows on MariaDB: a scan of the clustered index, not of a secondary one with a lookup of each row
    # at random, and groups formed by a sort, not in an in-memory table (30 s instead of 5 s for 850k day groups
    # of 1M logs).
    whole = users_sql is None and connection.vendor == "mysql"
    big, scan = ("SQL_BIG_RESULT ", " FORCE INDEX (PRIMARY)") if whole else ("", "")

    def of_users(column: str) -> str:
        return "" if users_sql is None else f" AND {column} IN ({users_sql})"

    into = (f"INSERT INTO {summary} ({f['period']}, {f['user']}, {f['start']}, {f['type']}, {f['logs']}, "
            f"{f['miles']}, {f['feel']}, {f['first']}, {f['last']}, {f['newest']}) ")
    days = (
        f"{into}SELECT {big}'{LogSummary.DAY}', {g['user']}, {g['date']}, {g['type']}, COUNT(*), SUM({g['miles']}), "
        f"COALESCE(SUM({g['feel']}), 0), COALESCE(MAX({g['first']}), ''), COALESCE(MAX({g['last']}), ''), "
        f"MAX({g['time_created']}) FROM {logs}{scan} WHERE {g['deleted']} = %s{of_users(g['user'])} "
        f"GROUP BY {g['user']}, {g['date']}, {g['type']}"
    )

    def above(period: str, below: str, start: str) -> str:
        return (
            f"{into}SELECT {big}'{period}', {f['user']}, {start}, {f['type']}, SUM({f['logs']}), SUM({f['miles']}), "
            f"SUM({f['feel']}), MAX({f['first']}), MAX({f['last']}), MAX({f['newest']}) FROM {summary}{scan} "
            f"WHERE {f['period']} = '{below}'{of_users(f['user'])} "
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
    written. Users go in chunks of `REBUILD_USERS`, each chunk one transaction (delete, then insert); on
    MariaDB, everyone's rows are rebuilt in one transaction, one statement per period."""
    q = connection.ops.quote_name
    summary, logs = q(LogSummary._meta.db_table), q(Log._meta.db_table)
    log_user, summary_user = q(Log._meta.get_field("user").column), q(LogSummary._meta.get_field("user").column)
    if usernames is None and connection.vendor == "mysql":
        chunks = [None]  # everyone at once: one pass over each table (the importer's rebuild of a whole database)
    else:
        if usernames is None:
            with connection.cursor() as cur:
                cur.execute(f"SELECT DISTINCT {log_user} FROM {logs} UNION "
                            f"SELECT DISTINCT {summary_user} FROM {summary}")
                names = sorted(row[0] for row in cur.fetchall())
        else:
            names = sorted(set(usernames))
        chunks = [names[k:k + REBUILD_USERS] for k in range(0, len(names), REBUILD_USERS)]
    written = 0
    for chunk in chunks:
        users_sql = None if chunk is None else ", ".join(["%s"] * len(chunk))
        with transaction.atomic(), connection.cursor() as cur:
            if chunk is None:
                cur.execute(f"DELETE FROM {summary}")
            else:
                cur.execute(f"DELETE FROM {summary} WHERE {summary_user} IN ({users_sql})", chunk)
            for n, statement in enumerate(_statements(users_sql)):
                cur.execute(statement, ([False] if n == 0 else []) + (chunk or []))
                written += cur.rowcount
    rows_changed.send(sender=LogSummary, using=connection.alias, fields=None)  # the cached aggregates
    return written
