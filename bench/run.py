#!/usr/bin/env python3
"""The load benchmark: `make bench` (or `python bench/run.py --help`). See bench/README.md.

For each scale: a MariaDB database `bench_<scale>` (created, migrated and seeded with `manage.py seed_demo`;
kept between runs while the seed code and the scale are unchanged), gunicorn with the production settings
plus the floor views (bench/settings.py) on a free loopback port, a JWT from POST /auth/token, then wrk at a
fixed concurrency against each endpoint of the mix in turn. Prints and writes a Markdown table per scale
(bench/results/).
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import math
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
LUA = BENCH / "wrk" / "endpoint.lua"
DEMO_PASSWORD = "saintsxctf"
DEMO_COACH = "coach"  # saintsxctf/operations/demo.py: a staff admin of every group (the coach dashboard's caller)

SCALES = {
    # teams: the demo team holds half of the runners, six small clubs the rest (the legacy data's shape: the all
    # feed of a runner of the big team lists half the club's authors).
    "small": {"users": 100, "groups": 12, "logs": 50_000, "teams": 7},
    "large": {"users": 500, "groups": 20, "logs": 1_000_000, "teams": 7},
}
# A seeded database older than this is seeded again: the demo data is dated relative to the day it was made,
# so week/month leaderboards and the range view drift as it ages.
MAX_SEED_AGE_DAYS = 7
# Before measuring, InnoDB gets up to this long to flush and purge what seeding left (Database.wait_until_quiet).
QUIET_LIMIT_SECONDS = 120
QUIET_DIRTY_PAGES = 500
QUIET_HISTORY = 1000

# Targets from issue 7 (they are defined at the large scale).
P99_TARGET_MS = 100.0
GROWTH_TARGET = 0.80
FLOOR_TARGETS = {"one_row": 40.0, "heavy": 15.0}
KIND_LABELS = {"floor": "floor", "one_row": "one row", "heavy": "aggregate", "write": "write", "info": "info"}


# ------------------------------------------------------------------------------------------------------------
# Options
# ------------------------------------------------------------------------------------------------------------
def env_default(name: str, default):
    value = os.environ.get(name)
    return default if value in (None, "") else type(default)(value)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scales", default=env_default("BENCH_SCALES", "small,large"),
                   help="comma-separated scales to run: small, large (env BENCH_SCALES)")
    p.add_argument("--duration", type=float, default=env_default("BENCH_DURATION", 10.0),
                   help="seconds of load per endpoint (env BENCH_DURATION, default 10)")
    p.add_argument("--warmup", type=float, default=env_default("BENCH_WARMUP", -1.0),
                   help="seconds of unmeasured load before each endpoint (env BENCH_WARMUP; default "
                        "duration/5 between 1 and 3)")
    p.add_argument("--connections", type=int, default=env_default("BENCH_CONNECTIONS", 8),
                   help="concurrent connections (env BENCH_CONNECTIONS, default 8)")
    p.add_argument("--threads", type=int, default=env_default("BENCH_WRK_THREADS", 1),
                   help="wrk threads (env BENCH_WRK_THREADS, default 1: the client leaves the cores to the server)")
    p.add_argument("--workers", type=int, default=env_default("BENCH_WORKERS", 2),
                   help="gunicorn workers (env BENCH_WORKERS, default 2)")
    p.add_argument("--gunicorn-threads", type=int, default=env_default("BENCH_GUNICORN_THREADS", 1),
                   help="threads per gunicorn worker: 1 runs sync workers, more gthread workers "
                        "(env BENCH_GUNICORN_THREADS, default 1; gunicorn.conf.py's GUNICORN_THREADS)")
    p.add_argument("--timeout", type=float, default=env_default("BENCH_TIMEOUT", 10.0),
                   help="request timeout in seconds; slower requests count as errors (env BENCH_TIMEOUT)")
    p.add_argument("--statement-timeout", type=float, default=env_default("BENCH_STATEMENT_TIMEOUT", 10.0),
                   help="MariaDB max_statement_time of the server's connections (env BENCH_STATEMENT_TIMEOUT)")
    p.add_argument("--only", default=env_default("BENCH_ONLY", ""),
                   help="comma-separated endpoint keys or name fragments to run (floors always run; env BENCH_ONLY)")
    p.add_argument("--reseed", action="store_true", default=env_default("BENCH_RESEED", "") not in ("", "0"),
                   help="drop and seed the bench databases again (env BENCH_RESEED=1)")
    p.add_argument("--db-url", default=env_default("BENCH_DB_URL", "mysql://root@127.0.0.1:3306"),
                   help="MariaDB server (no database name; env BENCH_DB_URL)")
    p.add_argument("--redis-url", default=env_default("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"),
                   help="Redis database of the server's shared cache, flushed at each server start; empty: the "
                        "server runs with a local-memory cache per worker (env BENCH_REDIS_URL)")
    p.add_argument("--replica", action="store_true", default=env_default("BENCH_REPLICA", "") not in ("", "0"),
                   help="the replica mode instead of the scales: the read mix without and with one replica, on a "
                        "private primary and replica (env BENCH_REPLICA=1; bench/replicas.py)")
    p.add_argument("--replica-logs", type=int, default=env_default("BENCH_REPLICA_LOGS", 20_000),
                   help="logs seeded for the replica mode (env BENCH_REPLICA_LOGS, default 20000)")
    p.add_argument("--replica-users", type=int, default=env_default("BENCH_REPLICA_USERS", 40),
                   help="users seeded for the replica mode (env BENCH_REPLICA_USERS, default 40)")
    p.add_argument("--replica-groups", type=int, default=env_default("BENCH_REPLICA_GROUPS", 6),
                   help="groups seeded for the replica mode (env BENCH_REPLICA_GROUPS, default 6)")
    p.add_argument("--results", default=env_default("BENCH_RESULTS", str(BENCH / "results")),
                   help="where tables are written (env BENCH_RESULTS)")
    args = p.parse_args(argv)
    args.scales = [s.strip() for s in args.scales.split(",") if s.strip()]
    unknown = [s for s in args.scales if s not in SCALES]
    if unknown:
        p.error(f"unknown scale(s) {unknown}; choose from {sorted(SCALES)}")
    if args.warmup < 0:
        args.warmup = min(3.0, max(1.0, args.duration / 5))
    if args.threads > args.connections:
        args.threads = args.connections
    args.only = [s.strip().lower() for s in args.only.split(",") if s.strip()]
    return args


def shape(workers: int, threads: int) -> str:
    """gunicorn's shape as the report names it."""
    return f"{workers} sync workers" if threads <= 1 else f"{workers} gthread workers × {threads} threads"


