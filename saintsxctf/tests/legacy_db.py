"""Throwaway legacy (MySQL-schema) databases for the importer tests, on the MariaDB server of the test setup,
and the generator of large ones in the legacy schema (`generate()`: the import benchmark, bench/legacy_import.py).

The server comes from LEGACY_TEST_SERVER (default mysql://root@127.0.0.1:3306); tests skip with the reason when
it cannot be reached. Databases are named `legacy_wt_<pid>_<n>` and dropped afterwards.
"""

import itertools
import os
import random
from datetime import date, datetime, timedelta
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
        """Append `count` generated logs with fast multi-row INSERTs (every 50th soft-deleted)."""
        rng = random.Random(seed)
        usernames = list(usernames)
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

    def insert_rows(self, table: str, columns: str, rows, chunk: int = 5000):
        """INSERT `rows` (tuples of SQL literals already rendered) `chunk` at a time."""
        cur = self.conn.cursor()
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) == chunk:
                cur.execute(f"INSERT INTO `{table}` ({columns}) VALUES " + ",".join(batch))
                batch = []
        if batch:
            cur.execute(f"INSERT INTO `{table}` ({columns}) VALUES " + ",".join(batch))
        cur.close()

    def add_runners(self, count: int, *, seed: int = 7) -> list[str]:
        """`count` runners (`runner0001` ...) with the legacy bcrypt hash of `apitest` (andy's, so
        `load_test_data()` first), every 100th soft-deleted; returns their usernames."""
        rng = random.Random(seed)
        password = self.scalar("SELECT password FROM users WHERE username = 'andy'")
        names = [f"runner{n:04d}" for n in range(1, count + 1)]
        self.insert_rows("users", "username, first, last, salt, password, description, member_since, class_year, "
                         "activation_code, email, last_signin, week_start, subscribed, deleted", (
            f"('{name}','Run{n}','Ner{rng.randrange(1000)}','aaa','{password}','generated',"
            f"'{date(2012, 1, 1) + timedelta(days=rng.randrange(3000))}',{rng.randint(2005, 2024)},'abc123',"
            f"'{name}@example.com',NOW(),'{rng.choice(['monday', 'sunday'])}','Y',{1 if n % 100 == 0 else 0})"
            for n, name in enumerate(names, start=1)))
        return names

    def add_memberships(self, usernames: list[str], *, big_share: float = 0.5, small_groups: int = 6,
                        seed: int = 8):
        """The legacy data's shape: one big group (id 1, team `saintsxctf`) holding `big_share` of the runners,
        and `small_groups` small groups (each in team `saintsxctf`) sharing the rest; each runner also joins one
        more small group half the time."""
        rng = random.Random(seed)
        first_new = self.scalar("SELECT COALESCE(MAX(id), 0) FROM `groups`") + 1
        small = list(range(first_new, first_new + small_groups))
        self.insert_rows("groups", "id, group_name, group_title, description, week_start, deleted", (
            f"({gid},'gen{gid}','Generated {gid}','generated','monday',0)" for gid in small))
        self.insert_rows("teamgroups", "team_name, group_id, group_name, deleted", (
            f"('saintsxctf',{gid},'gen{gid}',0)" for gid in small))
        big = int(len(usernames) * big_share)
        rows = []
        for n, name in enumerate(usernames):
            groups = [(1, "alumni")] if n < big else [(rng.choice(small), "")]
            if rng.random() < 0.5:
                groups.append((rng.choice(small), ""))
            for gid, gname in dict(groups).items():
                status = "pending" if rng.random() < 0.05 else "accepted"
                rows.append(f"({gid},'{gname or f'gen{gid}'}','{name}','{status}','user',0)")
        self.insert_rows("groupmembers", "group_id, group_name, username, status, user, deleted", rows)
        self.insert_rows("teammembers", "team_name, username, status, user, deleted", (
            f"('saintsxctf','{name}','accepted','user',0)" for name in usernames))

    def add_comments(self, count: int, *, usernames, seed: int = 9):
        """`count` comments on random logs (every 40th soft-deleted)."""
        rng = random.Random(seed)
        usernames = list(usernames)
        top = self.scalar("SELECT MAX(log_id) FROM logs")
        start = self.scalar("SELECT COALESCE(MAX(comment_id), 0) FROM comments") + 1
        self.insert_rows("comments", "comment_id, username, first, last, log_id, time, content, deleted", (
            f"({cid},'{rng.choice(usernames)}','Gen','Commenter',{rng.randint(1, top)},"
            f"'{datetime(2016, 1, 1) + timedelta(minutes=rng.randrange(4_000_000))}','Nice run {cid}',"
            f"{1 if cid % 40 == 0 else 0})"
            for cid in range(start, start + count)))

    def add_notifications(self, count: int, *, usernames, seed: int = 10):
        """`count` notifications to random runners, most of them viewed."""
        rng = random.Random(seed)
        usernames = list(usernames)
        start = self.scalar("SELECT COALESCE(MAX(notification_id), 0) FROM notifications") + 1
        self.insert_rows("notifications", "notification_id, username, time, link, viewed, description, deleted", (
            f"({nid},'{rng.choice(usernames)}',"
            f"'{datetime(2016, 1, 1) + timedelta(minutes=rng.randrange(4_000_000))}',"
            f"'https://saintsxctf.com/log/{nid}','{'Y' if rng.random() < 0.8 else 'N'}','Someone commented',0)"
            for nid in range(start, start + count)))

    def generate(self, *, runners: int, logs: int, comments: int, notifications: int, say=print):
        """The original's test data plus a generated club: `runners`, their memberships, logs, comments and
        notifications."""
        self.load_test_data()
        names = self.add_runners(runners)
        say(f"{runners} runners")
        self.add_memberships(names)
        self.add_logs(logs, usernames=names)
        say(f"{logs} logs")
        self.add_comments(comments, usernames=names)
        say(f"{comments} comments")
        self.add_notifications(notifications, usernames=names)
        say(f"{notifications} notifications")

    def drop(self):
        self.conn.close()
        conn = _server_connect()
        conn.cursor().execute(f"DROP DATABASE IF EXISTS `{self.name}`")
        conn.close()


def create_legacy_database(name: str | None = None) -> LegacyDatabase:
    conn = server_or_skip()
    name = name or f"legacy_wt_{os.getpid()}_{next(_names)}"
    cur = conn.cursor()
    cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
    cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    conn.close()
    return LegacyDatabase(name)
