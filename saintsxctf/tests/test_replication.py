"""Read replicas on real replication (issue 16): a private MariaDB primary and replica (GTID binlog replication,
ops/harness.py `ReplicaPair`), a private Redis, and two API instances (gunicorn, two workers each) configured
with DATABASE_REPLICA_URLS, as compose.yaml runs them.

Which server ran what is read off each server's own statement counters (`Com_select`, `Com_insert`, ...). The
replica is reached with an account that may only read (and see its replication status): a statement routed to it
that writes would fail. Runs wherever Debian's mariadbd and redis-server are installed (CI on these machines),
whatever database the rest of the suite uses; skipped where they are not.
"""

import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.urls import reverse

from ops.harness import (
    Gunicorn,
    PrivateMariaDB,
    PrivateRedis,
    ReplicaPair,
    SteadyLoad,
    django_env,
    find_key,
    mariadbd_available,
    query,
    status_counters,
)
from ops.harness import request as http_request
from saintsxctf.tests.servers import manage

pytestmark = [pytest.mark.skipif(not (mariadbd_available() and shutil.which("redis-server")),
                                 reason="needs Debian's mariadbd and redis-server (private servers)"),
              pytest.mark.realtime]  # two gunicorn instances waited on with deadlines: they hang under libfaketime

WRITER, READER, PASSWORD = "coach", "assistant", "saintsxctf"  # seed_demo's accounts
CHECK_SECONDS, RETRY_SECONDS, MAX_LAG = 0.3, 1, 5
WRITES = ("Com_insert", "Com_update", "Com_delete")


def request(*args, **kwargs):
    """One HTTP request, with a generous timeout: this machine is shared (a slow answer is not the point here)."""
    return http_request(*args, timeout=60, **kwargs)


def selects(port: int) -> int:
    return status_counters(port, "Com_select")["Com_select"]


def rows_read(port: int) -> int:
    """The rows a server has read from its tables (its replication thread's too, when it applies events): a
    statement that reads none (a connection's own setup, such as Django's `SELECT VERSION(), @@sql_mode, ...`)
    counts in Com_select but serves no data."""
    return status_counters(port, "Rows_read")["Rows_read"]


def writes(port: int) -> int:
    return sum(status_counters(port, *WRITES).values())


def new_log(note: str) -> dict:
    return {"username": WRITER, "first": "Coach", "last": "Demo", "name": note, "location": "Riverside",
            "date": "2021-05-30", "type": "run", "distance": 3.1, "metric": "miles", "time": "00:21:00", "feel": 6,
            "description": note}


def log_path(log_id: int) -> str:
    return reverse("logs:log-detail", kwargs={"log_id": log_id})


def feed_path(username: str) -> str:
    """A runner's own logs, or with "all" their team's (the demo's runners have logs, its coaches none)."""
    filter_by = "all" if username == "all" else "user"
    return reverse("log_feed:log-feed", kwargs={"filter_by": filter_by, "bucket": username, "limit": 10, "offset": 0})


