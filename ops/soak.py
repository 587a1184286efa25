"""`make soak`: a steady mixed load against gunicorn for SOAK_MINUTES (default 10); zero errors, no leak.

A private MariaDB (as in ops/faults.py) with the demo data set, gunicorn with DEBUG off and no
`--max-requests` (a worker recycled on a schedule would hide a leak). The load mixes the endpoints in `MIX`
at `--rate` requests per second, as one demo runner: log feeds (all, group, user), log get/create/soft delete,
user profile/statistics/memberships, group leaderboards/members/statistics, notifications, team search, sign-in. The RSS of every gunicorn worker is sampled every `--sample` seconds.

Pass when:
- every request answered its expected status (zero errors, zero timeouts), and the workers were never
  replaced;
- no worker's RSS grew by more than `--rss-bound` MiB (default 16) between the end of the warm-up (the first
  20% of the run, at least 30 s: imports, caches and connection pools settle there) and the end.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import threading
import time
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
    rss_kib,
    setup_django,
)

# (weight, method, path, body, needs a token, expected status). `{name}` is filled from the run's context
# (the runner, their group, a seeded log and notification of theirs); `{new_log}` is a log this run created
# (see LogPool). About 85% reads, as the web client's pages are.
LOG_BODY = {"username": "{username}", "first": "{first}", "last": "{last}", "name": "soak", "location": "loopback",
            "date": "2024-05-01", "type": "run", "distance": 5, "metric": "miles", "time": "00:40:00", "feel": 6,
            "description": "soak"}
MIX = [
    (2, "GET", "/", None, False, 200),
    (1, "GET", "/v2/links", None, False, 200),
    (1, "POST", "/auth/authenticate", {"token": "{token}"}, False, 200),
    (1, "POST", "/auth/token", {"clientId": "{username}", "clientSecret": "{password}"}, False, 200),
    (6, "GET", "/v2/log_feed/all/all/10/0", None, True, 200),
    (6, "GET", "/v2/log_feed/group/{group_id}/10/0", None, True, 200),
    (4, "GET", "/v2/log_feed/user/{username}/10/0", None, True, 200),
    (5, "GET", "/v2/logs/{log_id}", None, True, 200),
    (3, "POST", "/v2/logs/", LOG_BODY, True, 200),
    (2, "DELETE", "/v2/logs/soft/{new_log}", None, True, 204),
    (5, "GET", "/v2/users/{username}", None, True, 200),
    (3, "GET", "/v2/users/statistics/{username}", None, True, 200),
    (2, "GET", "/v2/users/memberships/{username}", None, True, 200),
    (3, "GET", "/v2/groups/leaderboard/{group_id}/month", None, True, 200),
    (2, "GET", "/v2/groups/leaderboard/{group_id}", None, True, 200),
    (3, "GET", "/v2/groups/members/{group_id}", None, True, 200),
    (1, "GET", "/v2/groups/statistics/{group_id}", None, True, 200),
    (3, "GET", "/v2/users/notifications/{username}", None, True, 200),
    (1, "GET", "/v2/notifications/{notification_id}", None, True, 200),
    (2, "GET", "/v2/teams/search/{team_prefix}/10", None, True, 200),
    (1, "GET", "/v2/types/", None, True, 200),
    (1, "GET", "/v2/no-such-thing", None, False, 404),
]


class LogPool:
    """Logs this run created, soft deleted oldest first once more than `keep` exist (so no request reads a log
    another thread is deleting: reads use the seeded logs). A delete due while too few exist creates instead."""

    def __init__(self, keep: int = 20):
        self.keep, self.ids, self.lock = keep, [], threading.Lock()

    def add(self, log_id) -> None:
        with self.lock:
            self.ids.append(log_id)

    def take(self):
        with self.lock:
            return self.ids.pop(0) if len(self.ids) > self.keep else None


def expand(value, context):
    if isinstance(value, str):
        return value.format(**context)
    if isinstance(value, dict):
        return {key: expand(item, context) for key, item in value.items()}
    return value


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("SOAK_MINUTES", 10)))
    parser.add_argument("--rate", type=float, default=25, help="requests per second (default 25)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample", type=float, default=10, help="seconds between RSS samples")
    parser.add_argument("--rss-bound", type=float, default=16, help="MiB a worker may grow after warm-up")
    args = parser.parse_args(argv)

    seconds = args.minutes * 60
    schedule = [entry for entry in MIX for _ in range(entry[0])]
    random.Random(2017).shuffle(schedule)  # interleaved, the same order every run
    failures: list[str] = []
    with PrivateMariaDB() as db:
        env = django_env(db.url)
        setup_django(env)
        from django.core.management import call_command
        from django.db import connection

        from saintsxctf.foundation.auth.tokens import issue_access_token
        from saintsxctf.operations.demo import DEMO_PASSWORD

        call_command("seed_demo", verbosity=0, stdout=io.StringIO())
        from groups.models import GroupMember
        from logs.models import Log
        from notifications.models import Notification
        from teams.models import Team

        # The runner with the most logs among those in an accepted group: every path of the mix has data.
        member = (GroupMember.objects.filter(status="accepted", user__is_staff=False, user__logs__isnull=False,
                                             user__notifications__isnull=False)
                  .select_related("user").order_by("user__username").first())
        user = member.user
        context = {"username": user.username, "password": DEMO_PASSWORD, "first": user.first, "last": user.last,
                   "token": issue_access_token(user), "group_id": member.group_id,
                   "log_id": Log.objects.filter(user=user).order_by("log_id").values_list("log_id", flat=True)[0],
                   "notification_id": Notification.objects.filter(user=user).values_list(
                       "notification_id", flat=True)[0],
                   "team_prefix": Team.objects.values_list("name", flat=True)[0][:4]}
        username = user.username
        connection.close()

        with Gunicorn(env, workers=args.workers) as server:
            workers = server.worker_pids()
            log(f"soak: {args.minutes:g} min at {args.rate:g}/s against {server.base} (workers {workers}), "
                f"MariaDB 127.0.0.1:{db.port}, as {username}")

            pool = LogPool()

            def send(i):
                _, method, path, body, needs_token, expected = schedule[i % len(schedule)]
                label = f"{method} {path}"
                if "{new_log}" in path:
                    new_log = pool.take()
                    if new_log is None:  # too few of our own logs yet: write one instead
                        _, method, path, body, needs_token, expected = next(e for e in MIX if e[1] == "POST"
                                                                            and e[2] == "/v2/logs/")
                    path = path.replace("{new_log}", str(new_log))
                status, answer = request(server.base, method, expand(path, context), expand(body, context),
                                         token=context["token"] if needs_token else None)
                if method == "POST" and path == "/v2/logs/" and status == expected:
                    pool.add(find_key(answer, "log_id"))
                return status, expected, label

            samples: list[tuple[float, dict[int, int]]] = []
            done = threading.Event()
            start = time.monotonic()

            def sampler():
                while not done.is_set():
                    samples.append((time.monotonic() - start, {pid: rss_kib(pid) for pid in server.worker_pids()}))
                    done.wait(args.sample)

            sampling = threading.Thread(target=sampler)
            sampling.start()
            outcomes = SteadyLoad(send, rate=args.rate, seconds=seconds).run()
            done.set()
            sampling.join()
            samples.append((time.monotonic() - start, {pid: rss_kib(pid) for pid in server.worker_pids()}))
            workers_after = server.worker_pids()
            elapsed = time.monotonic() - start

    errors = [o for o in outcomes if o.status != o.payload]
    log(f"requests {len(outcomes)} in {elapsed:.0f}s ({len(outcomes) / elapsed:.1f}/s), "
        f"errors {len(errors)} {dict(Counter((o.label, o.status) for o in errors))}")
    warmup = max(30.0, seconds * 0.2)
    baseline = next((rss for t, rss in samples if t >= warmup), samples[0][1])
    final = samples[-1][1]
    for pid in workers:
        series = [rss.get(pid, 0) // 1024 for _, rss in samples]
        growth = (final.get(pid, 0) - baseline.get(pid, 0)) / 1024
        log(f"worker {pid}: RSS MiB over time {series[:3]} ... {series[-3:]}; after warm-up "
            f"{baseline.get(pid, 0) / 1024:.1f} → end {final.get(pid, 0) / 1024:.1f} ({growth:+.1f} MiB, "
            f"bound {args.rss_bound:g})")
        if growth > args.rss_bound:
            failures.append(f"worker {pid} grew {growth:.1f} MiB after warm-up")
    if errors:
        failures.append(f"{len(errors)} requests did not answer as expected")
    if workers_after != workers:
        failures.append(f"gunicorn workers changed: {workers} → {workers_after}")
    for failure in failures:
        log(f"FAIL: {failure}")
    log("soak: OK" if not failures else "soak: FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
