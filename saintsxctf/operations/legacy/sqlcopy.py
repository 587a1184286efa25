"""The set-based copy of one legacy table: `INSERT INTO ours SELECT ... FROM legacy.table` on a shared server.

When the legacy database lives on our MariaDB server, a table is copied by the server itself, one
`INSERT ... SELECT` per key range, with no row passing through Python. The SELECT takes only the rows the
per-row path (importer.py `convert`, `check_references`, `existing_keys`) would insert unchanged, and writes
exactly the values it would write:

- `value_sql` gives each field's value as the per-row path stores it (a FLOAT read back as the text the client
  protocol sends, a TIME as microseconds, `deleted` NULL as false) and the conditions under which the row is
  taken as it is (not null where required, lengths, choices, signs, integer ranges, valid dates);
- `references` keeps only rows whose users, types, logs ... exist (compared byte for byte, as Python compares);
- `absent` skips rows already imported.

Each check is a lookup by key (`EXISTS` on a unique index); `copy_session()` keeps MariaDB from turning them
into a materialization of the whole table looked into (which made every range cost as much as the table).

Every row outside these conditions is left where it is: the importer then reads the legacy rows still missing
from our table and puts them through the per-row path, which fixes them (a log without miles or pace) or rejects
them with the reason. A `None` from `value_sql` (a legacy column type this module does not know) means the table
is not copied in SQL at all.
"""

from contextlib import contextmanager

from django.db import connection, models

from saintsxctf.operations.legacy.mapping import TableMap

INTEGER_TYPES = {"tinyint", "smallint", "mediumint", "int", "integer", "bigint"}
TEXT_TYPES = {"char", "varchar", "tinytext", "text", "mediumtext", "longtext"}
BLOB_TYPES = {"tinyblob", "blob", "mediumblob", "longblob", "binary", "varbinary"}
POSITIVE_FIELDS = (models.PositiveIntegerField, models.PositiveSmallIntegerField, models.PositiveBigIntegerField)


def q(name: str) -> str:
    return connection.ops.quote_name(name)


def _valid_date(col: str) -> str:
    # MySQLdb reads zero dates ('0000-00-00') and dates with a zero month or day as None. Not `IS NULL`: on a NOT
    # NULL date column MariaDB answers it true for the zero date (an ODBC compatibility rule).
    return f"COALESCE(YEAR({col}) > 0 AND MONTH({col}) > 0 AND DAYOFMONTH({col}) > 0, TRUE)"


def value_sql(f: models.Field, col: str, data_type: str) -> tuple[str, list[str]] | None:
    """(SQL of the value the per-row path stores for field `f` from legacy column `col`, the conditions under
    which the per-row path takes it as it is), or None when this column type is not handled here. Conditions
    hold no parameters (choices are inlined as quoted literals)."""
    checks = []
    if f.attname == "deleted":
        return (f"(COALESCE({col}, 0) <> 0)", []) if data_type in INTEGER_TYPES else None
    if not f.null:
        checks.append(f"{col} IS NOT NULL")
    if isinstance(f, models.CharField):
        if data_type not in TEXT_TYPES:
            return None
        if f.max_length:
            checks.append(f"({col} IS NULL OR CHAR_LENGTH({col}) <= {int(f.max_length)})")
        if f.choices:
            # Byte for byte, as Python's `in`: the collation would take 'User' or 'user ' for 'user'.
            choices = ", ".join(_literal(choice) for choice, _ in f.choices)
            checks.append(f"({col} IS NULL OR CAST({col} AS BINARY) IN ({choices}))")
        return col, checks
    if isinstance(f, models.ForeignKey):
        target = f.target_field
        if isinstance(target, models.CharField) and data_type in TEXT_TYPES:
            return col, checks
        if isinstance(target, models.IntegerField) and data_type in INTEGER_TYPES:
            low, high = connection.ops.integer_field_range(target.get_internal_type())
            checks.append(f"({col} IS NULL OR {col} BETWEEN {int(low)} AND {int(high)})")
            return col, checks
        return None
    if isinstance(f, models.BooleanField):
        return (col, checks) if data_type in INTEGER_TYPES else None
    if isinstance(f, models.IntegerField):  # AutoFields, small, big and positive ones too
        if data_type not in INTEGER_TYPES:
            return None
        low, high = connection.ops.integer_field_range(f.get_internal_type())
        if isinstance(f, POSITIVE_FIELDS):
            low = max(low or 0, 0)
        checks.append(f"({col} IS NULL OR {col} BETWEEN {int(low)} AND {int(high)})")
        return col, checks
    if isinstance(f, models.FloatField):
        if data_type == "float":
            # The client protocol sends a FLOAT as its shortest decimal text, which the per-row path parses into a
            # double; widening it in SQL would store 12.789999961853027 for 12.79.
            return f"CAST(CAST({col} AS CHAR) AS DOUBLE)", checks
        return (col, checks) if data_type in {"double", *INTEGER_TYPES} else None
    if isinstance(f, models.DurationField):
        if data_type != "time":
            return None
        checks.append(f"({col} IS NULL OR MICROSECOND({col}) = 0)")
        return f"TIME_TO_SEC({col}) * 1000000", checks
    if isinstance(f, models.DateTimeField):
        if data_type not in {"datetime", "timestamp"}:
            return None
        checks.append(_valid_date(col))
        return col, checks
    if isinstance(f, models.DateField):
        if data_type != "date":
            return None
        checks.append(_valid_date(col))
        return col, checks
    if isinstance(f, models.BinaryField):
        return (col, checks) if data_type in BLOB_TYPES else None
    if isinstance(f, models.TextField):
        return (col, checks) if data_type in TEXT_TYPES else None
    return None


