"""Read replicas: reads go to a replica, writes and everything that must see them to the primary.

`DATABASE_REPLICA_URLS` (settings) adds one database alias per replica (`replica1`, `replica2`, ...), whose
engine is the primary's engine with a fallback (`saintsxctf.foundation.replicas.mysql`, `saintsxctf.foundation.replicas.sqlite3`).
`ReplicaRouter` (routing.py) then chooses the database of every ORM read:

- **The primary** for: every write; every read inside a transaction (`atomic()`: what a service reads before it
  writes, the summary refresh, `select_for_update()` locks, which are writes to the router anyway); every read
  of a request that writes (POST, PUT, PATCH, DELETE: its permission checks and its re-read after the write);
  every read outside a request (management commands, migrations, the mail worker); every read inside
  `on_primary()`; and every read of a runner who wrote less than `REPLICA_READ_YOUR_WRITES_SECONDS` ago, on any
  API instance (read-your-writes: the writer is remembered in the shared cache, see `pin`).
- **A replica** for the other reads of a request (GET, HEAD, OPTIONS), in turn, while it is *usable*: it
  answers, and its replication lag (`Seconds_Behind_Master`) is known and at most `REPLICA_MAX_LAG_SECONDS`. The
  lag is read at most every `REPLICA_CHECK_SECONDS` per process. A replica that failed is not asked again for
  `REPLICA_RETRY_SECONDS`.
- A replica that fails *during* a read (stopped, restarted, connection killed) is not an error: the fallback
  engine (fallback.py) runs the same statement on the primary and marks the replica down.

Without a shared cache (no `REDIS_URL`) a write on one API instance cannot be seen by the others in time to
keep read-your-writes, so replicas are not used at all: every read goes to the primary (settings refuse to start
with DEBUG=false and replicas but no `REDIS_URL`). If Redis fails at run time, a request whose writer cannot be
looked up reads from the primary.

This package is part of the ground floor: it imports no app.
"""