def say(text: str = "") -> None:
    print(text, flush=True)


# ------------------------------------------------------------------------------------------------------------
# MariaDB: the bench databases and their seed record
# ------------------------------------------------------------------------------------------------------------
class Database:
    """A bench database on the MariaDB server, and the record of how it was seeded (table bench_meta)."""

    def __init__(self, server_url: str, name: str):
        url = urlparse(server_url)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 3306
        self.user, self.password = url.username or "root", url.password or ""
        self.name = name

    @property
    def url(self) -> str:
        auth = self.user + (f":{self.password}" if self.password else "")
        return f"mysql://{auth}@{self.host}:{self.port}/{self.name}"

    def connect(self, database: str | None = None):
        import MySQLdb

        kwargs = {"host": self.host, "port": self.port, "user": self.user, "passwd": self.password,
                  "charset": "utf8mb4", "autocommit": True}
        if database:
            kwargs["database"] = database
        return MySQLdb.connect(**kwargs)

    def exists(self) -> bool:
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = %s", [self.name])
            return cur.fetchone() is not None

    def recreate(self) -> None:
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{self.name}`")
            cur.execute(f"CREATE DATABASE `{self.name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")

    def seed_record(self) -> dict | None:
        if not self.exists():
            return None
        with self.connect(self.name) as conn, conn.cursor() as cur:
            cur.execute("SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s AND TABLE_NAME = 'bench_meta'",
                        [self.name])
            if cur.fetchone() is None:
                return None
            cur.execute("SELECT v FROM bench_meta WHERE k = 'seed'")
            row = cur.fetchone()
            return json.loads(row[0]) if row else None

    def write_seed_record(self, record: dict) -> None:
        with self.connect(self.name) as conn, conn.cursor() as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS bench_meta (k VARCHAR(64) PRIMARY KEY, v TEXT NOT NULL)")
            cur.execute("REPLACE INTO bench_meta (k, v) VALUES ('seed', %s)", [json.dumps(record)])

    def kill_running_queries(self) -> int:
        """Cut off statements still running on this bench database (left behind by timed-out requests)."""
        killed = 0
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = %s AND COMMAND = 'Query' "
                        "AND ID <> CONNECTION_ID()", [self.name])
            for (thread_id,) in cur.fetchall():
                try:
                    cur.execute(f"KILL QUERY {int(thread_id)}")
                    killed += 1
                except Exception:  # it finished meanwhile
                    pass
        return killed

    def innodb_backlog(self) -> tuple[int, int]:
        """(dirty buffer pool pages, undo history length): InnoDB's background work still to do."""
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("SHOW GLOBAL STATUS WHERE Variable_name IN "
                        "('Innodb_buffer_pool_pages_dirty', 'Innodb_history_list_length')")
            status = {name: int(value) for name, value in cur.fetchall()}
        return status.get("Innodb_buffer_pool_pages_dirty", 0), status.get("Innodb_history_list_length", 0)

    def wait_until_quiet(self, limit: float = QUIET_LIMIT_SECONDS) -> None:
        """Wait (up to `limit` seconds) until InnoDB has flushed and purged what seeding left behind: its
        background threads would otherwise take CPU from the first endpoints measured."""
        started = time.monotonic()
        while True:
            dirty, history = self.innodb_backlog()
            if (dirty <= QUIET_DIRTY_PAGES and history <= QUIET_HISTORY) or time.monotonic() - started > limit:
                say(f"  InnoDB backlog: {dirty} dirty pages, history length {history} "
                    f"(waited {time.monotonic() - started:.0f} s)")
                return
            time.sleep(2)

    def server_facts(self) -> dict:
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("SELECT VERSION(), @@innodb_buffer_pool_size")
            version, pool = cur.fetchone()
        return {"mariadb": version, "buffer_pool_mib": int(pool) // (1024 * 1024)}


def seed_fingerprint(scale: str) -> str:
    """Changes whenever the seed code or the scale changes, so a stale data set is seeded again."""
    digest = hashlib.sha256(json.dumps(SCALES[scale], sort_keys=True).encode())
    files = sorted({*ROOT.glob("saintsxctf/operations/demo.py"), *ROOT.glob("saintsxctf/operations/demo/**/*.py"),
                    *ROOT.glob("*/management/commands/seed_demo.py")})
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
DATABASE_PROGRAMS = ("mariadbd", "mysqld")


def cpu_seconds(server_session: int | None, local_db: bool) -> dict[str, float]:
    """CPU seconds used so far by the API (every process of gunicorn's session: the master and its workers) and, when
    the database runs on this machine (`local_db`), by its server processes (`DATABASE_PROGRAMS`), read from /proc.
    The difference over a measured run, per request, is the work a request costs, which depends less on how fast
    the machine happens to be during the run than req/s does (bench/README.md, "CPU per request"). Empty without
    /proc."""
    used = {"api": 0, "db": 0} if local_db else {"api": 0}
    try:
        entries = [entry.name for entry in os.scandir("/proc") if entry.name.isdigit()]
    except OSError:
        return {}
    for pid in entries:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue  # exited meanwhile
        program = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()  # from field 3 (state): session is field 6, utime and stime 14, 15
        ticks = int(fields[11]) + int(fields[12])
        if server_session is not None and int(fields[3]) == server_session:
            used["api"] += ticks
        elif "db" in used and program in DATABASE_PROGRAMS:
            used["db"] += ticks
    return {name: ticks / CLOCK_TICKS for name, ticks in used.items()}


def django_env(db: Database, **extra: str) -> dict:
    env = dict(os.environ)
    env.update({"DJANGO_SETTINGS_MODULE": "bench.settings", "DATABASE_URL": db.url, "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


def run_streaming(cmd: list[str], env: dict, prefix: str) -> None:
    """Run a command from the project directory, echoing its output with a prefix; fail loudly."""
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        say(f"{prefix}{line.rstrip()}")
    if proc.wait() != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}")


def dataset_task(db: Database, *task: str) -> dict:
    proc = subprocess.run([sys.executable, "-m", "bench.dataset", *task], cwd=ROOT, env=django_env(db),
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"bench.dataset {' '.join(task)} failed:\n{proc.stderr}{proc.stdout}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def prepare_database(db: Database, scale: str, reseed: bool) -> dict:
    """Create, migrate and seed `db` unless a complete data set of this scale is already there."""
    fingerprint = seed_fingerprint(scale)
    record = None if reseed else db.seed_record()
    fresh = (record is not None and record.get("fingerprint") == fingerprint
             and (date.today() - date.fromisoformat(record["seeded_on"])).days <= MAX_SEED_AGE_DAYS)
    if not fresh:
        why = ("--reseed" if reseed else "no complete data set" if record is None
               else "the seed code or scale changed" if record.get("fingerprint") != fingerprint
               else f"seeded more than {MAX_SEED_AGE_DAYS} days ago")
        say(f"  database {db.name}: (re)creating ({why})")
        db.recreate()
    else:
        say(f"  database {db.name}: seeded on {record['seeded_on']} with this seed code; reusing it")
    say(f"  migrating {db.name}")
    run_streaming([sys.executable, "manage.py", "migrate", "--noinput"], django_env(db), "    ")
    if not fresh:
        flags = SCALES[scale]
        say(f"  seeding {db.name}: {flags['logs']:,} logs, {flags['users']} users, {flags['groups']} groups "
            "(this takes a while at the large scale)")
        started = time.monotonic()
        run_streaming([sys.executable, "manage.py", "seed_demo", "--users", str(flags["users"]),
                       "--groups", str(flags["groups"]), "--logs", str(flags["logs"]), "--teams", str(flags["teams"])],
                      django_env(db), "    ")
        record = {"fingerprint": fingerprint, "scale": scale, **flags, "seeded_on": date.today().isoformat(),
                  "seed_seconds": round(time.monotonic() - started, 1),
                  "watermark": dataset_task(db, "watermark")["log_id"]}
        db.write_seed_record(record)
        say(f"  seeded in {record['seed_seconds']:.0f} s")
    return record


# ------------------------------------------------------------------------------------------------------------
# The server
# ------------------------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Response:
    status: int | None
    headers: dict = field(default_factory=dict)
    body: bytes = b""
    seconds: float = 0.0
    error: str = ""

    @property
    def queries(self) -> str:
        return self.headers.get("x-sql-query-count", "?")

    def not_served(self) -> str:
        """Why this answer means the endpoint does not exist yet ("" when it does)."""
        if self.status in (404, 405):
            return f"not served yet ({self.status})"
        if self.status == 403 and "html" in self.headers.get("content-type", ""):
            # Django's CSRF refusal: an unsafe method reached the catch-all 404 view, not an API view.
            return "not served yet (403 CSRF from the catch-all route)"
        if self.status is None:
            return f"no answer ({self.error})"
        return ""


def http_request(port: int, method: str, path: str, body: str | None = None, headers: dict | None = None,
                 timeout: float = 10.0) -> Response:
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body.encode() if body is not None else None, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data, time.monotonic() - started)
    except (OSError, http.client.HTTPException) as exc:
        return Response(None, seconds=time.monotonic() - started, error=f"{type(exc).__name__}: {exc}")
    finally:
        conn.close()


class Server:
    """gunicorn serving the API (production settings + floor views) with the query count header on."""

    def __init__(self, db: Database, workers: int, statement_timeout: float, log_path: Path, redis_url: str = "",
                 extra_env: dict | None = None, threads: int = 1):
        self.db, self.workers, self.statement_timeout, self.log_path = db, workers, statement_timeout, log_path
        self.threads = threads
        self.redis_url, self.extra_env = redis_url, extra_env or {}
        self.proc: subprocess.Popen | None = None
        self.port = 0

    def start(self) -> None:
        self.port = free_port()
        gunicorn = Path(sys.executable).parent / "gunicorn"
        cmd = [str(gunicorn) if gunicorn.exists() else "gunicorn", "saintsxctf.wsgi:application",
               "--bind", f"127.0.0.1:{self.port}",
               "--timeout", "60", "--graceful-timeout", "5", "--log-level", "warning"]
        env = django_env(self.db, DEBUG="false", SQL_QUERY_COUNT_HEADER="true",
                         BENCH_STATEMENT_TIMEOUT=str(self.statement_timeout), JWT_ACCESS_MINUTES="720",
                         REDIS_URL=self.redis_url,
                         # The shape, as production sets it: gunicorn.conf.py picks the worker class from these.
                         WEB_CONCURRENCY=str(self.workers), GUNICORN_THREADS=str(self.threads),
                         # DEBUG=false refuses to start without these (saintsxctf/settings.py, production_problems)
                         SECRET_KEY=os.environ.get("SECRET_KEY") or "bench-" + os.urandom(32).hex(),
                         ALLOWED_HOSTS=os.environ.get("ALLOWED_HOSTS") or "127.0.0.1,localhost", **self.extra_env)
        if self.redis_url:
            # The cache database is the benchmark's own: nothing cached for another scale or run survives.
            import redis

            redis.Redis.from_url(self.redis_url).flushdb()
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.proc.returncode}); see {self.log_path}")
            if http_request(self.port, "GET", "/bench/floor/json", timeout=2).status == 200:
                return
            time.sleep(0.3)
        raise SystemExit(f"gunicorn did not answer within 60 s; see {self.log_path}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = None
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the session gunicorn was started in: its workers only
            self.proc.wait(timeout=5)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.db.kill_running_queries()
        self.start()

    def settle(self, timeout: float = 20.0) -> None:
        """Wait until a worker is free again; restart gunicorn if timed-out requests keep it busy."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if http_request(self.port, "GET", "/bench/floor/json", timeout=2).status == 200:
                return
            time.sleep(0.5)
        say("    (server still busy with abandoned requests: restarting gunicorn, cutting off their queries)")
        self.restart()


# ------------------------------------------------------------------------------------------------------------
# The mix
# ------------------------------------------------------------------------------------------------------------
@dataclass
class Endpoint:
    key: str
    name: str
    kind: str  # floor | one_row | heavy | write | info
    method: str
    paths: list[str]
    body: str | None = None
    auth: bool = True
    as_coach: bool = False  # sent with the demo coach's token (an admin of every group), not the runner's
    # Requests spread over these runners, round robin: {"username": ..., "body": ...}, each sent with the runner's
    # own token (signed in when the endpoint is first measured); `body` then only names the first one.
    writers: list[dict] | None = None


def build_mix(t: dict) -> list[Endpoint]:
    u, g = t["username"], t["group_id"]
    start, end = t["range_start"], t["range_end"]
    log_paths = [f"/v2/logs/{i}" for i in t["log_ids"]] or ["/v2/logs/1"]
    commented = [f"/v2/logs/{i}" for i in t["commented_log_ids"]] or log_paths[:1]
    comment_paths = [f"/v2/comments/{i}" for i in t["comment_ids"]] or ["/v2/comments/1"]
    mix = [
        Endpoint("floor_json", "floor: trivial JSON view", "floor", "GET", ["/bench/floor/json"], auth=False),
        Endpoint("floor_select", "floor: + one indexed SELECT", "floor", "GET", [f"/bench/floor/select/{u}"],
                 auth=False),
        Endpoint("floor_drf_jwt", "floor: DRF view + JWT auth (info)", "info", "GET", ["/bench/floor/drf"]),
        Endpoint("feed_all", "log feed (all)", "heavy", "GET", ["/v2/log_feed/all/all/10/0"]),
        Endpoint("feed_group", "log feed (group)", "heavy", "GET", [f"/v2/log_feed/group/{g}/10/0"]),
        Endpoint("feed_user", "log feed (user)", "heavy", "GET", [f"/v2/log_feed/user/{u}/10/0"]),
        Endpoint("log_get", "log get", "one_row", "GET", log_paths),
        Endpoint("log_comments", "comments of a log (log get, most-commented logs)", "heavy", "GET", commented),
        Endpoint("comment_get", "comment get (info)", "info", "GET", comment_paths),
        Endpoint("user_get", "user get", "one_row", "GET", [f"/v2/users/{u}"]),
        Endpoint("user_statistics", "user statistics", "heavy", "GET", [f"/v2/users/statistics/{u}"]),
        Endpoint("user_snapshot", "user snapshot", "heavy", "GET", [f"/v2/users/snapshot/{u}"]),
        Endpoint("notifications", "notifications", "one_row", "GET", [f"/v2/users/notifications/{u}"]),
        *[Endpoint(f"leaderboard_{i}", f"group leaderboard ({i})", "heavy", "GET",
                   [f"/v2/groups/leaderboard/{g}/{i}"]) for i in ("week", "month", "year", "all")],
        Endpoint("group_statistics", "group statistics", "heavy", "GET", [f"/v2/groups/statistics/{g}"]),
        Endpoint("group_members", "group members", "one_row", "GET", [f"/v2/groups/members/{g}"]),
        Endpoint("coach_dashboard", "coach dashboard (group, 12 weeks)", "heavy", "GET",
                 [f"/v2/groups/dashboard/{g}"], as_coach=True),
        Endpoint("runner_targets", "runner's targets", "heavy", "GET", [f"/v2/users/targets/{u}"]),
        Endpoint("range_view_user", "range view (user, one month)", "heavy", "GET",
                 [f"/v2/range_view/users/{u}/r/{start}/{end}"]),
        Endpoint("range_view_group", "range view (group, one month)", "heavy", "GET",
                 [f"/v2/range_view/groups/{g}/r/{start}/{end}"]),
        Endpoint("team_search", "team search", "one_row", "GET", [f"/v2/teams/search/{t['team_search']}/10"]),
        Endpoint("types", "exercise types (info)", "info", "GET", ["/v2/types/"], auth=False),
        Endpoint("log_create", "log create", "write", "POST", ["/v2/logs/"], body=log_body(t, end)),
        Endpoint("log_soft_delete", "log soft delete", "write", "DELETE", ["/v2/logs/soft/{id}"]),
    ]
    writers = [{"username": w["username"], "body": log_body(w, end)} for w in t.get("writers", [])]
    if writers:
        mix.append(Endpoint("log_create_many", f"log create ({len(writers)} writers, round robin)", "write", "POST",
                            ["/v2/logs/"], body=writers[0]["body"], writers=writers))
    return mix


def log_body(runner: dict, day: str) -> str:
    """The body of the benchmark's log create for `runner` ({username, first, last})."""
    return json.dumps({
        "username": runner["username"], "first": runner["first"], "last": runner["last"], "name": "Bench Run",
        "location": "Loopback", "date": day, "type": "run", "distance": 5.0, "metric": "miles", "time": "0:40:00",
        "feel": 6, "description": "Written by the load benchmark.",
    })


def sign_in(server: Server, username: str) -> str:
    """A JWT for a demo account (POST /auth/token)."""
    body = http_request(server.port, "POST", "/auth/token", json.dumps(
        {"clientId": username, "clientSecret": DEMO_PASSWORD}), {"Content-Type": "application/json"}).body
    token = json.loads(body or b"{}").get("result")
    if not isinstance(token, str):
        raise SystemExit(f"POST /auth/token gave no token for {username}")
    return token


def selected(ep: Endpoint, only: list[str]) -> bool:
    if not only or ep.kind == "floor":
        return True
    return any(o == ep.key or o in ep.name.lower() or o in ep.key for o in only)


# ------------------------------------------------------------------------------------------------------------
# Measuring
# ------------------------------------------------------------------------------------------------------------
@dataclass
class Result:
    key: str
    name: str
    kind: str
    method: str
    path: str
    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    requests: int = 0
    errors: int = 0
    error_kinds: dict = field(default_factory=dict)
    statuses: dict = field(default_factory=dict)
    queries: float | None = None
    queries_min: int | None = None
    queries_max: int | None = None
    api_cpu_ms: float | None = None  # CPU per answered request: the API's processes, the database server's
    db_cpu_ms: float | None = None
    probe_status: int | None = None
    probe_ms: float | None = None
    probe_queries: str = ""
    probe_body: str = ""
    note: str = ""
    floor_pct: float | None = None
    growth: float | None = None
    verdict: str = ""


def lua_value(value) -> str:
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        out = []
        for byte in value.encode():
            ch = chr(byte)
            out.append(ch if 32 <= byte < 127 and ch not in '"\\' else f"\\{byte:03d}")
        return '"' + "".join(out) + '"'
    if isinstance(value, list | tuple):
        return "{" + ", ".join(lua_value(v) for v in value) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{lua_value(str(k))}] = {lua_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


class Bench:
    def __init__(self, args: argparse.Namespace, server: Server, token: str, workdir: Path,
                 coach_token: str | None = None):
        self.args, self.server, self.token, self.workdir = args, server, token, workdir
        self.coach_token = coach_token or token
        self.writer_tokens: dict[str, str] = {}

    def variants(self, ep: Endpoint) -> list[dict] | None:
        """The (headers, body) of each writer of `ep`, round robin, each with the writer's own token."""
        if not ep.writers:
            return None
        variants = []
        for writer in ep.writers:
            name = writer["username"]
            if name not in self.writer_tokens:
                self.writer_tokens[name] = sign_in(self.server, name)
            variants.append({"headers": {**self.headers(ep), "Authorization": f"Bearer {self.writer_tokens[name]}"},
                             "body": writer["body"]})
        return variants

    def headers(self, ep: Endpoint) -> dict:
        headers = {"Accept": "application/json"}
        if ep.auth:
            headers["Authorization"] = f"Bearer {self.coach_token if ep.as_coach else self.token}"
        if ep.body is not None:
            headers["Content-Type"] = "application/json"
        return headers

    def probe(self, ep: Endpoint, path: str) -> Response:
        """One request as the measured run sends it (a many-writers endpoint: as its first writer)."""
        variants = self.variants(ep)
        headers, body = (variants[0]["headers"], variants[0]["body"]) if variants else (self.headers(ep), ep.body)
        return http_request(self.server.port, ep.method, path, body, headers, timeout=self.args.timeout)

    def wrk(self, ep: Endpoint, seconds: float, ids_file: Path | None = None, capture_to: Path | None = None) -> dict:
        config = {
            "method": ep.method, "headers": self.headers(ep), "body": ep.body, "paths": ep.paths,
            "threads": self.args.threads, "ids_file": str(ids_file) if ids_file else None,
            "capture": r'"log_id"%s*:%s*(%d+)' if capture_to else None,
            "capture_to": str(capture_to) if capture_to else None, "variants": self.variants(ep),
        }
        config_path = self.workdir / f"{ep.key}.lua"
        config_path.write_text("return " + lua_value(config) + "\n")
        seconds = max(1, round(seconds))
        cmd = ["wrk", f"-t{self.args.threads}", f"-c{self.args.connections}", f"-d{seconds}s",
               "--timeout", f"{max(1, round(self.args.timeout))}s", "-s", str(LUA),
               f"http://127.0.0.1:{self.server.port}"]
        env = dict(os.environ, BENCH_LUA_CONFIG=str(config_path))
        session = self.server.proc.pid if self.server.proc is not None else None
        local_db = self.server.db.host in ("127.0.0.1", "localhost", "::1")
        before = cpu_seconds(session, local_db)
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=seconds + self.args.timeout + 60)
        after = cpu_seconds(session, local_db)
        for line in proc.stdout.splitlines():
            if line.startswith("BENCHJSON "):
                data = json.loads(line[len("BENCHJSON "):])
                data["cpu"] = {name: after[name] - before[name] for name in after if name in before}
                return data
        raise RuntimeError(f"wrk gave no result ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")

    def result_from(self, ep: Endpoint, path: str, data: dict, probe: Response | None = None, note: str = "") -> Result:
        errs = data["errors"]
        requests = max(0, data["requests"] - data.get("exhausted", 0))
        seconds = data["duration_us"] / 1e6
        q = data["queries"]
        if requests == 0 and data.get("unanswered", 0) > 0:
            # wrk counts a timeout only while the connection is open; a run where nothing came back is all errors.
            errs = {**errs, "unanswered": data["unanswered"] - data.get("exhausted", 0)}
            note = note or f"no response within the {seconds:g} s run"
        result = Result(
            ep.key, ep.name, ep.kind, ep.method, path,
            rps=requests / seconds if seconds else None,
            p50_ms=data["latency_us"]["p50"] / 1000 if requests else None,
            p99_ms=data["latency_us"]["p99"] / 1000 if requests else None,
            requests=requests,
            errors=sum(errs.values()),
            error_kinds={k: v for k, v in errs.items() if v},
            statuses=data["statuses"],
            queries=q["sum"] / q["n"] if q["n"] else None,
            queries_min=q["min"] if q["n"] else None,
            queries_max=q["max"] if q["n"] else None,
            api_cpu_ms=1000 * data["cpu"]["api"] / requests if requests and "api" in data.get("cpu", {}) else None,
            db_cpu_ms=1000 * data["cpu"]["db"] / requests if requests and "db" in data.get("cpu", {}) else None,
            note=note,
        )
        if probe is not None:
            self.attach_probe(result, probe)
        return result

    @staticmethod
    def attach_probe(result: Result, probe: Response) -> None:
        result.probe_status = probe.status
        result.probe_ms = round(probe.seconds * 1000, 1)
        result.probe_queries = probe.queries
        if probe.status is None or probe.status >= 400:
            text = probe.error or probe.body.decode("utf-8", "replace")
            result.probe_body = " ".join(text.split())[:300]

    def skipped(self, ep: Endpoint, path: str, probe: Response | None, note: str) -> Result:
        result = Result(ep.key, ep.name, ep.kind, ep.method, path, note=note, errors=-1)
        if probe is not None:
            self.attach_probe(result, probe)
        return result

    def measure(self, ep: Endpoint) -> Result:
        """Probe once (skip endpoints that are missing or time out), warm up, then measure."""
        path = ep.paths[0]
        probe = self.probe(ep, path)
        if probe.status is None:
            self.server.settle()
            return self.skipped(ep, path, probe, f"no answer within {self.args.timeout:g} s ({probe.error})")
        if probe.not_served():
            return self.skipped(ep, path, probe, probe.not_served())
        if self.args.warmup > 0:
            self.wrk(ep, self.args.warmup)
            self.server.settle()  # no requests of the warm-up left queued in front of the measured ones
        data = self.wrk(ep, self.args.duration)
        self.server.settle()
        return self.result_from(ep, path, data, probe)

    def measure_writes(self, create: Endpoint, delete: Endpoint, db: Database, watermark: int, runner: str,
                       many: Endpoint | None = None) -> list[Result]:
        """Log create for the duration as `runner` (its logs become the pool); then the same create spread over
        many writers (`many`), right after it so that the two compare under the same conditions; then soft delete
        of `runner`'s logs.

        The delete run needs a fresh live log per request: a short calibration run estimates its rate and
        unmeasured create runs top the pool up so that it lasts the whole measured run.
        """
        results = []
        created = self.workdir / "created_ids.txt"
        created.write_text("")
        probe = self.probe(create, create.paths[0])
        if probe.not_served():
            results.append(self.skipped(create, create.paths[0], probe, probe.not_served()))
            results.append(self.skipped(delete, delete.paths[0], None, "needs log create"))
            return results
        data = self.wrk(create, self.args.duration, capture_to=created)
        create_result = self.result_from(create, create.paths[0], data, probe)
        results.append(create_result)
        self.server.settle()
        if many is not None:
            results.append(self.measure(many))

        pool = dataset_task(db, "alive-above", str(watermark), runner)["log_ids"]
        if not pool:
            results.append(self.skipped(delete, delete.paths[0], None, "log create made no logs to delete"))
            return results
        first = Endpoint(**{**asdict(delete), "paths": [delete.paths[0].replace("{id}", str(pool[0]))]})
        probe = self.probe(first, first.paths[0])
        if probe.not_served():
            results.append(self.skipped(delete, first.paths[0], probe, probe.not_served()))
            return results

        ids_file = self.workdir / "delete_ids.txt"
        rate, note = 0.0, ""
        for _attempt in range(4):
            pool = dataset_task(db, "alive-above", str(watermark), runner)["log_ids"]
            ids_file.write_text("".join(f"{i}\n" for i in pool))
            if rate == 0.0:  # calibration (also the warm-up): how fast do deletes go?
                calibration = max(1.0, self.args.warmup)
                cal = self.wrk(delete, calibration, ids_file=ids_file)
                rate = cal["requests"] / (cal["duration_us"] / 1e6)
                if cal.get("exhausted"):
                    rate *= 2  # the pool ran out: the rate is higher than seen
                self.server.settle()
                continue
            need = math.ceil(rate * self.args.duration * 1.3) + 4 * self.args.connections
            if len(pool) >= need:
                break
            create_rate = max(create_result.rps or 1.0, 1.0)
            top_up = min(max(1.0, (need - len(pool)) / create_rate * 1.2), 6 * self.args.duration)
            say(f"    (topping up the delete pool: {len(pool)} live logs, need ~{need}; creating for {top_up:.0f} s)")
            self.wrk(create, top_up)
            self.server.settle()
        data = self.wrk(delete, self.args.duration, ids_file=ids_file)
        if data.get("exhausted"):
            note = "ran out of logs to delete before the end: req/s understated"
        results.append(self.result_from(delete, delete.paths[0], data, probe, note))
        self.server.settle()
        return results

    def cleanup(self, db: Database, watermark: int) -> None:
        """Remove every log a run wrote, live or soft deleted, by any of its writers (through the ORM, so the
        summary engine keeps the summaries exact)."""
        purged = dataset_task(db, "purge-above", str(watermark))
        if purged["removed"]:
            say(f"  cleaning up: removed {purged['removed']} benchmark rows")


