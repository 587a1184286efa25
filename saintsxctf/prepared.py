"""Querysets compiled once and run with new parameters: for the few lookups every request makes.

Django compiles a queryset's SQL each time it is evaluated. For a one-row lookup by key that costs more than
the query's round trip, and the token's user is looked up on every authenticated request. A `PreparedQuery`
compiles its queryset once per database alias, with marker values in place of the parameters, and then only
substitutes the parameters, runs the SQL through the connection's cursor (query capture, execute wrappers
and the query-count header still see it), applies the backend's converters and builds the instance with
`Model.from_db`, as the ORM does.

Only plain model querysets: no select_related, annotations, extra columns or values(); every parameter must
reach the SQL as it was given (a lookup that rewrites it, such as `__icontains`, is refused).
"""

from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet


class PreparedQuery:
    """`build(*params)` returns the queryset; `first(*values)` and `all(*values)` run it with `values` for the
    parameters."""

    def __init__(self, build: Callable[..., QuerySet], params: int, markers: tuple | None = None):
        """`markers`: values that stand for the parameters while compiling; strings unless given (an integer
        field needs integers), each distinct from any other value the queryset holds."""
        self.build = build
        self.params = params
        self.markers = list(markers or (f"\x00prepared-parameter-{index}\x00" for index in range(params)))
        if len(set(self.markers)) != params:
            raise TypeError("a PreparedQuery needs one distinct marker per parameter")
        self._compiled: dict[str, tuple] = {}

    def _compile(self, using: str) -> tuple:
        markers = self.markers
        queryset = self.build(*markers)
        query = queryset.query
        if query.select_related or query.annotation_select or query.extra_select or queryset._fields is not None:
            raise TypeError("PreparedQuery takes plain model querysets only")
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        params = list(params)
        slots = [(position, markers.index(value)) for position, value in enumerate(params)
                 if type(value) is type(markers[0]) and value in markers]
        if {index for _, index in slots} != set(range(self.params)):
            raise TypeError("every parameter of a PreparedQuery must reach its SQL as given")
        columns = [column for column, _, _ in compiler.select]
        attnames = [column.target.attname for column in columns]
        converters = [(position, convs, expression)
                      for position, (convs, expression) in compiler.get_converters(columns).items()]
        compiled = (queryset.model, sql, params, slots, attnames, converters)
        self._compiled[using] = compiled
        return compiled

    def first(self, *values, using: str = DEFAULT_DB_ALIAS):
        """The first row as a model instance, or None."""
        rows = self._run(values, using, many=False)
        return rows[0] if rows else None

    def all(self, *values, using: str = DEFAULT_DB_ALIAS) -> list:
        """Every row, as model instances in the queryset's order."""
        return self._run(values, using, many=True)

    def _run(self, values: tuple, using: str, *, many: bool) -> list:
        model, sql, params, slots, attnames, converters = self._compiled.get(using) or self._compile(using)
        params = list(params)
        for position, index in slots:
            params[position] = values[index]
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if many:
                rows = cursor.fetchall()
            else:
                row = cursor.fetchone()
                rows = [] if row is None else [row]
        instances = []
        for row in rows:
            if converters:
                row = list(row)
                for position, convs, expression in converters:
                    value = row[position]
                    for converter in convs:
                        value = converter(value, expression, connection)
                    row[position] = value
            instances.append(model.from_db(using, attnames, row))
        return instances
