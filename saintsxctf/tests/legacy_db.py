"""Throwaway legacy (MySQL-schema) databases for the importer tests, on the MariaDB server of the test setup.

The server comes from LEGACY_TEST_SERVER (default mysql://root@127.0.0.1:3306); tests skip with the reason when
it cannot be reached. Databases are named `legacy_wt_<pid>_<n>` and dropped afterwards.
"""

import itertools
import os
import random
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse

import MySQLdb
import pytest
from MySQLdb.constants import CLIENT

DATA = Path(__file__).parent / "data" / "legacy"
SERVER = os.environ.get("LEGACY_TEST_SERVER", "mysql://root@127.0.0.1:3306")
_names = itertools.count()


def _server_connect(db=None, multi=False):
    parts = urlparse(SERVER)
    kwargs = {"host": parts.hostname or "127.0.0.1", "port": parts.port or 3306, "user": parts.username or "root",
              "passwd": parts.password or "", "charset": "utf8mb4"}
    if db:
        kwargs["db"] = db
    if multi:
        kwargs["client_flag"] = CLIENT.MULTI_STATEMENTS
    return MySQLdb.connect(**kwargs)


def server_or_skip():
    try:
        conn = _server_connect()
    except MySQLdb.OperationalError as exc:
        pytest.skip(f"MariaDB/MySQL for the legacy source database is not reachable at {SERVER}: {exc}")
    return conn


class LegacyDatabase:
    """One legacy database: `url` for the importer, `execute()`/`scalar()` to shape its data."""

    def __init__(self, name: str):
        self.name = name
        parts = urlparse(SERVER)
        self.url = f"{parts.scheme}://{parts.netloc}/{name}"
        self.conn = _server_connect(name, multi=True)
        self.conn.autocommit(True)

    def script(self, sql: str):
        cur = self.conn.cursor()
        cur.execute(sql)
        while cur.nextset():
            pass
        cur.close()

    def execute(self, sql: str, args=None):
        cur = self.conn.cursor()
        cur.execute(sql, args)
        cur.close()

    def scalar(self, sql: str, args=None):
        cur = self.conn.cursor()
        cur.execute(sql, args)
        value = cur.fetchone()[0]
        cur.close()
        return value

    def load_test_data(self):
        """The original's test database: schema and data (users andy, dotty, grandma; password `apitest`)."""
        self.script((DATA / "test-db-init.sql").read_text())
        self.script((DATA / "test-db-update.sql").read_text())

    def add_logs(self, count: int, *, usernames=("andy", "dotty", "grandma"), seed: int = 6, chunk: int = 5000):
        """Append `count` generated logs with fast multi-row INSERTs."""
        rng = random.Random(seed)
        start = self.scalar("SELECT COALESCE(MAX(log_id), 0) FROM logs") + 1
        cur = self.conn.cursor()
        columns = ("log_id, username, first, last, name, location, date, type, distance, metric, miles, time, pace, "
                   "feel, description, time_created, deleted")
        for offset in range(0, count, chunk):
            rows = []
            for log_id in range(start + offset, start + min(offset + chunk, count)):
                miles = round(rng.uniform(1, 15), 2)
                seconds = int(miles * rng.randint(360, 540))
                day = date(2016, 1, 1) + timedelta(days=rng.randrange(3000))
                rows.append(
                    f"({log_id},'{rng.choice(usernames)}','Gen','Runner','Run {log_id}','Canton, NY','{day}',"
                    f"'{rng.choice(['run', 'run', 'run', 'bike', 'swim'])}',{miles},'miles',{miles},"
                    f"SEC_TO_TIME({seconds}),SEC_TO_TIME({round(seconds / miles)}),{rng.randint(1, 10)},"
                    f"'generated','{day} 18:00:00',{1 if log_id % 50 == 0 else 0})"
                )
            cur.execute(f"INSERT INTO logs ({columns}) VALUES " + ",".join(rows))
        cur.close()

    def drop(self):
        self.conn.close()
        conn = _server_connect()
        conn.cursor().execute(f"DROP DATABASE IF EXISTS `{self.name}`")
        conn.close()


def create_legacy_database() -> LegacyDatabase:
    conn = server_or_skip()
    name = f"legacy_wt_{os.getpid()}_{next(_names)}"
    cur = conn.cursor()
    cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
    cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    conn.close()
    return LegacyDatabase(name)
