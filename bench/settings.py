"""Settings for the benchmark server: the production settings plus the floor views' URL conf.

Used only by `bench/run.py` (gunicorn and the data set tasks); nothing in the API imports it.
"""

import os

from saintsxctf.settings import *  # noqa: F403
from saintsxctf.settings import DATABASES

ROOT_URLCONF = "bench.urls"

# A harness safety bound, not tuning: the load runs cut off any statement running longer than this, so an
# endpoint that takes minutes cannot keep MariaDB busy while the next endpoint is measured. Only the
# benchmark's gunicorn sets it (migrations and seeding must not be cut off).
_statement_timeout = os.environ.get("BENCH_STATEMENT_TIMEOUT")
if _statement_timeout and DATABASES["default"]["ENGINE"] == "django.db.backends.mysql":
    _options = DATABASES["default"]["OPTIONS"]
    _options["init_command"] = f"{_options['init_command']}, max_statement_time={float(_statement_timeout)}"