class System:
    def __init__(self, pair, bases, tokens):
        self.pair, self.bases, self.tokens = pair, bases, tokens
        self.primary, self.replica = pair.primary.port, pair.replica.port

    def get(self, who: str, path: str, instance: int = 0):
        return request(self.bases[instance % 2], "GET", path, token=self.tokens[who])

    def write(self, note: str, instance: int = 0) -> int:
        status, body = request(self.bases[instance % 2], "POST", reverse("logs:log-list"), new_log(note),
                               token=self.tokens[WRITER])
        assert status == 200, body
        return find_key(body, "log_id")

    def reads(self, count: int) -> tuple[int, int]:
        """`count` GETs by the reader (not a writer) through both instances: (selects on the primary, on the
        replica)."""
        before = selects(self.primary), selects(self.replica)
        for i in range(count):
            status, body = self.get(READER, feed_path("all"), instance=i)
            assert status == 200, body
        return selects(self.primary) - before[0], selects(self.replica) - before[1]

    def log_tail(self) -> str:
        return "\n".join(Path(f).read_text()[-3000:] for f in self.logfiles)

    def wait_for_replica_reads(self, timeout: float = 20) -> None:
        """Until a reader's GET is served by the replica again (it is re-checked every RETRY_SECONDS)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.reads(4)[1] >= 4:
                return
            time.sleep(0.2)
        raise AssertionError(f"reads did not come back to the replica: {self.pair.lag()}")


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    logs = tmp_path_factory.mktemp("replication")
    # Free ports (the harness picks them): two suites running at once on one machine never meet.
    with ReplicaPair() as pair, PrivateRedis() as redis:
        # The replica's account reads and sees its replication status, nothing more (created on the primary,
        # it reaches the replica through replication).
        pair.primary.sql("CREATE USER reader@'%'; GRANT SELECT ON saintsxctf.* TO reader@'%'; "
                         "GRANT SLAVE MONITOR ON *.* TO reader@'%'")
        env = django_env(
            pair.primary.url, REDIS_URL=redis.url,
            DATABASE_REPLICA_URLS=f"mysql://reader@127.0.0.1:{pair.replica.port}/saintsxctf",
            REPLICA_CHECK_SECONDS=str(CHECK_SECONDS), REPLICA_RETRY_SECONDS=str(RETRY_SECONDS),
            REPLICA_MAX_LAG_SECONDS=str(MAX_LAG), REPLICA_READ_YOUR_WRITES_SECONDS="8",
            LOG_LEVEL="WARNING", REQUEST_LOG_LEVEL="WARNING",  # the router says when it skips a replica
        )
        # Commands with the replicas configured: they use the primary (the replica account could not migrate).
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "seed_demo", "--users", "6", "--logs", "60")
        pair.wait_caught_up(60)
        with Gunicorn(env, workers=2, logfile=Path(logs / "a.log")) as a, \
                Gunicorn(env, workers=2, logfile=Path(logs / "b.log")) as b:
            tokens = {}
            for who in (WRITER, READER):
                status, body = request(a.base, "POST", reverse("auth:token"), {"clientId": who, "clientSecret": PASSWORD})
                assert status == 200, body
                tokens[who] = body["result"]
            system = System(pair, (a.base, b.base), tokens)
            system.logfiles = (a.logfile, b.logfile)
            system.reads(16)  # every worker has connected to both servers
            yield system


def test_reads_are_served_by_the_replica(system):
    rows_before = rows_read(system.replica)
    on_primary, on_replica = system.reads(20)
    assert on_replica >= 20, system.log_tail()  # the page and its comments (its count is cached)
    assert rows_read(system.replica) > rows_before  # what the other tests watch to see no data read there
    assert on_primary <= 20 + 4  # the token check of each request (always the primary); a worker may reconnect


def test_writes_are_served_by_the_primary(system):
    before = writes(system.primary), selects(system.replica)
    ids = [system.write(f"replicated write {i}", instance=i) for i in range(3)]
    assert writes(system.primary) - before[0] >= 3
    assert selects(system.replica) == before[1]  # a write request reads nothing from the replica
    system.pair.wait_caught_up(30)
    rows = query(system.replica, f"SELECT log_id FROM saintsxctf.logs_log WHERE log_id IN ({', '.join(map(str, ids))})")
    assert sorted(row["log_id"] for row in rows) == sorted(ids)


def test_a_writer_reads_their_write_at_once_through_every_instance(system):
    """The replica applies everything two seconds late (usable: within the lag bound). The writer's next reads,
    through the other instance too, come from the primary; another runner's read is the replica's."""
    system.pair.follow(delay=2)
    try:
        time.sleep(CHECK_SECONDS * 2)
        log_id = system.write("read your writes", instance=0)
        status, body = system.get(WRITER, log_path(log_id), instance=1)
        assert status == 200 and find_key(body, "log_id") == log_id
        status, body = system.get(WRITER, feed_path(WRITER), instance=1)
        assert status == 200 and body["logs"][0]["log_id"] == log_id  # their new log heads their own feed
        status, body = system.get(READER, log_path(log_id), instance=1)
        # The replica really is behind (the contract's "no such log" is a 400): only the pin kept the writer's
        # reads fresh.
        assert (status, body["log"]) == (400, None)
    finally:
        system.pair.follow(delay=0)
        system.pair.wait_caught_up(30)
    assert system.get(READER, log_path(log_id))[0] == 200


def test_a_replica_whose_replication_stopped_is_skipped(system):
    system.pair.replica.sql("STOP SLAVE SQL_THREAD")
    try:
        time.sleep(CHECK_SECONDS * 2)  # every process has read the replica's status since
        before = rows_read(system.replica)
        on_primary, _ = system.reads(10)
        # No data was read from the replica (its statement count is not asked: a worker that opens a new
        # connection to it runs a setup SELECT that reads no row; seen once under heavy load).
        assert rows_read(system.replica) == before and on_primary >= 10
    finally:
        system.pair.replica.sql("START SLAVE SQL_THREAD")
    system.pair.wait_caught_up(30)
    system.wait_for_replica_reads()


def test_stopping_the_replica_under_load_fails_no_request_and_loses_no_write(system):
    def one(i):
        if i % 4 == 0:
            status, body = request(system.bases[i % 2], "POST", reverse("logs:log-list"), new_log(f"under load {i}"),
                                   token=system.tokens[WRITER])
            return status, find_key(body, "log_id"), "write"
        status, body = system.get(READER, feed_path("all" if i % 3 else WRITER), instance=i)
        return status, None, "read"

    stopper = threading.Timer(1.5, system.pair.replica.stop)
    stopper.start()
    outcomes = SteadyLoad(one, rate=25, seconds=4, threads=6).run()
    stopper.join()
    assert system.pair.replica.process is None
    failed = [(o.started, o.status, o.label) for o in outcomes if o.status != 200]
    assert not failed, failed
    acknowledged = sorted(o.payload for o in outcomes if o.label == "write")
    assert len(acknowledged) == len([o for o in outcomes if o.label == "write"]) >= 20
    rows = query(system.primary, "SELECT log_id FROM saintsxctf.logs_log WHERE log_id IN "
                                 f"({', '.join(map(str, acknowledged))})")
    assert sorted(row["log_id"] for row in rows) == acknowledged

    # Restarted, the replica catches up (GTID) and takes the reads back.
    system.pair.replica.start()
    system.pair.wait_caught_up(60)
    rows = query(system.replica, "SELECT COUNT(*) AS n FROM saintsxctf.logs_log WHERE log_id IN "
                                 f"({', '.join(map(str, acknowledged))})")
    assert rows[0]["n"] == len(acknowledged)
    system.wait_for_replica_reads()


def test_an_aggregate_read_right_after_a_write_is_computed_on_the_primary(system):
    """The cached aggregates are versioned by writes: a value computed on a replica that is behind the write would be
    stored under the new version and served to every runner. So an aggregate is computed on the primary; here the
    replica is two seconds behind, and another runner reads the writer's statistics at once."""
    path = reverse("users:user-statistics", kwargs={"username": WRITER})
    status, body = system.get(READER, path)
    assert status == 200, body
    before = body["stats"]["miles_all_time"]
    system.pair.follow(delay=2)
    try:
        time.sleep(CHECK_SECONDS * 2)
        system.write("an input of the statistics", instance=0)
        for instance in (1, 0):  # computed (and cached) by one instance, read from the cache by the other
            status, body = system.get(READER, path, instance=instance)
            assert status == 200 and body["stats"]["miles_all_time"] == pytest.approx(before + 3.1)
    finally:
        system.pair.follow(delay=0)
        system.pair.wait_caught_up(30)


def test_a_private_server_leaves_the_temporary_tables_of_other_servers_alone():
    """A starting mariadbd deletes every `#sql*` file of its tmpdir; in the shared /tmp those are the temporary
    tables of queries the main server is running (a bench seed failed that way while this module ran)."""
    canary = Path(tempfile.gettempdir()) / f"#sql-temptable-canary-{os.getpid()}.MAI"
    canary.write_text("")
    try:
        with PrivateMariaDB():
            assert canary.exists()
    finally:
        canary.unlink(missing_ok=True)