# ------------------------------------------------------------------------------------------------------------
# Reporting
# ------------------------------------------------------------------------------------------------------------
def fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    if digits == 0 or abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def errors_cell(r: Result) -> str:
    if r.errors < 0:
        return f"all: {r.note}" if r.note else "all"
    if r.errors == 0:
        return "0"
    statuses = ", ".join(f"{code}×{n}" for code, n in sorted(r.statuses.items()) if int(code) >= 400)
    others = ", ".join(f"{k}×{v}" for k, v in r.error_kinds.items() if k != "status")
    detail = "; ".join(x for x in (statuses, others) if x)
    return f"{r.errors:,} ({detail})" if detail else f"{r.errors:,}"


def queries_cell(r: Result) -> str:
    if r.queries is None:
        return "—"
    if r.queries_min is not None and r.queries_min != r.queries_max:
        return f"{r.queries:.1f} ({r.queries_min}–{r.queries_max})"
    return f"{r.queries:.0f}" if float(r.queries).is_integer() else f"{r.queries:.1f}"


def judge(r: Result, check_growth: bool) -> str:
    """The issue's targets for this endpoint: ✓, or what misses."""
    if r.kind in ("floor", "info"):
        return ""
    if r.errors < 0:
        return "✗ not measured"
    misses = []
    if r.errors != 0:
        misses.append("errors")
    if r.p99_ms is None or r.p99_ms >= P99_TARGET_MS:
        misses.append(f"p99≥{P99_TARGET_MS:.0f}ms")
    need = FLOOR_TARGETS.get(r.kind)
    if need is not None and (r.floor_pct is None or r.floor_pct < need):
        misses.append(f"floor<{need:.0f}%")
    if check_growth and (r.growth is None or r.growth < GROWTH_TARGET):
        misses.append(f"growth<{GROWTH_TARGET:.2f}")
    return "✓" if not misses else "✗ " + ", ".join(misses)


