"""Querysets compiled once and run with new parameters: for the few lookups every request makes.

Django compiles a queryset's SQL each time it is evaluated. For a one-row lookup by key that costs more than
the query's round trip, and the token's user is looked up on every authenticated request. A `PreparedQuery`
compiles its queryset once per database alias, with marker values in place of the parameters, and then only
substitutes the parameters, runs the SQL through the connection's cursor (query capture, execute wrappers
and the query-count header still see it), applies the backend's converters and builds the instance with
`Model.from_db`, as the ORM does.

Model querysets (no select_related or extra columns; annotations become attributes) give instances; `values()`
querysets, annotated or grouped, give dicts. Every parameter must reach the SQL as it was given, or for a date or a
naive datetime (USE_TZ is off) as the text every backend adapts it to (a lookup that rewrites it, such as
`__icontains`, is refused).

Where they live: beside the reads and writes they serve, never in views or serializers: an app's `queries.py`
(a log and its comments, a user by name or email) and its write-side modules (the summary engine's reads,
logs/summaries.py; the user-row lock, saintsxctf/foundation/locks.py; the token's user, saintsxctf/foundation/auth/tokens.py).
"""

from collections.abc import Callable
from datetime import date, datetime

from django.db import connections, router
from django.db.models import QuerySet


class PreparedQuery:
    """`build(*params)` returns the queryset; `first(*values)` and `all(*values)` run it with `values` for the
    parameters (model instances), `rows(*values)` runs a `values()` queryset (dicts, as `values()` gives them)."""

    def __init__(self, build: Callable[..., QuerySet], params: int, markers: tuple | None = None):
        """`markers`: values that stand for the parameters while compiling; strings unless given (an integer
        field needs integers, a date field dates), each distinct from any other value the queryset holds."""
        self.build = build
        self.params = params
        self.markers = list(markers or (f"\x00prepared-parameter-{index}\x00" for index in range(params)))
        if len(set(self.markers)) != params:
            raise TypeError("a PreparedQuery needs one distinct marker per parameter")
        self._compiled: dict[str, tuple] = {}
        self._model = None

    def _slot(self, value) -> tuple[int, bool] | None:
        """(marker index, as text) of a compiled parameter that is a marker: as given, or, for a date or a naive
        datetime marker, as the text both backends adapt it to (`str(value)`)."""
        for index, marker in enumerate(self.markers):
            if type(value) is type(marker) and value == marker:
                return index, False
            if type(marker) in (date, datetime) and type(value) is str and value == str(marker):
                return index, True
        return None

    def _compile(self, using: str) -> tuple:
        queryset = self.build(*self.markers)
        query = queryset.query
        values = queryset._fields is not None
        if query.select_related or query.extra_select:
            raise TypeError("PreparedQuery takes plain model querysets (annotations allowed) or values() querysets")
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        params = list(params)
        slots = [(position, *slot) for position, value in enumerate(params) if (slot := self._slot(value))]
        if {index for _, index, _ in slots} != set(range(self.params)):
            raise TypeError("every parameter of a PreparedQuery must reach its SQL as given")
        columns = [column for column, _, _ in compiler.select[:compiler.col_count]]
        if values:
            names = [*query.values_select, *query.annotation_select]
        else:
            # Model columns first, then the annotations (set on the instance as attributes).
            fields = len(compiler.klass_info["select_fields"])
            names = [column.target.attname for column in columns[:fields]] + list(query.annotation_select)
        converters = [(position, convs, expression)
                      for position, (convs, expression) in compiler.get_converters(columns).items()]
        fields = len(names) if values else len(compiler.klass_info["select_fields"])
        compiled = (queryset.model, values, sql, params, slots, names, converters, fields)
        self._compiled[using] = compiled
        return compiled

    def first(self, *values, using: str | None = None):
        """The first row as a model instance, or None."""
        rows = self._run(values, using, many=False, as_rows=False)
        return rows[0] if rows else None

    def all(self, *values, using: str | None = None) -> list:
        """Every row, as model instances in the queryset's order."""
        return self._run(values, using, many=True, as_rows=False)

    def rows(self, *values, using: str | None = None) -> list[dict]:
        """Every row of a `values()` queryset, as the dicts `values()` gives."""
        return self._run(values, using, many=True, as_rows=True)

    def _run(self, values: tuple, using: str | None, *, many: bool, as_rows: bool) -> list:
        if using is None:  # as a queryset would: the router's database for reads (saintsxctf/foundation/replicas)
            if self._model is None:
                self._model = self.build(*self.markers).model
            using = router.db_for_read(self._model)
        model, is_values, sql, params, slots, names, converters, fields = (self._compiled.get(using)
                                                                           or self._compile(using))
        if is_values is not as_rows:
            raise TypeError("rows() runs values() querysets; first() and all() run model querysets")
        params = list(params)
        for position, index, as_text in slots:
            params[position] = str(values[index]) if as_text else values[index]
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if many:
                fetched = cursor.fetchall()
            else:
                row = cursor.fetchone()
                fetched = [] if row is None else [row]
        results = []
        for row in fetched:
            if converters:
                row = list(row)
                for position, convs, expression in converters:
                    value = row[position]
                    for converter in convs:
                        value = converter(value, expression, connection)
                    row[position] = value
            if as_rows:
                results.append(dict(zip(names, row, strict=True)))
                continue
            instance = model.from_db(using, names[:fields], row[:fields])
            for name, value in zip(names[fields:], row[fields:], strict=True):
                setattr(instance, name, value)
            results.append(instance)
        return results


