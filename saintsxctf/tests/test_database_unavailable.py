"""A database that is down or gives up on a lock answers 503 with Retry-After, never a 500 (make faults)."""

import pytest
from django.db import OperationalError, connection
from django.urls import reverse


@pytest.mark.parametrize("error", ["(2002, \"Can't connect to server on '127.0.0.1'\")",
                                   "(1213, 'Deadlock found when trying to get lock')"])
def test_an_unavailable_database_answers_503(auth_client, user, monkeypatch, error):
    def unavailable():
        raise OperationalError(error)

    with monkeypatch.context() as patch:  # undone before the test database is torn down
        patch.setattr(connection, "ensure_connection", unavailable)
        resp = auth_client.get(reverse("users:user-detail", kwargs={"username": "andy"}))
    assert resp.status_code == 503
    assert resp["Retry-After"] == "5"
    body = resp.json()
    assert body["error_description"] == "Service Unavailable"
    assert body["exception"] == "The database is unavailable or busy; try again shortly."
    assert "Traceback" not in resp.content.decode()


def _deadlocking(monkeypatch, times: int):
    """Make the next `times` log creates fail as InnoDB's deadlock victim does (after the insert, so the
    rollback has something to undo); returns the list of attempts."""
    from logs import views
    from logs.services import log_create

    attempts = []

    def create(**kwargs):
        log = log_create(**kwargs)
        attempts.append(log.log_id)
        if len(attempts) <= times:
            raise OperationalError(1213, "Deadlock found when trying to get lock; try restarting transaction")
        return log

    monkeypatch.setattr(views, "log_create", create)
    return attempts


def _log_body(user):
    from logs.models import ExerciseType

    ExerciseType.objects.get_or_create(type="run")  # a transactional test's flush removes the seeded types
    return {"username": user.username, "first": user.first, "last": user.last, "date": "2026-11-20", "type": "run",
            "feel": 6, "distance": 5, "metric": "miles"}


@pytest.mark.django_db(transaction=True)
def test_a_deadlocked_write_runs_again_and_lands_once(auth_client, user, monkeypatch):
    from logs.models import Log, LogSummary

    attempts = _deadlocking(monkeypatch, times=2)
    resp = auth_client.post(reverse("logs:log-list"), _log_body(user), format="json")
    assert resp.status_code == 200
    assert len(attempts) == 3
    assert list(Log.objects.values_list("log_id", flat=True)) == [resp.json()["log"]["log_id"]] == attempts[-1:]
    assert LogSummary.objects.get(period="a", user=user, type="run").logs == 1


@pytest.mark.django_db(transaction=True)
def test_a_write_that_keeps_deadlocking_answers_503_and_leaves_nothing(auth_client, user, monkeypatch):
    from logs.models import Log, LogSummary

    attempts = _deadlocking(monkeypatch, times=3)
    resp = auth_client.post(reverse("logs:log-list"), _log_body(user), format="json")
    assert resp.status_code == 503
    assert resp["Retry-After"] == "5"
    assert len(attempts) == 3
    assert not Log.all_objects.exists()
    assert not LogSummary.objects.exists()
