"""Issue 13: throttles keyed on the canonical account, on every code check and on the admin login, and no way for
a stranger to lock a runner out (security probe F2, F4, F5, F8, F11, I-1). Every attack goes through HTTP."""

import json
import uuid

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from groups.tests.factories import GroupFactory
from users.tests.factories import PASSWORD, ActivationCodeFactory, UserFactory

pytestmark = pytest.mark.django_db

# The spellings the probe used for one account: each reaches the runner `andy` (andy@example.com) through the
# lookup on MariaDB's collation; the throttle must count all of them as andy.
SPELLINGS = ["andy", "ANDY", "Andy", "\uff41\uff4e\uff44\uff59", "an\u200bdy", "\u00e1ndy", " andy ", "andy@example.com",
             "ANDY@EXAMPLE.COM"]


def with_rates(settings, **rates):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates}}


def token(client_id, secret=PASSWORD, addr="10.0.0.1", **extra):
    return APIClient(REMOTE_ADDR=addr).post(reverse("auth:token"), {"clientId": client_id, "clientSecret": secret,
                                                                    **extra}, format="json")


def assert_throttled(resp):
    assert resp.status_code == 429, resp.content
    assert resp.json()["error_description"] == "Too Many Requests"
    assert int(resp["Retry-After"]) >= 1


# -- F4: one account, however it is spelled ----------------------------------------------------------
def test_every_spelling_of_an_account_counts_as_that_account(settings, user):
    with_rates(settings, token_account=f"{len(SPELLINGS) * 3}/min", token_ip="1000/min")
    for _ in range(3):
        for spelling in SPELLINGS:
            assert token(spelling, "wrong").status_code == 200
    assert_throttled(token("andy"))
    assert token("dotty-unknown").status_code == 200  # another account from the same address


def test_the_pair_endpoint_counts_spellings_as_the_account_too(settings, user):
    with_rates(settings, token_account="4/min", token_ip="1000/min")
    client = APIClient(REMOTE_ADDR="10.0.0.1")
    for spelling in ["ANDY", "andy@example.com", "\uff41\uff4e\uff44\uff59", "an\u200bdy"]:
        client.post(reverse("auth:token-pair"), {"username": spelling, "password": "x"}, format="json")
    assert_throttled(client.post(reverse("auth:token-pair"), {"username": "andy", "password": PASSWORD},
                                 format="json"))


def test_forgot_password_mails_count_per_runner_however_named(settings, user, api_client):
    with_rates(settings, forgot_password_account="3/min", forgot_password_ip="1000/min")
    for i, spelling in enumerate(["ANDY", "andy@example.com", "\u00e1ndy"]):
        APIClient(REMOTE_ADDR=f"10.0.3.{i}").post(f"/v2/forgot_password/{spelling}")
    assert_throttled(APIClient(REMOTE_ADDR="10.0.3.9").post("/v2/forgot_password/andy"))


# -- F8: no lockout by a stranger -------------------------------------------------------------------
def test_a_stranger_cannot_lock_a_runner_out_of_signing_in(user):
    """The probe's 31 cheap requests naming the victim (also as the `username` key /auth/token ignores) from
    one address: that address is throttled, the runner's own is not."""
    stranger = "203.0.113.7"
    for _ in range(31):
        token("nobody-x", "x", addr=stranger, username="andy")
        token("andy", "guess", addr=stranger)
    assert_throttled(token("andy", addr=stranger))
    resp = token("andy", addr="198.51.100.2")  # the runner, from home
    assert resp.status_code == 200 and resp.json()["result"]
    pair = APIClient(REMOTE_ADDR="198.51.100.2").post(
        reverse("auth:token-pair"), {"username": "andy", "password": PASSWORD}, format="json")
    assert pair.status_code == 200


def test_a_guesser_is_held_by_the_address_allowance_over_all_accounts(settings, user):
    with_rates(settings, token_ip="5/min")
    for i in range(5):
        token(f"guess{i}", "x")
    assert_throttled(token("andy"))


# -- F5: every code check -----------------------------------------------------------------------------
def code_guesses(runner_client):
    """Requests that each check a code, in the order an attacker would mix them."""
    return [
        lambda c, i: c.get(f"/v2/forgot_password/validate/{i:08d}"),
        lambda c, i: c.put("/v2/users/andy/change_password",
                           {"forgot_password_code": f"{i:08d}", "new_password": "a-new-password"}, format="json"),
        lambda c, i: runner_client(c).get(f"/v2/activation_code/exists/{i:06d}"),
        lambda c, i: runner_client(c).get(f"/v2/activation_code/{i:06d}"),
        lambda c, i: c.post("/v2/users/", {"username": f"new{i}", "first": "N", "last": "B",
                                           "email": f"new{i}@example.com", "password": "long-enough",
                                           "activation_code": f"{i:06d}"}, format="json"),
    ]


def test_code_checks_share_one_allowance_per_address(settings, user, other_user):
    from saintsxctf.foundation.auth.tokens import issue_access_token

    with_rates(settings, code_check_ip="10/min", signup_ip="1000/min", signup_account="1000/min")

    def as_runner(client):
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(other_user)}")
        return client

    guesses = code_guesses(as_runner)
    statuses = [guesses[i % len(guesses)](APIClient(REMOTE_ADDR="10.0.5.1"), i).status_code for i in range(10)]
    assert 429 not in statuses and all(400 <= s < 500 for s in statuses), statuses
    for i, guess in enumerate(guesses):
        assert_throttled(guess(APIClient(REMOTE_ADDR="10.0.5.1"), 100 + i))
    assert guesses[0](APIClient(REMOTE_ADDR="10.0.5.2"), 1).status_code == 400  # another address