def score(results: list[Result], small: list[Result] | None) -> None:
    # The floor is measured before and after the mix; their mean absorbs some of the machine's drift.
    floors = [r.rps for r in results if r.key in ("floor_select", "floor_select_after") and r.rps]
    floor = sum(floors) / len(floors) if floors else None
    small_rps = {r.key: r.rps for r in small or [] if r.rps}
    for r in results:
        r.floor_pct = 100 * r.rps / floor if (floor and r.rps is not None and r.errors >= 0) else None
        if small is not None:
            r.growth = r.rps / small_rps[r.key] if r.rps is not None and small_rps.get(r.key) else None
        r.verdict = judge(r, check_growth=small is not None)


def table(results: list[Result], with_growth: bool) -> str:
    head = ["endpoint", "kind", "req/s", "p50 ms", "p99 ms", "errors", "queries/req", "CPU ms/req (API + DB)",
            "% of 1-SELECT floor"]
    if with_growth:
        head.append("growth (large/small)")
    head.append("target")
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for r in results:
        row = [r.name, KIND_LABELS[r.kind], fmt(r.rps, 0), fmt(r.p50_ms), fmt(r.p99_ms), errors_cell(r),
               queries_cell(r), cpu_cell(r), "" if r.kind == "floor" else fmt(r.floor_pct, 0)]
        if with_growth:
            row.append(fmt(r.growth, 2))
        row.append(r.verdict)
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def cpu_cell(r: Result) -> str:
    if r.api_cpu_ms is None:
        return ""
    return fmt(r.api_cpu_ms, 2) + ("" if r.db_cpu_ms is None else f" + {fmt(r.db_cpu_ms, 2)}")


