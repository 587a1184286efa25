"""MySQL/MariaDB replica engine: Django's MySQL backend with the primary as fallback (saintsxctf/foundation/replicas)."""

from django.db.backends.mysql import base

from saintsxctf.foundation.replicas.fallback import ReplicaFallback


class DatabaseWrapper(ReplicaFallback, base.DatabaseWrapper):
    pass