def test_code_checks_are_throttled_by_default(user):
    """The probe's 300 validate guesses: refused long before the end."""
    client = APIClient(REMOTE_ADDR="10.0.6.1")
    statuses = [client.get(f"/v2/forgot_password/validate/{uuid.uuid4().hex[:8].upper()}").status_code
                for _ in range(40)]
    assert statuses.count(429) >= 10 and statuses[0] == 400


def test_the_right_code_still_works_from_another_address_after_guessing(settings, user):
    from users.tests.factories import ForgotPasswordCodeFactory

    with_rates(settings, code_check_ip="3/min")
    for i in range(4):
        APIClient(REMOTE_ADDR="10.0.7.1").get(f"/v2/forgot_password/validate/{i:08d}")
    code = ForgotPasswordCodeFactory(user=user)
    resp = APIClient(REMOTE_ADDR="10.0.7.2").get(f"/v2/forgot_password/validate/{code.forgot_code}")
    assert resp.status_code == 200 and resp.json()["is_valid"] is True


def test_reads_of_activation_codes_by_their_group_admin_are_code_checks_but_creates_are_not(settings, user):
    from groups.tests.factories import GroupMemberFactory
    from saintsxctf.foundation.auth.tokens import issue_access_token

    with_rates(settings, code_check_ip="2/min")
    group = GroupFactory()
    GroupMemberFactory(group=group, user=user, role="admin", status="accepted")
    client = APIClient(REMOTE_ADDR="10.0.8.1")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user)}")
    for i in range(3):
        assert client.post("/v2/activation_code/", {"group_id": group.pk, "email": f"n{i}@example.com"},
                           format="json").status_code == 200
    code = ActivationCodeFactory(group=group)
    assert client.get(f"/v2/activation_code/{code.activation_code}").status_code == 200
    assert client.get(f"/v2/activation_code/exists/{code.activation_code}").status_code == 200
    assert_throttled(client.get(f"/v2/activation_code/{code.activation_code}"))


# -- F2: the admin login ------------------------------------------------------------------------------
def admin_login(client, username, password):
    return client.post("/admin/login/", {"username": username, "password": password, "next": "/admin/"},
                       REMOTE_ADDR=client.defaults.get("REMOTE_ADDR", "127.0.0.1"))


def test_the_admin_login_is_throttled(settings):
    with_rates(settings, token_account="5/min", token_ip="1000/min")
    UserFactory(username="admin", is_staff=True, is_superuser=True)
    attacker = Client(REMOTE_ADDR="10.0.9.1")
    for spelling in ["admin", "ADMIN", "ADM\u0130N", "admin", "\uff41dmin"]:
        assert admin_login(attacker, spelling, "guess").status_code == 200  # the form, redisplayed
    resp = admin_login(attacker, "admin", PASSWORD)
    assert_throttled(resp)
    assert set(json.loads(resp.content)) == {"error_description", "exception", "contact", "api_index"}
    # The admin, from their own address, is not locked out.
    assert admin_login(Client(REMOTE_ADDR="10.0.9.2"), "admin", PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_per_address(settings):
    with_rates(settings, token_ip="3/min")
    client = Client(REMOTE_ADDR="10.0.9.3")
    for i in range(3):
        admin_login(client, f"user{i}", "guess")
    assert_throttled(admin_login(client, "admin", "guess"))
    assert client.get("/admin/login/").status_code == 200  # the form itself is never counted


def test_the_admin_login_still_checks_csrf():
    UserFactory(username="admin", is_staff=True, is_superuser=True)
    resp = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert resp.status_code == 403


# -- F11: notifications per sender --------------------------------------------------------------------
def test_notifications_are_throttled_per_sender(settings, auth_client, other_client, other_user):
    with_rates(settings, notification_sender="3/min")
    body = {"username": "dotty", "description": "hi", "link": "/log/view/1"}
    for i in range(3):
        assert auth_client.post("/v2/notifications/", {**body, "description": f"hi {i}"}, format="json").status_code == 200
    assert_throttled(auth_client.post("/v2/notifications/", body, format="json"))
    assert other_client.post("/v2/notifications/", {**body, "username": "andy"}, format="json").status_code == 200
    # Reading and marking viewed are not sending.
    assert auth_client.get("/v2/notifications/").status_code == 200


# -- I-1: equal work for known and unknown users at sign-in -----------------------------------------
class CountingHasher(MD5PasswordHasher):
    """MD5 (fast), counting how many hashes each request computes."""

    algorithm = "md5"
    calls = 0

    def encode(self, password, salt):
        type(self).calls += 1
        return super().encode(password, salt)


@pytest.mark.parametrize("client_id", ["andy", "nobody-at-all", "nobody@example.com"])
def test_signing_in_hashes_once_whether_or_not_the_runner_exists(settings, user, client_id):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    user.set_password(PASSWORD)
    user.save()
    CountingHasher.calls = 0
    resp = token(client_id, "wrong-password")
    assert resp.json()["result"] == ""
    assert CountingHasher.calls == 1


def test_a_name_used_as_another_runners_email_never_signs_in_as_them(user, other_user):
    """F6: the lookup prefers the runner whose username it is, whatever emails say."""
    from users.models import User

    assert user.pk < other_user.pk  # the probe's attacker had the lower id
    User.objects.filter(username="andy").update(email="dotty")
    resp = token("dotty", PASSWORD)
    assert resp.json()["result"]
    from saintsxctf.foundation.auth.tokens import token_user

    assert token_user(resp.json()["result"]).username == "dotty"