def details(results: list[Result]) -> str:
    lines = ["| endpoint | request | statuses | probe |", "|---|---|---|---|"]
    for r in results:
        statuses = ", ".join(f"{code}×{n}" for code, n in sorted(r.statuses.items())) or "—"
        probe = "" if r.probe_status is None and not r.probe_body else (
            f"{r.probe_status} in {fmt(r.probe_ms)} ms, {r.probe_queries} queries")
        if r.probe_body:
            probe += f": `{r.probe_body.replace('|', '/').replace('`', '')[:160]}`"
        if r.note and r.errors >= 0:
            probe += f" ({r.note})"
        lines.append(f"| {r.name} | `{r.method} {r.path}` | {statuses} | {probe} |")
    return "\n".join(lines)


def machine(db: Database, load_before: float) -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = None
    try:
        mem_gib = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError):
        pass
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("[")[0].strip()
    gunicorn_version = subprocess.run([sys.executable, "-c", "import gunicorn; print(gunicorn.__version__)"],
                                      capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                           text=True).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": mem_gib, **db.server_facts(),
            "load_before": load_before, "load_after": round(os.getloadavg()[0], 2),
            "python": platform.python_version(), "gunicorn": gunicorn_version, "wrk": wrk_version,
            "commit": commit.strip() + ("+dirty" if dirty else "")}


