"""Shared pieces of `make faults` and `make soak`: a private MariaDB, gunicorn, a steady load, process memory.

Everything runs on loopback and is bounded in time. The MariaDB server is private to the run (its own data
directory under /tmp, its own port): the fault script stops and starts it, so it must never be a server that
anyone else is using. Every process started here is stopped here, by its pid.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def server_env() -> dict[str, str]:
    """The environment for the servers started here (MariaDB, Redis, nginx): ours without libfaketime. They stand
    for servers outside the API, which keep real time as the system MariaDB does when the test process's clock is
    faked (scripts/repeat-suite.sh); under libfaketime mariadbd never came up."""
    return {name: value for name, value in os.environ.items()
            if name != "LD_PRELOAD" and not name.startswith("FAKETIME")}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float) -> float:
    """Seconds until something accepts TCP on 127.0.0.1:port; raises TimeoutError."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return time.monotonic() - start
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class PrivateMariaDB:
    """A throwaway mariadbd on 127.0.0.1:<port> with its own data directory. Use as a context manager.

    `server_id` turns on the binary log (row events, GTIDs), as a replication primary or replica needs."""

    def __init__(self, port: int | None = None, server_id: int | None = None, read_only: bool = False):
        self.port = port or free_port()
        self.server_id, self.read_only = server_id, read_only
        self.dir = Path(tempfile.mkdtemp(prefix="saintsxctf-ops-db-"))
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"mysql://root@127.0.0.1:{self.port}/saintsxctf"

    def __enter__(self) -> PrivateMariaDB:
        self.install()
        self.start()
        self.sql("CREATE DATABASE saintsxctf CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        return self

    def install(self) -> None:
        subprocess.run(
            [shutil.which("mariadb-install-db") or "mariadb-install-db", "--no-defaults",
             f"--datadir={self.dir / 'data'}", "--user=root", "--auth-root-authentication-method=normal",
             "--skip-test-db", f"--tmpdir={self.tmpdir()}"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=server_env(),
        )

    def tmpdir(self) -> Path:
        """Its own temporary directory: a starting mariadbd deletes every `#sql*` file of its tmpdir, and in the
        shared /tmp those are the temporary tables of the queries another server is running (a bench seed on the
        main server failed with "Error on delete of '/tmp/#sql-temptable-...'" when a test started its servers)."""
        path = self.dir / "tmp"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def sql(self, statement: str) -> None:
        subprocess.run([shutil.which("mariadb") or "mariadb", "-h127.0.0.1", f"-P{self.port}", "-uroot", "-e",
                        statement], check=True, env=server_env())

    def start(self) -> float:
        """Start mariadbd on the existing data directory; seconds until it accepts connections."""
        if self.server_id is None:
            binlog = ["--skip-log-bin"]
        else:
            binlog = [f"--server-id={self.server_id}", f"--log-bin={self.dir / 'data' / 'binlog'}",
                      "--binlog-format=ROW", "--log-slave-updates=0", "--gtid-strict-mode=1",
                      f"--relay-log={self.dir / 'data' / 'relay'}"]
            if self.read_only:
                binlog.append("--read-only=1")
        self.process = subprocess.Popen(
            ["/usr/sbin/mariadbd", "--no-defaults", f"--datadir={self.dir / 'data'}", f"--tmpdir={self.tmpdir()}",
             f"--socket={self.dir / 'mysqld.sock'}", f"--port={self.port}", "--bind-address=127.0.0.1",
             "--user=root", f"--pid-file={self.dir / 'mysqld.pid'}", f"--log-error={self.dir / 'error.log'}",
             "--innodb-buffer-pool-size=64M", *binlog, "--innodb-flush-log-at-trx-commit=1",
             "--max-connections=200"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=server_env(),
        )
        return wait_for_port(self.port, 60)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop this mariadbd (by its pid): SIGTERM is a clean shutdown, SIGKILL a crash."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=60)
        self.process = None

    def __exit__(self, *exc) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def mariadbd_available() -> bool:
    """Whether this machine can run the private servers of PrivateMariaDB and ReplicaPair."""
    return os.access("/usr/sbin/mariadbd", os.X_OK) and shutil.which("mariadb-install-db") is not None


def query(port: int, statement: str) -> list[dict]:
    """Rows of `statement` on the private server at 127.0.0.1:<port>, as dicts (root, no database)."""
    import MySQLdb
    import MySQLdb.cursors

    with MySQLdb.connect(host="127.0.0.1", port=port, user="root", connect_timeout=5,
                         cursorclass=MySQLdb.cursors.DictCursor) as connection:
        cursor = connection.cursor()
        cursor.execute(statement)
        return list(cursor.fetchall())


def status_counters(port: int, *names: str) -> dict[str, int]:
    """Global status counters of a server (e.g. Com_select: the SELECT statements it has run)."""
    listed = ", ".join(f"'{name}'" for name in names)
    rows = query(port, f"SHOW GLOBAL STATUS WHERE Variable_name IN ({listed})")
    return {row["Variable_name"]: int(row["Value"]) for row in rows}


class ReplicaPair:
    """A private primary and one replica (a second mariadbd), with GTID binlog replication: the primary's
    database `saintsxctf` is created after the replica follows it, so the replica holds every row. Use as a
    context manager; `primary` and `replica` are the two PrivateMariaDB."""

    def __init__(self, primary_port: int | None = None, replica_port: int | None = None):
        self.primary = PrivateMariaDB(primary_port, server_id=1)
        self.replica = PrivateMariaDB(replica_port, server_id=2, read_only=True)

    def __enter__(self) -> ReplicaPair:
        try:
            for server in (self.primary, self.replica):
                server.install()
            self.primary.start()
            self.replica.start()
            self.follow()
            self.primary.sql("CREATE DATABASE saintsxctf CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
            self.wait_caught_up(30)
        except BaseException:
            self.__exit__()
            raise
        return self

    def follow(self, delay: int = 0) -> None:
        """(Re)point the replica at the primary, from its own GTID position, `delay` seconds behind."""
        self.replica.sql(f"STOP SLAVE; CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={self.primary.port}, "
                         f"MASTER_USER='root', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1, "
                         f"MASTER_DELAY={delay}; START SLAVE")

    def lag(self) -> dict:
        """The replica's view: Slave_IO_Running, Slave_SQL_Running, Seconds_Behind_Master, Gtid_IO_Pos."""
        rows = query(self.replica.port, "SHOW SLAVE STATUS")
        return rows[0] if rows else {}

    def caught_up(self) -> bool:
        primary = query(self.primary.port, "SELECT @@gtid_binlog_pos AS pos")[0]["pos"]
        replica = query(self.replica.port, "SELECT @@gtid_slave_pos AS pos")[0]["pos"]
        return primary == replica

    def wait_caught_up(self, timeout: float) -> float:
        """Seconds until the replica has applied everything the primary logged; raises TimeoutError."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            try:
                if self.caught_up():
                    return time.monotonic() - start
            except Exception:  # noqa: BLE001 - a server that is starting
                pass
            time.sleep(0.05)
        raise TimeoutError(f"the replica did not catch up in {timeout}s: {self.lag()}")

    @property
    def env(self) -> dict[str, str]:
        """DATABASE_URL and DATABASE_REPLICA_URLS of the pair."""
        return {"DATABASE_URL": self.primary.url, "DATABASE_REPLICA_URLS": self.replica.url}

    def __exit__(self, *exc) -> None:
        self.replica.__exit__()
        self.primary.__exit__()


class PrivateRedis:
    """A throwaway redis-server on 127.0.0.1:<port>, keeping nothing on disk. Use as a context manager."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self) -> PrivateRedis:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--bind", "127.0.0.1", "--port", str(self.port),
             "--save", "", "--appendonly", "no", "--dir", tempfile.gettempdir()],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=server_env(),
        )
        wait_for_port(self.port, 15)
        return self

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)


def django_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of the server and of this script's own Django: production-like, loopback only."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update({
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": env.get("SECRET_KEY") or "ops-" + os.urandom(32).hex(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "ERROR",
        # A load test is not a throttle test: lift the limits for the load's one address and account.
        **{f"THROTTLE_{scope}_{kind}": "1000000/min" for scope in ("TOKEN", "SIGNUP", "FORGOT_PASSWORD",
                                                                  "ACTIVATION_CODE") for kind in ("IP", "ACCOUNT")},
        **{f"THROTTLE_{name}": "1000000/min" for name in ("CODE_CHECK_IP", "CHANGE_PASSWORD_ACCOUNT",
                                                          "NOTIFICATION_SENDER")},
        **extra,
    })
    return env


