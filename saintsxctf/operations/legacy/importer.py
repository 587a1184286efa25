"""Copy a legacy SaintsXCTF MySQL database into ours: batched, idempotent, resumable, with a report.

Two paths, one result. When the legacy database is on our own MariaDB server, each table with a key is copied
by the server, one `INSERT ... SELECT` across the two schemas per range of `chunk_size` keys, each in its own
transaction (sqlcopy.py); the rows that copy cannot take as they are (rows to fix, rows that break our rules)
are then read and put through the per-row path below. Otherwise (another server, SQLite here, or `set_based`
False), each table is read in batches (keyset pagination on its key, or a server-side cursor for the two tables
that have none) and written with one multi-row INSERT per batch, in its own transaction. Either way an
interrupted run keeps every finished chunk or batch. Rows already present (by legacy id or natural key) are skipped, never updated: a rerun adds
nothing and changes nothing (nor undoes what happened since, such as a password hash upgraded at sign-in).
Legacy ids, usernames, raw `$2a$`/`$2b$` bcrypt hashes, soft-delete flags and audit columns are kept as they are.
Rows that break our rules are rejected with the row's id and the reason, and the run goes on.
"""

import threading
import time
from contextlib import closing
from dataclasses import dataclass, field
from urllib.parse import unquote, urlparse

import MySQLdb
import MySQLdb.cursors
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction

from logs.models import Log
from logs.rebuild import rebuild_summaries
from saintsxctf.foundation.bulk import bulk_insert
from saintsxctf.foundation.models import rows_changed
from saintsxctf.operations.legacy.mapping import TABLES, TableMap
from saintsxctf.operations.legacy.sqlcopy import CopyPlan, copy_session, plan_for, references_checked

BATCH_SIZE = 5000
CHUNK_SIZE = 100_000  # legacy keys per INSERT ... SELECT (and per transaction) on a shared server
POSITIVE_FIELDS = (models.PositiveIntegerField, models.PositiveSmallIntegerField, models.PositiveBigIntegerField)


@dataclass
class Rejection:
    table: str
    key: object
    reason: str


@dataclass
class TableResult:
    table: str
    legacy: int = 0
    inserted: int = 0
    present: int = 0
    rejected: int = 0
    seconds: float = 0.0

    @property
    def imported(self) -> int:
        """Legacy rows that are in our database now (written by this run or an earlier one)."""
        return self.inserted + self.present


@dataclass
class ImportReport:
    tables: list[TableResult] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    missing_tables: list[str] = field(default_factory=list)
    summary_rows: int = 0
    summary_seconds: float = 0.0

    @property
    def counts_match(self) -> bool:
        return all(t.legacy == t.imported for t in self.tables)

    @property
    def inserted(self) -> int:
        return sum(t.inserted for t in self.tables)

    def result(self, table: str) -> TableResult:
        return next(t for t in self.tables if t.table == table)

    def summary(self) -> str:
        """The final table: legacy vs imported row counts per table."""
        head = f"{'table':<16}{'legacy':>10}{'imported':>10}{'new':>10}{'rejected':>10}  "
        lines = [head, "-" * len(head)]
        for t in self.tables:
            flag = "ok" if t.legacy == t.imported else "MISMATCH"
            lines.append(f"{t.table:<16}{t.legacy:>10}{t.imported:>10}{t.inserted:>10}{t.rejected:>10}  {flag}")
        if self.missing_tables:
            lines.append(f"Missing from the legacy database (nothing to import): {', '.join(self.missing_tables)}")
        lines.append("Counts match." if self.counts_match else
                     f"Counts differ: {len(self.rejections)} row(s) rejected (listed above by id).")
        return "\n".join(lines)


def rate(rows: int, seconds: float) -> str:
    return f", {rows / seconds:,.0f} rows/s" if seconds > 0 and rows else ""


def shared_schema(conn) -> tuple[str, str] | None:
    """(the legacy database's name, ours) when it is on the server our own MariaDB connection talks to."""
    if connection.vendor != "mysql":
        return None
    probe = "SELECT @@hostname, @@port, @@datadir, @@version, DATABASE()"
    with closing(conn.cursor()) as cur:
        cur.execute(probe)
        theirs = cur.fetchone()
    with connection.cursor() as cur:
        cur.execute(probe)
        ours = cur.fetchone()
    return (theirs[4], ours[4]) if theirs[:4] == ours[:4] else None