def machine_line(m: dict) -> str:
    return (f"{m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB RAM; MariaDB {m['mariadb']} "
            f"(innodb_buffer_pool_size {m['buffer_pool_mib']} MiB); Python {m['python']}, gunicorn {m['gunicorn']}, "
            f"{m['wrk']}; commit {m['commit']}; load average {m.get('load_before', '?')} before the run, "
            f"{m.get('load_after', '?')} after")


def scale_report(scale: str, run: dict, with_growth: bool) -> str:
    t, a = run["targets"], run["settings"]
    floors = [r["rps"] for r in run["results"] if r["key"] in ("floor_select", "floor_select_after") and r["rps"]]
    floor_line = ("One-SELECT floor for the % column: " + " and ".join(f"{f:,.0f}" for f in floors)
                  + f" req/s before and after the mix (mean {sum(floors) / len(floors):,.0f})." if floors else "")
    return "\n".join([
        f"### {scale}: {t['logs']:,} logs, {t['users']} users, {t['groups']} groups, {t['comments']:,} comments",
        "",
        f"{run['finished']} · {machine_line(run['machine'])}",
        "",
        f"wrk: {a['connections']} connections ({a['threads']} thread), {a['duration']:g} s per endpoint after "
        f"{a['warmup']:g} s warm-up, {a['timeout']:g} s timeout; gunicorn: {shape(a['workers'], a.get('gunicorn_threads', 1))}, DEBUG=false, "
        f"SQL_QUERY_COUNT_HEADER=true. Largest group: `{t['group_name']}` (id {t['group_id']}, {t['group_members']} "
        f"accepted members, {t['group_logs']:,} logs); user `{t['username']}` ({t['user_logs']:,} logs, on a team of "
        f"{t.get('team_members', '?')} of the {t['users']} accounts); range "
        f"{t['range_start']} – {t['range_end']}. {floor_line}",
        "",
        table([Result(**r) for r in run["results"]], with_growth),
        "",
        "<details><summary>requests, status codes and probes</summary>",
        "",
        details([Result(**r) for r in run["results"]]),
        "",
        "</details>",
    ])


