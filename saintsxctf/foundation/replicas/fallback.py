"""The replica engines' fallback: a read the replica cannot serve is served by the primary, never an error.

The router checks a replica before it sends reads there (saintsxctf/foundation/replicas/routing.py), but a replica can
stop between that check and a read, or while a read runs. So a replica connection that fails to connect, or a
statement that fails with a connection error (OperationalError, InterfaceError: refused, gone away, lost,
killed by a shutdown), is retried once on the primary and the replica is marked down. Only reads reach a
replica and never inside a transaction, so running the statement again is safe. SQL errors (ProgrammingError,
IntegrityError, ...) are not connection errors: they propagate as they would from the primary.

MySQLdb's cursors read a whole result at `execute()`, so once a statement has run, its fetches cannot fail
for a lost connection.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper

from saintsxctf.foundation.replicas import routing

CONNECTION_ERRORS = (OperationalError, InterfaceError)


class FallbackMixin:
    """A cursor of a replica that moves to the primary when its statement fails for the connection."""

    def execute(self, sql, params=None):
        try:
            return super().execute(sql, params)
        except CONNECTION_ERRORS as error:
            if self.db.alias == DEFAULT_DB_ALIAS:
                raise
            replica = self.db.alias
            primary = connections[DEFAULT_DB_ALIAS].cursor()
            result = primary.execute(sql, params)
            routing.mark_down(replica, error)
            self.cursor, self.db = primary.cursor, primary.db  # fetches now read the primary's result
            return result


class FallbackCursorWrapper(FallbackMixin, CursorWrapper):
    pass


class FallbackCursorDebugWrapper(FallbackMixin, CursorDebugWrapper):
    pass


class ReplicaFallback:
    """Mixed into a backend's DatabaseWrapper (saintsxctf/foundation/replicas/mysql, sqlite3): the replica engines."""

    def _cursor(self, name=None):
        try:
            return super()._cursor(name)
        except CONNECTION_ERRORS as error:
            routing.mark_down(self.alias, error)
            return connections[DEFAULT_DB_ALIAS]._cursor(name)

    def make_cursor(self, cursor):
        return FallbackCursorWrapper(cursor, self)

    def make_debug_cursor(self, cursor):
        return FallbackCursorDebugWrapper(cursor, self)
