"""The replica router through the real stack (saintsxctf/foundation/replicas), on SQLite and MariaDB alike.

A second connection to the test database stands in for a replica (alias `replica_test`, the replica engine): the
statements each connection runs show which database served what. Real replication (a primary and a MariaDB
replica, lag, a replica stopped under load) is in ops/tests/test_replication.py.
"""

import json
import time

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import OperationalError, connections, transaction
from django.db.utils import ConnectionHandler, load_backend
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import client_for
from logs.models import ExerciseType, Log
from logs.tests.factories import LogFactory
from saintsxctf.foundation.replicas import routing
from users.tests.factories import UserFactory

REPLICA = "replica_test"


def replica_settings(**changes) -> dict:
    settings_dict = dict(connections["default"].settings_dict)
    engine = settings_dict["ENGINE"].rsplit(".", 1)[-1]
    settings_dict.update(ENGINE=f"saintsxctf.foundation.replicas.{engine}", CONN_MAX_AGE=0, **changes)
    return settings_dict


def add_replica(**changes) -> None:
    """Open `replica_test` as a connection of this thread only: the router reaches it as `connections[alias]`,
    and Django's test case, which refuses aliases of the settings a test did not ask for, allows it."""
    remove_replica()
    settings_dict = replica_settings(**changes)
    setattr(connections._connections, REPLICA, load_backend(settings_dict["ENGINE"]).DatabaseWrapper(
        settings_dict, REPLICA))


def remove_replica() -> None:
    replica = getattr(connections._connections, REPLICA, None)
    if replica is not None:
        replica.close()
        delattr(connections._connections, REPLICA)
    routing._health.pop(REPLICA, None)


