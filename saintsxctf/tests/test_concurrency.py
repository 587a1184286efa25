"""Two clients acting on the same row at once leave it consistent (MariaDB; skipped on SQLite)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from saintsxctf.tests.concurrency import needs_server_db, race
from users.models import User
from users.tests.factories import PASSWORD, UserFactory

pytestmark = [needs_server_db, pytest.mark.django_db(transaction=True)]


def test_one_refresh_token_sent_twice_at_once_is_honoured_once():
    UserFactory(username="racer")
    token = APIClient().post(reverse("auth:token"), {"clientId": "racer", "clientSecret": PASSWORD},
                             format="json").json()["refresh"]
    def use(refresh):
        return lambda: APIClient().post(reverse("auth:token-refresh"), {"refresh": refresh}, format="json")

    for round_ in range(5):
        answers = race(use(token), use(token))
        assert sorted(answer.status_code for answer in answers) == [200, 403]
        assert BlacklistedToken.objects.count() == 1 + round_
        token = next(answer for answer in answers if answer.status_code == 200).json()["refresh"]
    assert OutstandingToken.objects.count() == 6  # the sign-in and one rotation per round, never two


def test_concurrent_sign_ins_of_a_legacy_hash_leave_a_working_password():
    """Four first sign-ins of an imported (legacy hash) account at once: one upgrade wins, every token works."""
    import bcrypt

    UserFactory(username="legacy2")
    User.objects.filter(username="legacy2").update(
        password=bcrypt.hashpw(b"apitest", bcrypt.gensalt(rounds=4, prefix=b"2a")).decode())
    answers = race(*[lambda: APIClient().post(reverse("auth:token"), {"clientId": "legacy2", "clientSecret":
                                                                      "apitest"}, format="json")
                     for _ in range(4)])
    tokens = [answer.json()["result"] for answer in answers]
    assert all(isinstance(token, str) for token in tokens)
    # Every token carries the fingerprint of the one hash that was kept: all of them work.
    for token in tokens:
        assert APIClient().post(reverse("auth:authenticate"), {"token": token}, format="json").json() == {
            "result": True}
    user = User.objects.get(username="legacy2")
    assert not user.password.startswith("$2") and user.check_password("apitest")