def targets_note() -> str:
    return (f"Targets (issue 7, at the large scale): p99 < {P99_TARGET_MS:.0f} ms and no errors everywhere; one-row "
            f"reads ≥ {FLOOR_TARGETS['one_row']:.0f}% and aggregates ≥ {FLOOR_TARGETS['heavy']:.0f}% of the "
            f"one-SELECT floor's req/s; req/s at large ≥ {GROWTH_TARGET:.0%} of req/s at small.")


# ------------------------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------------------------
def run_scale(scale: str, args: argparse.Namespace, out_dir: Path, small: list[Result] | None) -> dict:
    db = Database(args.db_url, f"bench_{scale}")
    say(f"== {scale} ({SCALES[scale]['logs']:,} logs) ==")
    try:
        db.exists()
    except Exception as exc:
        raise SystemExit(f"cannot reach MariaDB at {args.db_url} ({exc}); start it or set BENCH_DB_URL") from exc
    record = prepare_database(db, scale, args.reseed)
    db.wait_until_quiet()
    load_before = round(os.getloadavg()[0], 2)  # other work on the machine skews every number
    watermark = record["watermark"]
    targets = dataset_task(db, "targets")
    say(f"  largest group {targets['group_name']} (id {targets['group_id']}, {targets['group_members']} members, "
        f"{targets['group_logs']:,} logs); user {targets['username']} ({targets['user_logs']:,} logs, team of "
        f"{targets['team_members']})")
    if scale == "large" and (targets["group_members"] < 130 or targets["group_logs"] < targets["logs"] / 4):
        say(f"  WARNING: issue 7 wants a group of 130+ members holding a quarter of all logs; the largest has "
            f"{targets['group_members']} members and {100 * targets['group_logs'] / max(targets['logs'], 1):.0f}% "
            "of the logs (seed_demo does not make that shape yet?)")
    mix = [ep for ep in build_mix(targets) if selected(ep, args.only)]
    server = Server(db, args.workers, args.statement_timeout, out_dir / f"gunicorn-{scale}.log", args.redis_url,
                    threads=args.gunicorn_threads)
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix=f"bench-{scale}-") as tmp:
        try:
            server.start()
            say(f"  gunicorn on 127.0.0.1:{server.port} ({shape(args.workers, args.gunicorn_threads)})")
            token = sign_in(server, targets["username"])
            bench = Bench(args, server, token, Path(tmp), coach_token=sign_in(server, DEMO_COACH))
            bench.cleanup(db, watermark)  # leftovers of an interrupted run
            writes = {ep.key: ep for ep in mix if ep.kind == "write"}
            for ep in mix:
                if ep.kind == "write":
                    continue
                r = bench.measure(ep)
                results.append(r)
                progress(scale, r)
            if writes:
                create = writes.get("log_create") or next(e for e in build_mix(targets) if e.key == "log_create")
                delete = writes.get("log_soft_delete") or next(
                    e for e in build_mix(targets) if e.key == "log_soft_delete")
                for r in bench.measure_writes(create, delete, db, watermark, targets["username"],
                                              many=writes.get("log_create_many")):
                    if r.key in writes:
                        results.append(r)
                        progress(scale, r)
                bench.cleanup(db, watermark)
            for ep in [ep for ep in mix if ep.kind == "floor"]:
                again = Endpoint(**{**asdict(ep), "key": f"{ep.key}_after", "name": f"{ep.name} (after the mix)"})
                results.append(bench.measure(again))
                progress(scale, results[-1])
        finally:
            server.stop()
    score(results, small)
    run = {
        "scale": scale, "finished": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(db, load_before), "seed": record, "targets": {k: v for k, v in targets.items()
                                                             if not isinstance(v, list)},
        "settings": {k: getattr(args, k) for k in ("duration", "warmup", "connections", "threads", "workers",
                                                    "gunicorn_threads", "timeout", "statement_timeout")},
        "results": [asdict(r) for r in results],
    }
    (out_dir / f"{scale}.json").write_text(json.dumps(run, indent=1))
    return run


