"""Fast multi-row INSERTs for the importer and the demo seeder (hundreds of thousands of rows).

`bulk_create` compiles every value through the ORM's SQL compiler, which was most of the time spent writing a
million logs. This writes the same rows with one `executemany` per call (mysqlclient turns it into one multi-row
INSERT; sqlite3 runs it in C), converting only the values the driver cannot take as they are (dates, durations,
binary) through each field's own `get_db_prep_save`. No `save()`, no post_save, no returned ids: callers stamp the
audit columns and set explicit ids where they need them. Each call sends one `rows_changed` (saintsxctf/foundation/models.py),
as a queryset's `bulk_create` does, so what watches the model (the cached aggregates) hears of it.
"""

from django.db import DEFAULT_DB_ALIAS, connections, models

from saintsxctf.foundation.models import rows_changed

# Fields whose Python values the database driver cannot take as they are.
CONVERTED_FIELDS = (models.DateField, models.TimeField, models.DurationField, models.BinaryField, models.DecimalField)
_plans: dict[tuple, list[tuple]] = {}


def insert_plan(model: type[models.Model], *, with_pk: bool = True, using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
    """(column, attname, prepare, default) for every column written, computed once per model."""
    key = (model, with_pk, using)
    if key not in _plans:
        db, plan = connections[using], []
        for f in model._meta.concrete_fields:
            if (f.primary_key and not with_pk) or f.generated:  # a generated column is the database's to write
                continue
            if isinstance(f, CONVERTED_FIELDS):
                def prep(value, f=f, db=db):
                    return None if value is None else f.get_db_prep_save(value, db)
            else:
                def prep(value):
                    return value
            plan.append((f.column, f.attname, prep, f.get_db_prep_save(f.get_default(), db)))
        _plans[key] = plan
    return _plans[key]


def bulk_insert(model: type[models.Model], rows, *, with_pk: bool = True, using: str = DEFAULT_DB_ALIAS) -> int:
    """INSERT `rows` (model instances, or dicts of attname → value; missing keys take the field default)."""
    rows = list(rows)
    if not rows:
        return 0
    plan = insert_plan(model, with_pk=with_pk, using=using)
    db = connections[using]
    table = db.ops.quote_name(model._meta.db_table)
    names = ", ".join(db.ops.quote_name(column) for column, *_ in plan)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(plan))})"
    if isinstance(rows[0], models.Model):
        params = [[prep(getattr(obj, attname)) for _, attname, prep, _ in plan] for obj in rows]
    else:
        params = [[prep(values[attname]) if attname in values else default for _, attname, prep, default in plan]
                  for values in rows]
    with db.cursor() as cur:
        cur.executemany(sql, params)
    rows_changed.send(sender=model, using=using, fields=None)
    return len(rows)