def setup_django(env: dict[str, str]) -> None:
    """Configure this process's Django against the same database as the server, and migrate it."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saintsxctf.settings")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


class Gunicorn:
    """gunicorn serving the project on 127.0.0.1:<port>. Use as a context manager."""

    def __init__(self, env: dict[str, str], workers: int = 2, port: int | None = None, logfile: Path | None = None):
        self.env, self.workers, self.port = env, workers, port or free_port()
        self.logfile = logfile or Path(tempfile.mkstemp(prefix="saintsxctf-ops-gunicorn-", suffix=".log")[1])
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Gunicorn:
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "saintsxctf.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers), "--timeout", "30", "--graceful-timeout", "5"],
            cwd=ROOT, env=self.env, stdout=self.logfile.open("w"), stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port, 30)
        deadline = time.monotonic() + 30
        while len(self.worker_pids()) < self.workers and time.monotonic() < deadline:
            time.sleep(0.1)
        return self

    def worker_pids(self) -> list[int]:
        if not self.process:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return sorted(int(pid) for pid in children.read_text().split())
        except OSError:
            return []

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


NGINX_TEMPLATE = ROOT / "ops" / "nginx" / "saintsxctf.conf.template"
NGINX_VARIABLES = ("SAINTSXCTF_LISTEN", "SAINTSXCTF_API_UPSTREAM", "SAINTSXCTF_WEB_ROOT")


def nginx_binary() -> str | None:
    """Debian's nginx (scripts/test-deps.sh installs it), or whatever `nginx` is on PATH."""
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def render_nginx_conf(**values: str) -> str:
    """ops/nginx/saintsxctf.conf.template with its ${SAINTSXCTF_...} values filled in, as envsubst would (nginx's
    own `$host`, `$uri`, ... stay as they are)."""
    text = NGINX_TEMPLATE.read_text()
    for name in NGINX_VARIABLES:
        text = text.replace("${" + name + "}", values[name])
    if "${" in text:
        raise ValueError("an unfilled ${...} is left in the nginx template")
    return text