class PreparedListQuery:
    """A `PreparedQuery` whose one parameter is a list of integers (an `IN` list, such as the ids of a page of
    rows): compiled once per list length, up to `longest`; a longer list runs the queryset as the ORM builds it.

    `build(values)` returns the queryset for the list `values`; `all(values)` runs it (model instances)."""

    def __init__(self, build: Callable[[list], QuerySet], *, longest: int, marker_base: int = 2_000_000_011):
        """`marker_base`: the first of the integer markers that stand for the list's items while compiling, each
        distinct from any other value the queryset holds."""
        self.build = build
        self.longest = longest
        self.marker_base = marker_base
        self._by_length: dict[int, PreparedQuery] = {}

    def all(self, values: list[int], *, using: str | None = None) -> list:
        """Every row for `values`, as model instances in the queryset's order (none for an empty list)."""
        if not values:
            return []
        if len(values) > self.longest:
            queryset = self.build(list(values))
            return list(queryset if using is None else queryset.using(using))
        prepared = self._by_length.get(len(values))
        if prepared is None:
            markers = tuple(self.marker_base + index for index in range(len(values)))
            prepared = self._by_length.setdefault(len(values), PreparedQuery(
                lambda *items: self.build(list(items)), len(values), markers=markers))
        return prepared.all(*values, using=using)


class KeptQueries:
    """Querysets whose SQL depends on more than a few parameters (a page of a log feed: its authors, which can be
    hundreds of names, its length and its offset), compiled once per key and kept for the next request with the
    same key: the `keep` most recently used, in this process.

    `all(key, build)` runs `build()`'s queryset (model instances), compiled the first time `key` is seen. The key
    must name everything the SQL depends on; a key may come from client input, since only `keep` are kept."""

    def __init__(self, keep: int):
        self.keep = keep
        self._kept: dict[tuple, PreparedQuery] = {}  # least recently used first

    def all(self, key: tuple, build: Callable[[], QuerySet], *, using: str | None = None) -> list:
        prepared = self._kept.pop(key, None)
        if prepared is None:
            prepared = PreparedQuery(build, 0)
            while len(self._kept) >= self.keep:
                del self._kept[next(iter(self._kept))]
        self._kept[key] = prepared
        return prepared.all(using=using)

    def __len__(self) -> int:
        return len(self._kept)
