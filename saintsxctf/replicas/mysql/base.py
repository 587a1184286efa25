"""MySQL/MariaDB replica engine: Django's MySQL backend with the primary as fallback (saintsxctf/replicas)."""

from django.db.backends.mysql import base

from saintsxctf.replicas.fallback import ReplicaFallback


class DatabaseWrapper(ReplicaFallback, base.DatabaseWrapper):
    pass
