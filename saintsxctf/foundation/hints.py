"""Index hints: a queryset whose base table the database must not read through one index (MySQL/MariaDB).

For a few queries the planner's cost of considering an index exceeds the query's own. `author NOT IN (251
names)` over the logs is 252 ranges of the runners' (user, deleted, date, ...) index, and MariaDB estimates each
by reading the index (an "index dive"): at 1M logs that planning took 6-7 ms, the query itself, read along the
(deleted, date) index, 0.3 ms. `IGNORE INDEX` takes that index out of the planning. Other backends ignore the hint.
"""

from django.db.models import QuerySet
from django.db.models.sql.datastructures import BaseTable


class TableIgnoringIndex(BaseTable):
    """The query's base table, read `IGNORE INDEX (index)` on MySQL/MariaDB."""

    def __init__(self, table_name: str, alias: str, index: str):
        super().__init__(table_name, alias)
        self.index = index

    def as_sql(self, compiler, connection):
        sql, params = super().as_sql(compiler, connection)
        if connection.vendor == "mysql":
            sql += f" IGNORE INDEX ({connection.ops.quote_name(self.index)})"
        return sql, params

    def relabeled_clone(self, change_map):
        return self.__class__(self.table_name, change_map.get(self.table_alias, self.table_alias), self.index)

    @property
    def identity(self):
        return *super().identity, self.index


def ignoring_index(queryset: QuerySet, index: str) -> QuerySet:
    """`queryset` (a copy) read without `index` (a name of one of its model's `Meta.indexes`)."""
    if index not in {each.name for each in queryset.model._meta.indexes}:
        raise ValueError(f"{queryset.model.__name__} has no index {index!r}")
    queryset = queryset.all()
    query = queryset.query
    alias = query.get_initial_alias()
    query.alias_map[alias] = TableIgnoringIndex(query.alias_map[alias].table_name, alias, index)
    return queryset