class FrontProxy:
    """A private nginx running ops/nginx's file on 127.0.0.1:<port> in front of `api_port`, serving `web_root`.

    Unprivileged: its own prefix, pid, logs and temp folders under a temporary directory; stopped by its pid."""

    def __init__(self, api_port: int, web_root: Path, port: int | None = None):
        self.api_port, self.web_root, self.port = api_port, Path(web_root), port or free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="saintsxctf-nginx-"))
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def main_conf(self) -> str:
        temp = "\n".join(f"    {kind}_temp_path {self.dir / kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                               "uwsgi", "scgi"))
        # Run as root (CI), nginx's workers would drop to `nobody`, who cannot read a private temporary folder.
        user = "user root;\n" if os.geteuid() == 0 else ""
        return (f"{user}worker_processes 1;\npid {self.dir / 'nginx.pid'};\nerror_log {self.dir / 'error.log'};\n"
                f"events {{ worker_connections 256; }}\nhttp {{\n    include /etc/nginx/mime.types;\n"
                f"    default_type application/octet-stream;\n    access_log {self.dir / 'access.log'};\n{temp}\n"
                f"    include {self.dir / 'saintsxctf.conf'};\n}}\n")

    def __enter__(self) -> FrontProxy:
        binary = nginx_binary()
        if binary is None:
            raise FileNotFoundError("nginx is not installed (scripts/test-deps.sh installs it)")
        (self.dir / "saintsxctf.conf").write_text(render_nginx_conf(
            SAINTSXCTF_LISTEN=f"127.0.0.1:{self.port}", SAINTSXCTF_API_UPSTREAM=f"127.0.0.1:{self.api_port}",
            SAINTSXCTF_WEB_ROOT=str(self.web_root)))
        (self.dir / "nginx.conf").write_text(self.main_conf())
        command = [binary, "-p", str(self.dir), "-c", str(self.dir / "nginx.conf"), "-e", str(self.dir / "error.log")]
        check = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True, timeout=30, env=server_env())
        if check.returncode != 0:
            raise RuntimeError(f"nginx refused the configuration:\n{check.stderr}")
        self.process = subprocess.Popen([*command, "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, env=server_env())
        wait_for_port(self.port, 15)
        return self

    def error_log(self) -> str:
        path = self.dir / "error.log"
        return path.read_text() if path.exists() else ""

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: finish the requests in flight
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def find_key(payload, key):
    """The first value of `key` anywhere in a JSON body (e.g. log.log_id)."""
    if isinstance(payload, dict):
        if key in payload:
            return payload[key]
        for value in payload.values():
            found = find_key(value, key)
            if found is not None:
                return found
    return None


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def request(base: str, method: str, path: str, body=None, token: str | None = None,
            timeout: float = 10) -> tuple[int, object]:
    """(status, parsed JSON or None); status 0 when no HTTP answer came back at all."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if data is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    except (OSError, urllib.error.URLError):
        return 0, None
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, None


@dataclass
class Outcome:
    started: float  # seconds since the load began
    status: int
    payload: object = None
    label: str = ""


@dataclass
class SteadyLoad:
    """Send `make_request(i)` at `rate` requests per second from `threads` threads for `seconds`.

    Request i is due at start + i / rate, whoever is free sends it: the rate stays steady while some requests
    are slow (up to `threads` in flight), and the schedule is bounded by `seconds`."""

    make_request: object  # callable(i) -> Outcome-producing callable
    rate: float
    seconds: float
    threads: int = 8
    outcomes: list[Outcome] = field(default_factory=list)

    def run(self) -> list[Outcome]:
        total = int(self.rate * self.seconds)
        start = time.monotonic()
        counter = iter(range(total))
        lock = threading.Lock()

        def worker():
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                delay = start + i / self.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                sent = time.monotonic() - start
                status, payload, label = self.make_request(i)
                with lock:
                    self.outcomes.append(Outcome(sent, status, payload, label))

        pool = [threading.Thread(target=worker, daemon=True) for _ in range(self.threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        self.outcomes.sort(key=lambda outcome: outcome.started)
        return self.outcomes