def connect_legacy(url: str):
    """A MySQLdb connection from `mysql://user:pass@host:port/dbname`."""
    parts = urlparse(url)
    if parts.scheme not in ("mysql", "mariadb") or not parts.path.strip("/"):
        raise ValueError(f"not a mysql://user:pass@host:port/dbname URL: {url!r}")
    return MySQLdb.connect(
        host=parts.hostname or "127.0.0.1", port=parts.port or 3306, user=unquote(parts.username or "root"),
        passwd=unquote(parts.password or ""), db=parts.path.strip("/"), charset="utf8mb4", use_unicode=True,
    )


class LegacyImporter:
    """Import every mapped table from the legacy database at `source` (a URL or an open MySQLdb connection)."""

    def __init__(self, source, *, out=None, batch_size: int = BATCH_SIZE, verbosity: int = 1, tables=None,
                 set_based: bool | None = None, chunk_size: int = CHUNK_SIZE):
        """`set_based`: None copies in SQL when the legacy database is on our server, False never does, True
        insists (a ValueError when it cannot)."""
        self.source = source
        self.out = out
        self.batch_size = batch_size
        self.set_based = set_based
        self.chunk_size = chunk_size
        self.verbosity = verbosity
        self.maps = [m for m in TABLES if tables is None or m.table in tables]
        self.report = ImportReport()

    # -- output ------------------------------------------------------------------------------------------
    def say(self, text: str, level: int = 1):
        if self.out is not None and self.verbosity >= level:
            self.out.write(text)

    # -- the run -----------------------------------------------------------------------------------------
    def run(self) -> ImportReport:
        conn = connect_legacy(self.source) if isinstance(self.source, str) else self.source
        try:
            schema = None if self.set_based is False else shared_schema(conn)
            if self.set_based and schema is None:
                raise ValueError("the legacy database is not on this database server: it cannot be copied in SQL")
            self.say("Copying in SQL on the shared database server." if schema else "Streaming rows in batches.")
            rebuild = None
            for table_map in self.maps:
                self.import_table(conn, table_map, schema)
                if table_map.model is Log and self.rebuild_alongside():
                    # The logs are all in: their summaries are rebuilt on a second connection while the tables
                    # after them (comments, notifications) are copied on this one.
                    rebuild = Alongside(self.rebuild_summaries)
        finally:
            if isinstance(self.source, str):
                conn.close()
        self.reset_sequences()
        if rebuild is not None:
            rebuild.result()
        elif any(table_map.model is Log for table_map in self.maps):
            self.rebuild_summaries()
        return self.report

    @staticmethod
    def rebuild_alongside() -> bool:
        """Whether the summaries may be rebuilt on another connection: on MariaDB (SQLite has one writer), and
        not inside a caller's transaction (another connection would not see its rows)."""
        return connection.vendor == "mysql" and not connection.in_atomic_block

    def rebuild_summaries(self):
        """Logs went in with bulk inserts and copies, past the summary engine (logs/summaries.py): rebuild."""
        started = time.monotonic()
        rows = rebuild_summaries()
        seconds = time.monotonic() - started
        self.report.summary_rows, self.report.summary_seconds = rows, seconds
        self.say(f"summaries: {rows} rows in {seconds:.1f}s{rate(rows, seconds)}")

    def import_table(self, conn, table_map: TableMap, schema: tuple[str, str] | None = None):
        columns = self.legacy_columns(conn, table_map.table)
        if columns is None:
            self.report.missing_tables.append(table_map.table)
            self.say(f"{table_map.table}: not in the legacy database, skipped")
            return
        result = TableResult(table_map.table)
        self.report.tables.append(result)
        cur = conn.cursor()
        cur.execute(f"SELECT COUNT(*) FROM `{table_map.table}`")
        result.legacy = cur.fetchone()[0]
        cur.close()
        started = time.monotonic()
        fields = table_map.fields()
        selected = [(f, table_map.column_for(f)) for f in fields if table_map.column_for(f) in columns]
        plan = plan_for(table_map, *schema, columns) if schema else None
        if plan is not None and self.readable(plan):
            with copy_session():
                self.copy_in_sql(conn, plan, selected, result)
        else:
            for rows in self.batches(conn, table_map, [column for _, column in selected]):
                self.write_batch(table_map, selected, rows, result)
                self.progress(result)
        result.seconds = time.monotonic() - started
        self.say(f"{table_map.table}: {result.imported}/{result.legacy} imported ({result.inserted} new, "
                 f"{result.rejected} rejected) in {result.seconds:.1f}s{rate(result.legacy, result.seconds)}")

    def progress(self, result: TableResult, done: int | None = None):
        done = result.imported + result.rejected if done is None else done
        self.say(f"{result.table}: {done}/{result.legacy} ({result.inserted} new, {result.rejected} rejected)",
                 level=2)

    @staticmethod
    def legacy_columns(conn, table: str) -> dict[str, str] | None:
        """{column: data type} of the legacy `table`, or None when it has none."""
        cur = conn.cursor()
        cur.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = DATABASE() "
                    "AND table_name = %s", [table])
        columns = {name.lower(): data_type.lower() for name, data_type in cur.fetchall()}
        cur.close()
        return columns or None

    def batches(self, conn, table_map: TableMap, columns: list[str]):
        """Yield lists of row dicts, `batch_size` at a time."""
        select = ", ".join(f"`{c}`" for c in columns)
        if table_map.key is None:
            # No key to page on: stream the table through a server-side cursor.
            cur = conn.cursor(MySQLdb.cursors.SSDictCursor)
            cur.execute(f"SELECT {select} FROM `{table_map.table}`")
            try:
                while rows := cur.fetchmany(self.batch_size):
                    yield list(rows)
            finally:
                cur.close()
            return
        key, last = table_map.key, None
        cur = conn.cursor(MySQLdb.cursors.DictCursor)
        try:
            while True:
                where = "" if last is None else f"WHERE `{key}` > %s "
                cur.execute(f"SELECT {select} FROM `{table_map.table}` {where}ORDER BY `{key}` LIMIT %s",
                            ([] if last is None else [last]) + [self.batch_size])
                rows = list(cur.fetchall())
                if not rows:
                    return
                yield rows
                last = rows[-1][key]
        finally:
            cur.close()

    # -- the set-based path ------------------------------------------------------------------------------
    @staticmethod
    def readable(plan: CopyPlan) -> bool:
        """Whether our connection may read the legacy table (same server, but perhaps not the same grants)."""
        try:
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(f"SELECT 1 FROM {plan.source} LIMIT 0")
        except DatabaseError:
            return False
        return True

    def copy_in_sql(self, conn, plan: CopyPlan, selected, result: TableResult):
        """Copy the table in key ranges of `chunk_size`, one INSERT ... SELECT and one transaction each, each
        followed by the range's legacy rows still missing, through the per-row path (fixed, or rejected with
        the reason)."""
        table_map = plan.table_map
        columns = [column for _, column in selected]
        key, last, done = table_map.key, None, 0
        with closing(conn.cursor()) as cur:
            while True:
                above = "" if last is None else f"WHERE `{key}` > %s "
                cur.execute(f"SELECT `{key}` FROM `{table_map.table}` {above}ORDER BY `{key}` LIMIT 1 OFFSET %s",
                            ([] if last is None else [last]) + [self.chunk_size - 1])
                row = cur.fetchone()
                upper = None if row is None else row[0]
                bounds, bound_params = [], []
                if last is not None:
                    bounds.append(f"s.`{key}` > %s")
                    bound_params.append(last)
                if upper is not None:
                    bounds.append(f"s.`{key}` <= %s")
                    bound_params.append(upper)
                where = " AND ".join(bounds) or "TRUE"
                try:
                    result.inserted += self.copy_chunk(plan, where, bound_params)
                except DatabaseError as exc:
                    # Some row the checks let through was refused (and with it the whole statement): the whole
                    # range goes through the per-row path below, which names the row and keeps the others.
                    self.say(f"{table_map.table}: copy of a key range refused ({exc}); going row by row")
                # The rows of the range the copy left: to fix (a log without miles or pace) or to reject.
                for rows in self.missing_rows(conn, plan, columns, where, bound_params):
                    self.write_batch(table_map, selected, rows, result)
                done = min(done + self.chunk_size, result.legacy)
                self.progress(result, done)
                if upper is None:
                    break
                last = upper
        with connection.cursor() as cur:
            cur.execute(f"SELECT COUNT(*) FROM {plan.source} s WHERE NOT {plan.absent}")
            imported = cur.fetchone()[0]
        result.present = imported - result.inserted

    def missing_rows(self, conn, plan: CopyPlan, columns: list[str], where: str = "TRUE", params=()):
        """Yield the legacy rows matching `where` that are not in our table, as row dicts, `batch_size` at a time.

        The keys are found through our connection, which sees its own writes (a caller's open transaction
        included); the rows are read through the legacy connection, whose types the per-row path expects.
        """
        key = plan.table_map.key
        with connection.cursor() as cur:
            cur.execute(f"SELECT {plan.key} FROM {plan.source} s WHERE ({where}) AND {plan.absent} ORDER BY {plan.key}",
                        list(params))
            keys = [row[0] for row in cur.fetchall()]
        select = ", ".join(f"`{c}`" for c in columns)
        with closing(conn.cursor(MySQLdb.cursors.DictCursor)) as cur:
            for k in range(0, len(keys), self.batch_size):
                chunk = keys[k:k + self.batch_size]
                cur.execute(f"SELECT {select} FROM `{plan.table_map.table}` WHERE `{key}` IN "
                            f"({', '.join(['%s'] * len(chunk))}) ORDER BY `{key}`", chunk)
                yield list(cur.fetchall())

    @staticmethod
    def copy_chunk(plan: CopyPlan, where: str, params: list) -> int:
        """One INSERT ... SELECT of the legacy rows matching `where`, in its own transaction; the rows written."""
        with transaction.atomic(), references_checked(), connection.cursor() as cur:
            cur.execute(plan.insert_sql(where), [*plan.params, *params])
            if cur.rowcount:  # as bulk_insert does: what watches the table (the cached aggregates) hears of it
                rows_changed.send(sender=plan.table_map.model, using=connection.alias, fields=None)
            return cur.rowcount

    # -- one batch ---------------------------------------------------------------------------------------
    def write_batch(self, table_map: TableMap, selected, rows: list[dict], result: TableResult):
        candidates = []
        for row in rows:
            values, reason = self.convert(table_map, selected, row)
            if reason is None:
                candidates.append(values)
            else:
                self.reject(table_map, row, reason, result)

        candidates = self.check_references(table_map, candidates, result)
        present = self.existing_keys(table_map, candidates)
        fresh, seen = [], set()
        for values in candidates:
            natural = tuple(values[k] for k in table_map.natural_key)
            if natural in present:
                result.present += 1
            elif natural in seen:
                self.reject(table_map, values, f"duplicate of another legacy row with key {natural}", result)
            else:
                seen.add(natural)
                fresh.append(values)
        if not fresh:
            return
        try:
            with transaction.atomic():
                self.insert(table_map, fresh)
            result.inserted += len(fresh)
        except DatabaseError:
            # One bad row spoils the whole INSERT: retry row by row to name it and keep the others.
            for values in fresh:
                try:
                    with transaction.atomic():
                        self.insert(table_map, [values])
                    result.inserted += 1
                except DatabaseError as exc:
                    self.reject(table_map, values, f"database refused the row: {exc}", result)

    @staticmethod
    def insert(table_map: TableMap, rows: list[dict]):
        """One multi-row INSERT with explicit ids (plain `executemany`: see saintsxctf/foundation/bulk.py for why)."""
        bulk_insert(table_map.model, rows, with_pk=table_map.model._meta.pk.attname not in table_map.skip)

    def convert(self, table_map: TableMap, selected, row: dict) -> tuple[dict, str | None]:
        """Legacy row → our field values, or the reason it breaks our rules."""
        values = {}
        for f, column in selected:
            value = row[column]
            if f.attname == "deleted":
                value = bool(value)  # NULL means not deleted
            elif value is None:
                if not f.null:
                    return row, f"{column} is NULL but required"
            elif isinstance(f, models.CharField):
                if f.max_length and len(value) > f.max_length:
                    return row, f"{column} is longer than {f.max_length} characters"
                if f.choices and value not in {choice for choice, _ in f.choices}:
                    return row, f"{column} {value!r} is not one of {[choice for choice, _ in f.choices]}"
            elif isinstance(f, POSITIVE_FIELDS) and value < 0:
                return row, f"{column} {value!r} is negative"
            values[f.attname] = value
        if table_map.fix is not None:
            reason = table_map.fix(values)
            if reason is not None:
                return row, reason
        return values, None

    def check_references(self, table_map: TableMap, candidates: list[dict], result: TableResult) -> list[dict]:
        """Drop (and report) rows that point at a user, group, log, type ... we do not have."""
        for attname, (target, target_field) in table_map.references.items():
            wanted = {values[attname] for values in candidates if values.get(attname) is not None}
            if not wanted:
                continue
            found = set(target._base_manager.filter(**{f"{target_field}__in": wanted})
                        .values_list(target_field, flat=True))
            kept = []
            for values in candidates:
                value = values.get(attname)
                if value is None or value in found:
                    kept.append(values)
                else:
                    noun = target._meta.verbose_name
                    self.reject(table_map, values, f"{attname.removesuffix('_id')} {value!r}: no such {noun}", result)
            candidates = kept
        return candidates

    @staticmethod
    def existing_keys(table_map: TableMap, candidates: list[dict]) -> set[tuple]:
        if not candidates:
            return set()
        lookups = {f"{k}__in": {values[k] for values in candidates} for k in table_map.natural_key}
        return set(table_map.model._base_manager.filter(**lookups).values_list(*table_map.natural_key))

    def reject(self, table_map: TableMap, row: dict, reason: str, result: TableResult):
        # `row` is the legacy row (column names) or our values (attnames), depending on where it failed.
        opts = table_map.model._meta
        parts = []
        for attname in table_map.natural_key:
            column = table_map.column_for(next(f for f in opts.concrete_fields if f.attname == attname))
            parts.append(row[attname] if attname in row else row.get(column))
        key = parts[0] if len(parts) == 1 else tuple(parts)
        rejection = Rejection(table_map.table, key, reason)
        result.rejected += 1
        self.report.rejections.append(rejection)
        self.say(f"  rejected {table_map.table} {key}: {reason}")

    # -- sequences ---------------------------------------------------------------------------------------
    def reset_sequences(self):
        """Make the next row created through the API get an id above every imported one."""
        for table_map in self.maps:
            model = table_map.model
            pk = model._meta.pk
            if not isinstance(pk, models.AutoField):
                continue
            top = model._base_manager.aggregate(top=models.Max(pk.attname))["top"]
            if top is not None:
                reset_sequence(model, top)