def _literal(value) -> str:
    # `%` doubled: the statement goes through the driver's parameter formatting.
    text = str(value).replace("\\", "\\\\").replace("'", "''").replace("%", "%%")
    return f"'{text}'"


def same_value(ours: str, theirs: str, f: models.Field) -> str:
    """`ours = theirs`, byte for byte for text (the index still serves the first comparison)."""
    if isinstance(f, models.CharField):
        return f"{ours} = {theirs} AND CAST({ours} AS BINARY) = CAST({theirs} AS BINARY)"
    return f"{ours} = {theirs}"


class CopyPlan:
    """The SQL that copies one legacy table (`schema`.`table_map.table`) into its model's table (in `ours`).

    `insert_sql(where)` copies the legacy rows matching `where` (SQL on alias `s`) that the per-row path would take
    as they are; `absent` is the condition of a legacy row not imported yet. `plan_for()` builds it, or returns
    None when the table cannot be copied in SQL.
    """

    def __init__(self, table_map: TableMap, schema: str, ours: str, key_field: models.Field, columns: list[str], values: list[str],
                 params: list, checks: list[str]):
        self.table_map = table_map
        self.source = f"{q(schema)}.{q(table_map.table)}"
        # Qualified: `absent` is also run on the legacy connection, whose default database is the legacy one.
        self.target = f"{q(ours)}.{q(table_map.model._meta.db_table)}"
        self.key = f"s.{q(table_map.key)}"
        self.order = f"s.{q(table_map.copy_order)}, {self.key}" if table_map.copy_order else self.key
        self.absent = f"NOT EXISTS (SELECT 1 FROM {self.target} d WHERE " \
                      f"{same_value('d.' + q(key_field.column), self.key, key_field)})"
        self.columns, self.values, self.params, self.checks = columns, values, params, checks

    def insert_sql(self, where: str) -> str:
        if self.table_map.copy_order:
            # The checks run as rows are read, before an ORDER BY: to look logs up in order, the range is read
            # through a derived table sorted by the reference (3 s instead of 11 s for 100k comments).
            source = (f"(SELECT * FROM {self.source} s WHERE {where} ORDER BY {self.order} "
                      f"LIMIT 18446744073709551615) s")
            conditions = " AND ".join([*self.checks, self.absent])
        else:
            source = f"{self.source} s"
            conditions = " AND ".join([f"({where})", *self.checks, self.absent])
        return (f"INSERT INTO {self.target} ({', '.join(self.columns)}) SELECT {', '.join(self.values)} "
                f"FROM {source} WHERE {conditions} ORDER BY {self.order}")


@contextmanager
def session_set(variable: str, value):
    """Within: the session variable `variable` is `value`; the value it had is restored after."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT @@{variable}")
        saved = cur.fetchone()[0]
        cur.execute(f"SET SESSION {variable} = %s", [value])
        try:
            yield
        finally:
            cur.execute(f"SET SESSION {variable} = %s", [saved])


def copy_session():
    """Within: `[NOT] EXISTS (SELECT ... WHERE key = outer column)` runs as one index lookup per row. MariaDB would
    otherwise materialize the looked-into table (all of it: 6 s for each 100k-row range of a 1M-log import)."""
    return session_set("optimizer_switch", "materialization=off,semijoin=off")


def references_checked():
    """Within (one INSERT ... SELECT of a plan): InnoDB does not check the foreign keys again. Every row the
    statement copies has met the plan's `references` conditions in the same statement (byte for byte, stricter
    than the constraint's collation); checking them twice cost a third of a comment range. The per-row path
    keeps the database's checks."""
    return session_set("foreign_key_checks", 0)


def plan_for(table_map: TableMap, schema: str, ours: str, column_types: dict[str, str]) -> CopyPlan | None:
    """The set-based copy of `table_map`, or None when some column or rule needs the per-row path for every row."""
    if table_map.key is None or (table_map.fix is not None and table_map.sql_ready is None):
        return None
    model = table_map.model
    selected = {f.attname: table_map.column_for(f) for f in table_map.fields()
                if table_map.column_for(f) in column_types}
    key_fields = [f for f in table_map.fields() if table_map.column_for(f) == table_map.key]
    if len(key_fields) != 1 or table_map.natural_key != (key_fields[0].attname,):
        return None
    columns, values, params, checks = [], [], [], []
    with_pk = model._meta.pk.attname not in table_map.skip
    for f in model._meta.concrete_fields:
        if (f.primary_key and not with_pk) or f.generated:  # a generated column is the database's to write
            continue
        columns.append(q(f.column))
        if f.attname in selected:
            column = selected[f.attname]
            found = value_sql(f, f"s.{q(column)}", column_types[column])
            if found is None:
                return None
            value, value_checks = found
            values.append(value)
            checks += value_checks
        else:
            # Not in the legacy table (or ours alone): the field default, as bulk_insert writes it.
            values.append("%s")
            params.append(f.get_db_prep_save(f.get_default(), connection))
    for attname, (target, target_field) in table_map.references.items():
        if attname not in selected:
            continue
        col = f"s.{q(selected[attname])}"
        field = target._meta.get_field(target_field)
        checks.append(f"({col} IS NULL OR EXISTS (SELECT 1 FROM {q(ours)}.{q(target._meta.db_table)} r WHERE "
                      f"{same_value('r.' + q(field.column), col, field)}))")
    if table_map.sql_ready:
        checks.append(f"({table_map.sql_ready})")
    return CopyPlan(table_map, schema, ours, key_fields[0], columns, values, params, checks)