def progress(scale: str, r: Result) -> None:
    if r.errors < 0:
        say(f"  [{scale}] {r.name:<48} skipped: {r.note}")
        return
    say(f"  [{scale}] {r.name:<48} {fmt(r.rps, 0):>7} req/s  p50 {fmt(r.p50_ms):>7} ms  p99 {fmt(r.p99_ms):>7} ms  "
        f"errors {errors_cell(r)}  queries/req {queries_cell(r)}  CPU ms/req {cpu_cell(r) or '?'}"
        + (f"  ({r.note})" if r.note else ""))


def load_previous(results_dir: Path, scale: str) -> dict | None:
    path = results_dir / f"latest-{scale}.json"
    return json.loads(path.read_text()) if path.exists() else None


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.replica:  # a program of its own (bench/replicas.py builds on this module, never the other way round)
        os.chdir(ROOT)
        os.execv(sys.executable, [sys.executable, "-m", "bench.replicas", *argv])
    results_dir, out_dir = start_run(args)
    say(f"Benchmark: scales {', '.join(args.scales)}; {args.duration:g} s per endpoint; results in {out_dir}")

    runs: dict[str, dict] = {}
    for scale in args.scales:
        small = None
        if scale == "large":
            previous = runs.get("small") or load_previous(results_dir, "small")
            small = [Result(**r) for r in previous["results"]] if previous else None
        runs[scale] = run_scale(scale, args, out_dir, small)
        shutil.copy(out_dir / f"{scale}.json", results_dir / f"latest-{scale}.json")

    command = "make bench" + "".join(f" {k}={v}" for k, v in (
        ("BENCH_SCALES", ",".join(args.scales)), ("BENCH_DURATION", f"{args.duration:g}"),
        ("BENCH_ONLY", ",".join(args.only))) if os.environ.get(k))
    parts = [f"## Benchmark ({command})", "", targets_note(), ""]
    for scale, run in runs.items():
        parts += [scale_report(scale, run, with_growth=scale == "large"), ""]
    publish("\n".join(parts), out_dir, results_dir / "latest.md")
    return 0


def start_run(args: argparse.Namespace) -> tuple[Path, Path]:
    """Checks wrk, makes this run's results folder, and stops the servers on SIGTERM: (results dir, run dir)."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: run scripts/bench-deps.sh (as root) or `make bench`")
    results_dir = Path(args.results)
    out_dir = results_dir / datetime.now().strftime("%Y%m%d-%H%M%S")
    out_dir.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the servers are stopped on the way out
    return results_dir, out_dir


def publish(report: str, out_dir: Path, latest: Path) -> None:
    """Writes the report into the run's folder and as the latest one, and prints it."""
    (out_dir / "report.md").write_text(report)
    latest.write_text(report)
    say()
    say(report)
    say(f"\nWritten: {out_dir / 'report.md'} (and {latest})")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
