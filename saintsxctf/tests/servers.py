"""A database that real server processes (gunicorn, the mail worker) share with a test: in the configuration of
the test run. SQLite runs get a SQLite file and no Redis (the `make run` default); MariaDB runs with REDIS_URL get
a database of their own next to the test database, and Redis under a key prefix of their own."""

import os
import subprocess
import uuid
from contextlib import contextmanager
from urllib.parse import urlsplit

from django.db import connection

from ops.harness import BIN, ROOT, django_env


def configuration() -> str | None:
    """`default` (SQLite, no Redis), `mariadb-redis`, or None (MariaDB without Redis: not a supported setup)."""
    if connection.vendor == "sqlite":
        return "default"
    if connection.vendor == "mysql" and os.environ.get("REDIS_URL"):
        return "mariadb-redis"
    return None


def manage(env: dict[str, str], *command: str) -> None:
    subprocess.run([str(BIN / "python"), "manage.py", *command], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


@contextmanager
def served_database(directory, *commands: list[str], **extra: str):
    """Yield the environment of server processes on a fresh, migrated database (then `commands` run on it);
    the database is dropped afterwards."""
    drop = None
    if configuration() == "default":
        url = f"sqlite:///{directory / 'db.sqlite3'}"
    else:
        import MySQLdb

        parts = urlsplit(os.environ["DATABASE_URL"])
        name = f"{parts.path.strip('/')}_{uuid.uuid4().hex[:8]}"
        params = {"host": parts.hostname or "127.0.0.1", "port": parts.port or 3306,
                  "user": parts.username or "root", "password": parts.password or ""}

        def execute(sql: str) -> None:
            with MySQLdb.connect(**params) as admin:
                admin.cursor().execute(sql)

        execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        url = parts._replace(path=f"/{name}").geturl()
        extra = {"REDIS_URL": os.environ["REDIS_URL"], "CACHE_KEY_PREFIX": f"servers-{uuid.uuid4().hex}", **extra}

        def drop():
            execute(f"DROP DATABASE IF EXISTS `{name}`")
    try:
        env = django_env(url, **extra)
        for command in (["migrate", "--noinput", "-v0"], *commands):
            manage(env, *command)
        yield env
    finally:
        if drop:
            drop()
