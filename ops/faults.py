"""`make faults`: restart MariaDB under a steady write load; nothing acknowledged may be lost.

1. A private MariaDB (own data directory and port under /tmp: never a server anyone else uses) is created and
   migrated; a runner to write as is added.
2. gunicorn serves the project on it (DEBUG off, persistent connections with health checks, as in production).
3. A steady write load runs (`--write`: token = POST /auth/token, log = POST /v2/logs/, notification =
   POST /v2/notifications/). At `--restart-at` seconds MariaDB is stopped (SIGTERM; `--crash` for SIGKILL),
   left down `--down` seconds, and started again.
4. Checks: the API answers 2xx again within `--max-recovery` seconds of MariaDB accepting connections, with
   the same gunicorn workers (no restart); no 2xx at all while the database is down is needed, and what is
   refused then is a 503 (with Retry-After), never a 500; every write acknowledged with a 2xx is in the
   database; no error once it has recovered.

Exit status 0 when every check passes. Bounded: about `--seconds` plus setup (~15 s).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ops.harness import (  # noqa: E402
    Gunicorn,
    PrivateMariaDB,
    SteadyLoad,
    django_env,
    find_key,
    log,
    request,
    setup_django,
)

PASSWORD = "faults-password"
USERNAME = "faultrunner"


def token_write(base, run_id):
    def send(i):
        status, body = request(base, "POST", "/auth/token", {"clientId": USERNAME, "clientSecret": PASSWORD})
        ack = None
        if 200 <= status < 300 and isinstance(body, dict) and body.get("refresh"):
            from rest_framework_simplejwt.tokens import RefreshToken

            ack = RefreshToken(body["refresh"], verify=False)["jti"]
        return status, ack, ""

    def stored(acks):
        from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

        return set(OutstandingToken.objects.filter(jti__in=acks).values_list("jti", flat=True))

    return send, stored


def log_write(base, run_id, token):
    def send(i):
        status, body = request(base, "POST", "/v2/logs/", {
            "username": USERNAME, "first": "Fault", "last": "Runner", "name": f"faults {run_id} #{i}",
            "location": "loopback", "date": "2024-05-01", "type": "run", "distance": 5, "metric": "miles",
            "time": "00:40:00", "feel": 6, "description": f"faults {run_id} #{i}"}, token=token)
        return status, find_key(body, "log_id") if 200 <= status < 300 else None, ""

    def stored(acks):
        from logs.models import Log

        return set(Log.objects.filter(pk__in=acks).values_list("pk", flat=True))

    return send, stored


def notification_write(base, run_id, token):
    def send(i):
        status, body = request(base, "POST", "/v2/notifications/", {
            "username": USERNAME, "time": "2024-05-01 10:00:00", "link": None, "viewed": "N",
            "description": f"faults {run_id} #{i}"}, token=token)
        return status, find_key(body, "notification_id") if 200 <= status < 300 else None, ""

    def stored(acks):
        from notifications.models import Notification

        return set(Notification.objects.filter(pk__in=acks).values_list("pk", flat=True))

    return send, stored


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", choices=["token", "log", "notification"], default="token")
    parser.add_argument("--seconds", type=float, default=30, help="length of the load (default 30)")
    parser.add_argument("--rate", type=float, default=5, help="requests per second (default 5)")
    parser.add_argument("--restart-at", type=float, default=8, help="stop MariaDB this many seconds in")
    parser.add_argument("--down", type=float, default=3, help="seconds MariaDB stays down (default 3)")
    parser.add_argument("--crash", action="store_true", help="SIGKILL MariaDB instead of a clean stop")
    parser.add_argument("--max-recovery", type=float, default=5, help="seconds allowed to answer again")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    run_id = uuid.uuid4().hex[:8]
    failures: list[str] = []
    with PrivateMariaDB() as db:
        log(f"private MariaDB on 127.0.0.1:{db.port} ({db.dir})")
        env = django_env(db.url)
        setup_django(env)
        from saintsxctf.foundation.auth.tokens import issue_access_token
        from users.models import User

        user = User.objects.create_user(USERNAME, PASSWORD, first="Fault", last="Runner",
                                        email="faults@example.com")
        token = issue_access_token(user)
        from django.db import connection

        connection.close()  # this process's own connection must not hide anything from the server

        with Gunicorn(env, workers=args.workers) as server:
            workers_before = server.worker_pids()
            log(f"gunicorn {server.base}, workers {workers_before}; write={args.write} at {args.rate}/s "
                f"for {args.seconds}s; MariaDB {'crash' if args.crash else 'stop'} at {args.restart_at}s "
                f"for {args.down}s")
            send, stored = {"token": lambda: token_write(server.base, run_id),
                            "log": lambda: log_write(server.base, run_id, token),
                            "notification": lambda: notification_write(server.base, run_id, token)}[args.write]()

            events = {}
            load_start = time.monotonic()

            def fault():
                time.sleep(args.restart_at)
                events["down"] = time.monotonic() - load_start
                db.stop(signal.SIGKILL if args.crash else signal.SIGTERM)
                events["stopped"] = time.monotonic() - load_start
                time.sleep(args.down)
                db.start()
                events["up"] = time.monotonic() - load_start

            faulter = threading.Thread(target=fault)
            faulter.start()
            outcomes = SteadyLoad(send, rate=args.rate, seconds=args.seconds).run()
            faulter.join()
            workers_after = server.worker_pids()

        acks = [o.payload for o in outcomes if 200 <= o.status < 300 and o.payload is not None]
        ok_without_ack = [o for o in outcomes if 200 <= o.status < 300 and o.payload is None]
        from django.db import connection

        connection.close()
        present = stored(acks)
        missing = [ack for ack in acks if ack not in present]

    statuses = Counter(o.status for o in outcomes)
    after_up = [o for o in outcomes if o.started >= events["up"]]
    first_ok = next((o for o in after_up if 200 <= o.status < 300), None)
    recovery = first_ok.started - events["up"] if first_ok else None
    errors_after_recovery = [o for o in after_up if first_ok and o.started > first_ok.started
                             and not 200 <= o.status < 300]
    during = [o for o in outcomes if events["down"] <= o.started < events["up"]]

    log(f"requests {len(outcomes)}: " + ", ".join(f"{s or 'no answer'}: {n}" for s, n in sorted(statuses.items())))
    log(f"MariaDB stopped at {events['down']:.1f}s (gone at {events['stopped']:.1f}s), accepting again at "
        f"{events['up']:.1f}s; while down: {Counter(o.status for o in during)}")
    log(f"first 2xx after MariaDB came back: {recovery:.2f}s" if recovery is not None else "no 2xx after restart")
    log(f"gunicorn workers before {workers_before}, after {workers_after}")
    log(f"acknowledged writes {len(acks)}, in the database {len(acks) - len(missing)}, missing {len(missing)}")

    if recovery is None or recovery > args.max_recovery:
        failures.append(f"the API did not answer 2xx within {args.max_recovery}s of MariaDB coming back")
    if workers_before != workers_after:
        failures.append("gunicorn workers changed")
    if missing:
        failures.append(f"acknowledged writes missing from the database: {missing[:10]}")
    if ok_without_ack:
        failures.append(f"{len(ok_without_ack)} 2xx answers without the written row's id")
    if statuses.get(500):
        failures.append(f"{statuses[500]} answers were 500: an unavailable database must answer 503")
    if errors_after_recovery:
        failures.append(f"{len(errors_after_recovery)} errors after recovery: "
                        f"{Counter(o.status for o in errors_after_recovery)}")
    if not acks:
        failures.append("no write was acknowledged at all")
    for failure in failures:
        log(f"FAIL: {failure}")
    log("faults: OK" if not failures else "faults: FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