@pytest.fixture
def replica(transactional_db, settings):
    """A replica alias on the test database; a cache every request shares (this process's memory)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.DATABASE_REPLICAS = [REPLICA]
    ExerciseType.objects.get_or_create(type="run")  # a transactional test's flush removes the migrations' rows
    add_replica()
    yield
    remove_replica()


def served(client, path, **kwargs):
    """(response, statements on the primary, statements on the replica)."""
    with CaptureQueriesContext(connections["default"]) as primary, \
            CaptureQueriesContext(connections[REPLICA]) as replica:
        response = client.generic(kwargs.pop("method", "GET"), path, **kwargs)
    return response, len(primary), len(replica)


def log_body(username, **changes):
    return {"username": username, "first": "Andy", "last": "Jarombek", "name": "Hillcrest Park", "location": "Riverside, CT", "date": "2021-05-30", "type": "run",
            "distance": 4.43, "metric": "miles", "time": "00:31:47", "feel": 6, "description": "In CT.", **changes}


def test_reads_of_a_get_are_served_by_the_replica(replica):
    runner = UserFactory()
    log = LogFactory(user=runner)
    response, on_primary, on_replica = served(client_for(UserFactory()), reverse("logs:log-detail",
                                                                                 kwargs={"log_id": log.pk}))
    assert response.status_code == 200
    assert response.json()["log"]["log_id"] == log.pk
    assert on_replica >= 1
    assert on_primary == 1  # the token's user and its revocation: always the primary


def test_a_write_and_every_read_of_its_request_use_the_primary(replica):
    runner = UserFactory()
    client = client_for(runner)
    response, on_primary, on_replica = served(client, reverse("logs:log-list"), method="POST",
                                              data=json.dumps(log_body(runner.username)),
                                              content_type="application/json")
    assert response.status_code == 200, response.content
    assert on_replica == 0 and on_primary > 1
    assert Log.objects.using("default").filter(user=runner).count() == 1


def test_a_writer_reads_from_the_primary_for_the_window_others_from_the_replica(replica):
    runner, reader = UserFactory(), UserFactory()
    writer = client_for(runner)
    response = writer.post(reverse("logs:log-list"), log_body(runner.username), format="json")
    log_id = response.json()["log"]["log_id"]
    detail = reverse("logs:log-detail", kwargs={"log_id": log_id})

    response, _, on_replica = served(writer, detail)
    assert response.status_code == 200 and on_replica == 0  # their own new log, from the primary
    response, _, on_replica = served(client_for(reader), detail)
    assert response.status_code == 200 and on_replica >= 1  # someone else: the replica

    cache.delete(routing.PIN_PREFIX + runner.username)  # the window is over
    response, _, on_replica = served(writer, detail)
    assert response.status_code == 200 and on_replica >= 1


def test_the_window_is_the_setting(replica, settings):
    runner = UserFactory()
    client_for(runner).post(reverse("logs:log-list"), log_body(runner.username), format="json")
    assert cache._cache.get(cache.make_key(routing.PIN_PREFIX + runner.username)) is not None
    expiry = cache._expire_info[cache.make_key(routing.PIN_PREFIX + runner.username)]
    assert settings.REPLICA_READ_YOUR_WRITES_SECONDS - 2 < expiry - time.time() <= \
        settings.REPLICA_READ_YOUR_WRITES_SECONDS


def test_a_new_account_reads_its_rows_from_the_primary(replica):
    routing_state = routing.RequestRouting("POST", None)
    token = routing._request.set(routing_state)
    try:
        routing.note_writer("newcomer")
    finally:
        routing._request.reset(token)
    assert routing_state.writers == {"newcomer"}


def test_an_unreadable_pin_reads_from_the_primary(replica, settings):
    runner = UserFactory()
    log = LogFactory(user=runner)
    # A cache that fails every call (as a Redis that is away does): the writer cannot be looked up.
    shared = settings.CACHES
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0",
                                   "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}}
    try:
        response, _, on_replica = served(client_for(runner), reverse("logs:log-detail", kwargs={"log_id": log.pk}))
    finally:
        settings.CACHES = shared  # before the test's cleanup clears the cache
    assert response.status_code == 200 and on_replica == 0


def test_without_a_shared_cache_every_read_uses_the_primary(replica, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    log = LogFactory()
    response, _, on_replica = served(client_for(UserFactory()), reverse("logs:log-detail", kwargs={"log_id": log.pk}))
    assert response.status_code == 200 and on_replica == 0


def test_transactions_and_reads_outside_requests_use_the_primary(replica):
    log = LogFactory()

    def in_a_get(read):
        token = routing._request.set(routing.RequestRouting("GET", None))
        try:
            with CaptureQueriesContext(connections[REPLICA]) as on_replica:
                read()
        finally:
            routing._request.reset(token)
        return len(on_replica)

    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        Log.objects.get(pk=log.pk)  # no request: a command, the worker, a shell
    assert len(on_replica) == 0

    def in_a_transaction():
        with transaction.atomic():
            Log.objects.get(pk=log.pk)

    def under_a_lock():
        with transaction.atomic():
            Log.objects.select_for_update().get(pk=log.pk)
        Log.objects.get(pk=log.pk)  # after a lock (a write to the router), the request reads the primary

    def on_primary():
        with routing.on_primary():
            Log.objects.get(pk=log.pk)

    assert (in_a_get(in_a_transaction), in_a_get(under_a_lock), in_a_get(on_primary)) == (0, 0, 0)
    assert in_a_get(lambda: Log.objects.get(pk=log.pk)) == 1


def test_a_row_read_from_the_replica_is_saved_on_the_primary(replica):
    log = LogFactory(name="before")
    token = routing._request.set(routing.RequestRouting("GET", None))
    try:
        read = Log.objects.get(pk=log.pk)
        assert read._state.db == REPLICA
        read.name = "after"
        with CaptureQueriesContext(connections[REPLICA]) as on_replica:
            read.save()
    finally:
        routing._request.reset(token)
    assert not [q for q in on_replica.captured_queries if not q["sql"].upper().startswith("SELECT")]
    assert Log.objects.using("default").get(pk=log.pk).name == "after"


def test_a_replica_that_is_down_is_skipped_without_an_error(replica, settings):
    if connections["default"].vendor == "mysql":
        add_replica(PORT="1", HOST="127.0.0.1")  # nothing listens there
    else:
        add_replica(NAME="/nonexistent-folder/replica.sqlite3")
    log = LogFactory()
    client = client_for(UserFactory())
    for _ in range(2):
        response = client.get(reverse("logs:log-detail", kwargs={"log_id": log.pk}))
        assert response.status_code == 200 and response.json()["log"]["log_id"] == log.pk
    assert routing.health(REPLICA).down_until > 0


def test_a_replica_that_fails_during_a_read_hands_it_to_the_primary(replica, settings):
    log = LogFactory()
    settings.REPLICA_CHECK_SECONDS = 60  # the check passed; the replica then fails under the read itself
    assert routing.usable(REPLICA)

    def lost(execute, sql, params, many, context):
        raise OperationalError(2013, "Lost connection to server during query")

    connections[REPLICA].ensure_connection()
    with connections[REPLICA].execute_wrapper(lost):
        response, on_primary, _ = served(client_for(UserFactory()), reverse("logs:log-detail",
                                                                            kwargs={"log_id": log.pk}))
    assert response.status_code == 200 and response.json()["log"]["log_id"] == log.pk
    assert on_primary >= 2  # the token's user, then the log the replica could not read
    assert not routing.usable(REPLICA)  # left alone for REPLICA_RETRY_SECONDS


def test_a_lagging_replica_is_skipped(replica, settings, monkeypatch):
    log = LogFactory()
    client = client_for(UserFactory())
    path = reverse("logs:log-detail", kwargs={"log_id": log.pk})
    settings.REPLICA_CHECK_SECONDS = 0
    monkeypatch.setattr(routing, "replication_lag", lambda alias: settings.REPLICA_MAX_LAG_SECONDS + 1)
    response, _, on_replica = served(client, path)
    assert response.status_code == 200 and on_replica == 0
    monkeypatch.setattr(routing, "replication_lag", lambda alias: None)  # replication stopped: lag unknown
    response, _, on_replica = served(client, path)
    assert response.status_code == 200 and on_replica == 0
    monkeypatch.setattr(routing, "replication_lag", lambda alias: settings.REPLICA_MAX_LAG_SECONDS)
    response, _, on_replica = served(client, path)
    assert response.status_code == 200 and on_replica >= 1


def test_migrations_never_touch_a_replica(replica):
    router = routing.ReplicaRouter()
    assert router.allow_migrate(REPLICA, "logs") is False
    assert router.allow_migrate("default", "logs") is None
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        call_command("migrate", verbosity=0, interactive=False)
    assert on_replica.captured_queries == []


@pytest.mark.django_db
def test_the_token_subject_is_read_without_trusting_it():
    from saintsxctf.foundation.auth.tokens import issue_access_token

    user = UserFactory.build(username="andy")
    user.save()
    assert routing.token_subject(f"Bearer {issue_access_token(user)}") == "andy"
    for header in ("", "Bearer", "Bearer a.b", "Bearer a.!!!.c", "Basic YTpi", "Bearer e30.e30.x"):
        assert routing.token_subject(header) is None


@pytest.mark.parametrize("urls, problem", [
    ("mysql://u@h/db", "must use the primary's engine"),
])
def test_settings_refuse_a_replica_of_another_engine(urls, problem, monkeypatch):
    import importlib

    import saintsxctf.settings as module

    if connections["default"].vendor == "mysql":
        urls = "sqlite:///x.sqlite3"
    monkeypatch.setenv("DATABASE_REPLICA_URLS", urls)
    with pytest.raises(Exception, match=problem):
        importlib.reload(module)
    monkeypatch.delenv("DATABASE_REPLICA_URLS")
    importlib.reload(module)


def test_settings_add_one_alias_per_replica_url(monkeypatch):
    import importlib

    import saintsxctf.settings as module

    url = connections["default"].settings_dict
    primary = "sqlite:///a.sqlite3" if url["ENGINE"].endswith("sqlite3") else "mysql://root@127.0.0.1:3306/x"
    monkeypatch.setenv("DATABASE_URL", primary)
    monkeypatch.setenv("DATABASE_REPLICA_URLS", f"{primary}, {primary}")
    try:
        reloaded = importlib.reload(module)
        assert reloaded.DATABASE_REPLICAS == ["replica1", "replica2"]
        assert reloaded.DATABASES["replica2"]["ENGINE"].startswith("saintsxctf.foundation.replicas.")
        assert reloaded.DATABASES["replica2"]["TEST"]["MIRROR"] == "default"
        assert reloaded.DATABASE_ROUTERS == ["saintsxctf.foundation.replicas.routing.ReplicaRouter"]
        assert ConnectionHandler(reloaded.DATABASES)["replica1"].__class__.__module__.startswith("saintsxctf.foundation.replicas")
    finally:
        monkeypatch.undo()
        importlib.reload(module)
