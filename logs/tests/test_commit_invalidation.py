"""The cached aggregates stay exact when a reader runs while a writer's transaction is open (MariaDB: each
request in its own thread and connection; skipped on SQLite, whose test database locks whole tables).

The race logs/cached.py guards against: the writer bumps the data version at once; a reader then computes from
the data as committed so far (without the write) and stores that value under the new version; the writer
commits. Only the second bump, on commit, keeps that value from being served afterwards."""

import threading

import pytest
from django.db import connections, transaction
from django.urls import reverse

from conftest import client_for
from groups.tests.factories import GroupFactory, GroupMemberFactory
from logs.models import ExerciseType
from saintsxctf.foundation import clock as server_clock
from saintsxctf.tests.concurrency import needs_server_db
from teams.tests.factories import TeamFactory, TeamMemberFactory

pytestmark = [needs_server_db, pytest.mark.django_db(transaction=True)]


def read_in_another_connection(call):
    """`call()` in a thread of its own (its own database connection, seeing only committed data)."""
    result, errors = [], []

    def run():
        try:
            result.append(call())
        except Exception as error:  # noqa: BLE001 - re-raised below
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    if errors:
        raise errors[0]
    return result[0]


@pytest.fixture
def runner(transactional_db, user):
    ExerciseType.objects.get_or_create(type="run")  # an earlier transactional test's flush removed it
    team, group = TeamFactory(), GroupFactory()
    TeamMemberFactory(team=team, user=user, status="accepted")
    GroupMemberFactory(group=group, user=user)
    return client_for(user), group


def log_body(**overrides):
    return {"username": "andy", "first": "Andy", "last": "Jarombek", "name": "Run", "location": "Riverside, CT",
            "date": server_clock.today().isoformat(), "type": "run", "distance": 5, "metric": "miles",
            "time": "0:40:00", "feel": 6, "description": "", **overrides}


@pytest.mark.parametrize("name", ["groups:group-statistics", "users:user-statistics", "groups:group-leaderboard"])
def test_a_reader_during_the_writers_transaction_leaves_no_stale_value(runner, name):
    client, group = runner
    url = reverse(name, kwargs={"username": "andy"} if name.startswith("users") else {"group_id": group.pk})

    def miles(body):
        if "leaderboard" in body:
            return sum(row["miles"] for row in body["leaderboard"])
        return body["stats"]["miles_all_time"]

    assert miles(client.get(url).json()) == 0
    with transaction.atomic():  # the writer's request, committed when the block ends
        assert client.post(reverse("logs:log-list"), log_body(), format="json").status_code == 200
        # The concurrent reader: sees the data as committed (no log yet), caches it under the bumped version.
        assert miles(read_in_another_connection(lambda: client.get(url).json())) == 0
    assert miles(client.get(url).json()) == 5
    assert miles(read_in_another_connection(lambda: client.get(url).json())) == 5
