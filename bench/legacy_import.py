"""Time `manage.py import_legacy` on a generated legacy database (issue 17: 1M logs in under 60 s).

    .venv/bin/python bench/legacy_import.py                      # 500 runners, 1M logs, 300k comments, 200k notifications
    .venv/bin/python bench/legacy_import.py --logs 100000 --comments 30000 --notifications 20000
    .venv/bin/python bench/legacy_import.py --legacy-server mysql://root@127.0.0.1:3501   # source on another server

The legacy database (`bench_legacy_<logs>`, the legacy schema of saintsxctf/tests/data/legacy with the original's
test data and a generated club: saintsxctf/tests/legacy_db.py `generate()`) is built once and kept; `--regenerate`
builds it again. The target database (`--target-db`, default `bench_import`) is dropped, created and migrated
before each run, so each run is a first import. The run prints the command's own output (rows/s per table and
for the summary rebuild), the total, rows/s over every legacy row, and the load average before and after (the
machine may be shared: compare runs made in the same conditions).
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import MySQLdb

ROOT = Path(__file__).resolve().parent.parent
TABLES = ("types", "users", "teams", "groups", "teammembers", "teamgroups", "groupmembers", "codes",
          "forgotpassword", "flair", "logs", "comments", "notifications")


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def server(url: str, db: str | None = None):
    parts = urlparse(url)
    return MySQLdb.connect(host=parts.hostname or "127.0.0.1", port=parts.port or 3306, user=parts.username or "root",
                           passwd=parts.password or "", charset="utf8mb4", **({"db": db} if db else {}))


def legacy_rows(url: str, name: str) -> int | None:
    """Rows in every imported legacy table, or None when the database is missing or unfinished."""
    conn = server(url)
    cur = conn.cursor()
    cur.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %s AND table_name = 'bench_done'",
                [name])
    if not cur.fetchone()[0]:
        return None
    total = 0
    for table in TABLES:
        cur.execute(f"SELECT COUNT(*) FROM `{name}`.`{table}`")
        total += cur.fetchone()[0]
    conn.close()
    return total


def build_legacy(url: str, name: str, args) -> None:
    os.environ["LEGACY_TEST_SERVER"] = url
    sys.path.insert(0, str(ROOT))
    from saintsxctf.tests.legacy_db import create_legacy_database

    started = time.monotonic()
    print(f"generating {name} on {url} ...", flush=True)
    database = create_legacy_database(name)
    database.generate(runners=args.runners, logs=args.logs, comments=args.comments,
                      notifications=args.notifications, say=lambda text: print(f"  {text}", flush=True))
    database.execute("CREATE TABLE bench_done (done INT)")  # a generation that stopped half-way is not reused
    print(f"generated in {time.monotonic() - started:.0f}s", flush=True)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runners", type=int, default=500)
    p.add_argument("--logs", type=int, default=1_000_000)
    p.add_argument("--comments", type=int, default=300_000)
    p.add_argument("--notifications", type=int, default=200_000)
    p.add_argument("--legacy-server", default="mysql://root@127.0.0.1:3306", help="server of the legacy database")
    p.add_argument("--target-server", default="mysql://root@127.0.0.1:3306", help="server of the database to fill")
    p.add_argument("--target-db", default="bench_import")
    p.add_argument("--regenerate", action="store_true", help="build the legacy database again")
    p.add_argument("--stream", action="store_true", help="never copy in SQL (import_legacy --stream)")
    args = p.parse_args(argv)

    name = f"bench_legacy_{args.logs}"
    if args.regenerate or legacy_rows(args.legacy_server, name) is None:
        build_legacy(args.legacy_server, name, args)
    total = legacy_rows(args.legacy_server, name)

    conn = server(args.target_server)
    cur = conn.cursor()
    cur.execute(f"DROP DATABASE IF EXISTS `{args.target_db}`")
    cur.execute(f"CREATE DATABASE `{args.target_db}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    conn.close()
    target = urlparse(args.target_server)
    env = {**os.environ, "DATABASE_URL": f"{target.scheme}://{target.netloc}/{args.target_db}", "REDIS_URL": ""}
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)

    source = urlparse(args.legacy_server)
    before = load()
    started = time.monotonic()
    command = [python, "manage.py", "import_legacy", f"{source.scheme}://{source.netloc}/{name}"]
    result = subprocess.run(command + (["--stream"] if args.stream else []), cwd=ROOT, env=env)
    seconds = time.monotonic() - started
    print(f"\nimport_legacy: {total:,} legacy rows in {seconds:.1f}s = {total / seconds:,.0f} rows/s "
          f"(load average before: {before}; after: {load()})")
    check = subprocess.run([python, "-c", (
        "import django; django.setup(); from users.models import User; "
        "print('legacy bcrypt hash verifies:', User.all_objects.get(username='runner0001').check_password('apitest'))"
    )], cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "saintsxctf.settings"})
    return result.returncode or check.returncode


if __name__ == "__main__":
    sys.exit(main())