class Alongside:
    """`work()` on a thread of its own, with its own database connection (closed when it ends); `result()` waits
    for it and raises what it raised."""

    def __init__(self, work):
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(work,), name="import-alongside", daemon=True)
        self._thread.start()

    def _run(self, work):
        try:
            work()
        except BaseException as exc:  # handed to result(), in the caller's thread
            self._error = exc
        finally:
            connection.close()  # this thread's own connection

    def result(self):
        self._thread.join()
        if self._error is not None:
            raise self._error


def reset_sequence(model: type[models.Model], top: int):
    """Raise `table`'s auto-increment counter above `top` (MySQL/MariaDB AUTO_INCREMENT, SQLite sqlite_sequence).

    Only when it is not already there: InnoDB raises it itself on explicit ids, and `ALTER TABLE` commits
    the open transaction, which we avoid when there is nothing to do.
    """
    table = model._meta.db_table
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cur:
        if connection.vendor == "mysql":
            cur.execute("SELECT auto_increment FROM information_schema.tables "
                        "WHERE table_schema = DATABASE() AND table_name = %s", [table])
            row = cur.fetchone()
            if row is None or row[0] is None or row[0] <= top:
                cur.execute(f"ALTER TABLE {quoted} AUTO_INCREMENT = {int(top) + 1}")
        elif connection.vendor == "sqlite":
            cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cur.fetchone()
            if row is None:
                cur.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, top])
            elif row[0] < top:
                cur.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [top, table])
        else:
            for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
                cur.execute(statement)
