"""Run requests at the same instant from several threads, each with its own database connection."""

import threading

import pytest
from django.db import connection, connections

# Threads need a database server: SQLite's shared in-memory test database locks whole tables instead.
needs_server_db = pytest.mark.skipif(connection.vendor == "sqlite",
                                     reason="concurrency needs a database server (run with DATABASE_URL)")


def race(*calls):
    """Call every `calls[i]()` in its own thread, released together; their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)
    errors = []

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    return results
