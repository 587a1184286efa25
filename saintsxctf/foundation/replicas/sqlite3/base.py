"""SQLite replica engine (tests: a second connection to the same file): Django's SQLite backend with the primary
as fallback (saintsxctf/foundation/replicas)."""

from django.db.backends.sqlite3 import base

from saintsxctf.foundation.replicas.fallback import ReplicaFallback


class DatabaseWrapper(ReplicaFallback, base.DatabaseWrapper):
    pass
