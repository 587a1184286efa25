"""The replica mode of the benchmark (`make bench BENCH_REPLICA=1`, `bench/run.py --replica`): the read mix
served by the primary alone and then with one replica, side by side from one run, and the replica's lag.

A private MariaDB primary and replica (ops/harness.py `ReplicaPair`, GTID binlog replication, ports 3471 and
3472) and a private Redis; the data set is seeded once on the primary (`--replica-logs`, small by default) and
replicated. Then, for each mode, gunicorn runs with the same settings, except `DATABASE_REPLICA_URLS` in the
second, and wrk runs each GET endpoint of the mix (bench/run.py's, without floors and writes) in turn. Beside
req/s and latency, each row shows the share of the SELECT statements (`Com_select` on each server) that the
replica ran. A heartbeat (one row written on the primary every 0.2 s, bench_probe.heartbeat) measures how long
each write takes to become visible on the replica, during each mode: the lag seen.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from bench.run import (
    DEMO_COACH,
    Bench,
    Database,
    Server,
    build_mix,
    dataset_task,
    django_env,
    fmt,
    machine,
    parse_args,
    publish,
    run_streaming,
    say,
    selected,
    sign_in,
    start_run,
)

PRIMARY_PORT, REPLICA_PORT = 3471, 3472  # private servers of the replica mode (3400-3499: the replica work's range)
HEARTBEAT_SECONDS = 0.2


class LagProbe:
    """Writes a sequence number on the primary every HEARTBEAT_SECONDS and times until the replica shows it."""

    def __init__(self, pair):
        self.pair = pair
        self.samples: list[float] = []  # milliseconds from the primary's commit to the replica showing it
        self.seconds_behind: list[int] = []  # the replica's own Seconds_Behind_Master, sampled
        self.selects = 0  # SELECTs this probe ran on the replica (not the API's: subtracted from Com_select)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def setup(self) -> None:
        from ops.harness import query

        query(self.pair.primary.port, "CREATE DATABASE IF NOT EXISTS bench_probe")
        query(self.pair.primary.port, "CREATE TABLE IF NOT EXISTS bench_probe.heartbeat "
                                      "(id INT PRIMARY KEY, seq BIGINT NOT NULL)")
        self.pair.wait_caught_up(60)

    def run(self) -> None:
        import MySQLdb

        primary = MySQLdb.connect(host="127.0.0.1", port=self.pair.primary.port, user="root", autocommit=True)
        replica = MySQLdb.connect(host="127.0.0.1", port=self.pair.replica.port, user="root", autocommit=True)
        seq = int(time.time() * 1000)
        try:
            while not self._stop.is_set():
                seq += 1
                primary.cursor().execute("REPLACE INTO bench_probe.heartbeat VALUES (1, %s)", (seq,))
                written = time.monotonic()
                cursor = replica.cursor()
                while not self._stop.is_set() and time.monotonic() - written < 30:
                    cursor.execute("SELECT seq FROM bench_probe.heartbeat WHERE id = 1")
                    self.selects += 1
                    row = cursor.fetchone()
                    if row and row[0] >= seq:
                        self.samples.append((time.monotonic() - written) * 1000)
                        break
                    time.sleep(0.002)
                cursor.execute("SHOW SLAVE STATUS")
                names = [column[0] for column in cursor.description]
                status = dict(zip(names, cursor.fetchone() or (), strict=False))
                if status.get("Seconds_Behind_Master") is not None:
                    self.seconds_behind.append(int(status["Seconds_Behind_Master"]))
                self._stop.wait(HEARTBEAT_SECONDS)
        finally:
            primary.close()
            replica.close()

    def __enter__(self) -> LagProbe:
        self.samples, self.seconds_behind = [], []
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, daemon=True, name="lag-probe")
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=35)



def lag_summary(samples: list[float], seconds_behind: list[int]) -> dict:
    samples = sorted(samples)
    if not samples:
        return {"samples": 0}
    return {"samples": len(samples), "p50_ms": statistics.median(samples),
            "p99_ms": samples[min(len(samples) - 1, int(len(samples) * 0.99))], "max_ms": samples[-1],
            "max_seconds_behind_master": max(seconds_behind, default=None)}


def selects(port: int) -> int:
    from ops.harness import status_counters

    return status_counters(port, "Com_select")["Com_select"]


MODES = ("primary", "replica")


def measure_modes(args: argparse.Namespace, db: Database, pair, redis_url: str, mix, targets: dict,
                  out_dir: Path) -> dict:
    """Both servers run side by side (the same settings but DATABASE_REPLICA_URLS in the second); each endpoint
    is measured on one and at once on the other, so both see the same machine load. The lag probe runs
    throughout; its samples are split by the mode being measured."""
    servers = {mode: Server(db, args.workers, args.statement_timeout, out_dir / f"gunicorn-replica-mode-{mode}.log",
                            redis_url, extra_env={"DATABASE_REPLICA_URLS": pair.replica.url} if mode == "replica"
                            else {}) for mode in MODES}
    rows: dict[str, list] = {mode: [] for mode in MODES}
    lags: dict[str, list] = {mode: [] for mode in MODES}
    probe = LagProbe(pair)
    with tempfile.TemporaryDirectory(prefix="bench-replica-") as tmp:
        try:
            benches = {}
            for mode, server in servers.items():
                server.start()
                say(f"  [{mode}] gunicorn on 127.0.0.1:{server.port} ({args.workers} sync workers)"
                    + (f", DATABASE_REPLICA_URLS={pair.replica.url}" if mode == "replica" else ", no replica"))
                token = sign_in(server, targets["username"])
                benches[mode] = Bench(args, server, token, Path(tmp), coach_token=sign_in(server, DEMO_COACH))
            with probe:
                for ep in mix:
                    for mode in MODES:
                        before = selects(pair.primary.port), selects(pair.replica.port), probe.selects
                        samples = len(probe.samples)
                        result = benches[mode].measure(ep)
                        lags[mode] += probe.samples[samples:]
                        on_primary = selects(pair.primary.port) - before[0]
                        on_replica = selects(pair.replica.port) - before[1] - (probe.selects - before[2])
                        rows[mode].append({**asdict(result), "primary_selects": on_primary,
                                           "replica_selects": on_replica})
                        share = 100 * on_replica / max(1, on_primary + on_replica)
                        say(f"  [{mode}] {result.name:<48} {fmt(result.rps, 0):>7} req/s  p50 {fmt(result.p50_ms):>7} "
                            f"ms  p99 {fmt(result.p99_ms):>7} ms  errors {result.errors}  replica share {share:.0f}%")
        finally:
            for server in servers.values():
                server.stop()
    return {mode: {"results": rows[mode], "lag": lag_summary(lags[mode], probe.seconds_behind)} for mode in MODES}


def run_replica_mode(args: argparse.Namespace, out_dir: Path) -> str:
    from ops.harness import PrivateRedis, ReplicaPair, mariadbd_available

    if not mariadbd_available():
        raise SystemExit("the replica mode needs Debian's mariadbd and mariadb-install-db (private servers)")
    scale = {"users": args.replica_users, "groups": args.replica_groups, "logs": args.replica_logs}
    say(f"== replica mode: {scale['logs']:,} logs, {scale['users']} users, {scale['groups']} groups; private primary "
        f":{PRIMARY_PORT} and replica :{REPLICA_PORT} ==")
    with ReplicaPair(PRIMARY_PORT, REPLICA_PORT) as pair, PrivateRedis() as redis:
        db = Database(f"mysql://root@127.0.0.1:{pair.primary.port}", "saintsxctf")
        run_streaming([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], django_env(db), "    ")
        started = time.monotonic()
        run_streaming([sys.executable, "manage.py", "seed_demo", "--users", str(scale["users"]), "--groups",
                       str(scale["groups"]), "--logs", str(scale["logs"])], django_env(db), "    ")
        say(f"  seeded in {time.monotonic() - started:.0f} s; replica caught up in {pair.wait_caught_up(600):.1f} s")
        probe = LagProbe(pair)
        probe.setup()
        load_before = round(os.getloadavg()[0], 2)
        targets = dataset_task(db, "targets")
        mix = [ep for ep in build_mix(targets) if ep.method == "GET" and ep.kind in ("one_row", "heavy", "info")
               and not ep.key.startswith("floor") and selected(ep, args.only)]
        modes = measure_modes(args, db, pair, redis.url, mix, targets, out_dir)
        run = {"finished": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(db, load_before),
               "scale": scale, "settings": {k: getattr(args, k) for k in ("duration", "warmup", "connections",
                                                                           "workers")},
               "modes": modes}
    (out_dir / "replica.json").write_text(json.dumps(run, indent=1))
    return replica_report(run)


def replica_report(run: dict) -> str:
    m, a = run["machine"], run["settings"]
    primary = {r["key"]: r for r in run["modes"]["primary"]["results"]}
    replica = {r["key"]: r for r in run["modes"]["replica"]["results"]}
    lines = [
        f"### Replica mode: {run['scale']['logs']:,} logs, {run['scale']['users']} users, {run['scale']['groups']} groups",
        "",
        f"{run['finished']} · {m['cpu']}, {m['cores']} cores; MariaDB {m['mariadb']} (primary and replica on this "
        f"machine); commit {m['commit']}; load average {m['load_before']} before, {m['load_after']} after.",
        "",
        f"wrk: {a['connections']} connections, {a['duration']:g} s per endpoint after {a['warmup']:g} s warm-up; "
        f"gunicorn {a['workers']} sync workers per server. Two servers on the same data with the same settings, "
        "the second with `DATABASE_REPLICA_URLS` (one replica); each endpoint is measured on the first and at once "
        "on the second. \"SELECTs on the replica\": the replica's share of the SELECT statements the endpoint's "
        "requests ran (Com_select of both servers; the token check always reads the primary).",
        "",
        "| endpoint | primary only req/s | p50 / p99 ms | errors | with one replica req/s | p50 / p99 ms | errors "
        "| SELECTs on the replica | ratio |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for key, p in primary.items():
        r = replica.get(key, {})
        share = 100 * r.get("replica_selects", 0) / max(1, r.get("primary_selects", 0) + r.get("replica_selects", 0))
        ratio = (r["rps"] / p["rps"]) if p.get("rps") and r.get("rps") else None
        lines.append(f"| {p['name']} | {fmt(p['rps'], 0)} | {fmt(p['p50_ms'])} / {fmt(p['p99_ms'])} | {p['errors']} "
                     f"| {fmt(r.get('rps'), 0)} | {fmt(r.get('p50_ms'))} / {fmt(r.get('p99_ms'))} | "
                     f"{r.get('errors', '—')} | {share:.0f}% | {fmt(ratio, 2)} |")
    lines.append("")
    for mode, label in (("primary", "primary only"), ("replica", "with one replica")):
        lag = run["modes"][mode]["lag"]
        if lag.get("samples"):
            lines.append(f"Replica lag seen while measuring {label}: {lag['samples']} heartbeats, commit on the primary to visible "
                         f"on the replica p50 {lag['p50_ms']:.1f} ms, p99 {lag['p99_ms']:.1f} ms, max "
                         f"{lag['max_ms']:.1f} ms; Seconds_Behind_Master at most {lag['max_seconds_behind_master']} over the run.\n")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """`bench/run.py --replica` (make bench BENCH_REPLICA=1) runs this: `python -m bench.replicas [run.py's options]`."""
    args = parse_args(argv)
    results_dir, out_dir = start_run(args)
    say(f"Benchmark, replica mode: {args.duration:g} s per endpoint; results in {out_dir}")
    publish(run_replica_mode(args, out_dir), out_dir, results_dir / "latest-replica.md")
    return 0


if __name__ == "__main__":  # pragma: no cover - started by bench/run.py --replica
    raise SystemExit(main(sys.argv[1:]))
