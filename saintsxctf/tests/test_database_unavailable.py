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
