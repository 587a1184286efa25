"""gunicorn's settings, read from this directory by every way the API is served: `make run`, the Docker image and
compose. Servers started with their own options (the tests' harness, the benchmark) override what they set.

- `WEB_CONCURRENCY`: worker processes (default 2).
- `GUNICORN_THREADS`: threads per worker (default 1, sync workers; above 1, gthread workers, each answering that
  many requests at once).

bench/README.md ("Gunicorn's shape") compares the shapes on the 2-core machine the benchmark runs on; the defaults
are the shape that measured best there.
"""

import os


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise SystemExit(f"{name} must be a whole number of at least 1, not {value!r}")
    return int(value)


workers = env_int("WEB_CONCURRENCY", 2)
threads = env_int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
