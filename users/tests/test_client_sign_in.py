"""The web client's sign-in check (deviations.md 13, issue 18 item 1).

The client POSTs /auth/token, then GETs /v2/users/<typed username or email> with the new token and checks the
typed password against that record's `password` with bcryptjs. These tests do what the browser does, with the
`bcrypt` library in bcryptjs's place, under the production hashers (conftest puts a fast one first).
"""

import json

import bcrypt
import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

import saintsxctf.settings as production
from saintsxctf.foundation.auth.hashers import BCRYPT_MAX_BYTES
from users.models import User
from users.tests.factories import ActivationCodeFactory, ForgotPasswordCodeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def production_hashers(settings):
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS


def browser_sign_in(client_id: str, password: str) -> tuple[APIClient, dict]:
    """The client's signIn thunk: a token, then the typed name's user record read with that token."""
    client = APIClient()
    token = client.post(reverse("auth:token"), {"clientId": client_id, "clientSecret": password},
                        format="json").json()["result"]
    assert token, "the API refused the password"
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.get(reverse("users:user-detail", kwargs={"username": client_id}))
    assert response.status_code == 200
    return client, response.json()["user"]


def bcryptjs_compare(password: str, served) -> bool:
    """bcryptjs `compare`: a 60-character $2a$/$2b$/$2y$ hash, the password's first 72 bytes."""
    assert isinstance(served, str) and len(served) == 60 and served[:4] in ("$2a$", "$2b$", "$2y$")
    return bcrypt.checkpw(password.encode()[:BCRYPT_MAX_BYTES], served.encode())


def legacy_user(username: str, password: str, prefix: str = "$2y$") -> User:
    """A runner imported from the original, whose column holds a raw bcrypt hash (PHP wrote `$2y$`)."""
    raw = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()
    UserFactory(username=username, email=f"{username}@example.com", first="Legacy", last="Runner")
    User.objects.filter(username=username).update(password=prefix + raw[4:])
    return User.objects.get(username=username)


def no_hash_anywhere(body) -> bool:
    text = json.dumps(body)
    return "$2a$" not in text and "$2b$" not in text and "$2y$" not in text and '"salt"' not in text \
        and '"password"' not in text


@pytest.mark.parametrize("prefix", ["$2a$", "$2b$", "$2y$"])
def test_legacy_account_signs_in_through_the_client_check(prefix):
    legacy_user("legacy", "apitest", prefix)

    for typed in ("legacy", "legacy@example.com"):
        _, user = browser_sign_in(typed, "apitest")
        assert bcryptjs_compare("apitest", user["password"])
        assert not bcryptjs_compare("apitest2", user["password"])
        assert "salt" not in user
    # Signing in upgraded the legacy column to our digest, whose raw hash is the one served.
    stored = User.objects.get(username="legacy").password
    assert stored == "bcrypt$" + user["password"]


def test_new_signup_signs_in_through_the_client_check(api_client):
    ActivationCodeFactory(activation_code="NEW123", group=None)
    body = {"username": "newbie", "first": "New", "last": "Runner", "email": "newbie@example.com",
            "password": "first-password", "activation_code": "NEW123"}
    created = api_client.post(reverse("users:user-list"), body, format="json")
    assert created.status_code == 201
    assert no_hash_anywhere(created.json())

    _, user = browser_sign_in("newbie", "first-password")
    assert bcryptjs_compare("first-password", user["password"])
    assert not bcryptjs_compare("First-password", user["password"])


def test_changed_password_signs_in_and_the_old_one_does_not(api_client):
    legacy_user("andy", "old-password")
    ForgotPasswordCodeFactory(forgot_code="RESET123", user=User.objects.get(username="andy"))
    resp = api_client.put(reverse("users:user-change-password", kwargs={"username": "andy"}),
                          {"forgot_password_code": "RESET123", "new_password": "new-password"}, format="json")
    assert resp.status_code == 200 and no_hash_anywhere(resp.json())

    _, user = browser_sign_in("andy@example.com", "new-password")
    assert bcryptjs_compare("new-password", user["password"])
    assert not bcryptjs_compare("old-password", user["password"])


def test_password_a_superuser_sets_in_the_admin():
    runner = UserFactory(username="runner")
    admin = Client()
    admin.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    resp = admin.post(reverse("admin:auth_user_password_change", args=[runner.pk]),
                      {"password1": "set-by-coach", "password2": "set-by-coach", "usable_password": "true"})
    assert resp.status_code == 302, resp.content[:500]

    _, user = browser_sign_in("runner", "set-by-coach")
    assert bcryptjs_compare("set-by-coach", user["password"])


@pytest.mark.parametrize("hasher", ["pbkdf2_sha256", "bcrypt_sha256"])
def test_older_digests_still_sign_in_and_are_upgraded_to_a_servable_hash(hasher):
    UserFactory(username="andy")
    User.objects.filter(username="andy").update(password=make_password("apitest", hasher=hasher))

    _, user = browser_sign_in("andy", "apitest")
    assert bcryptjs_compare("apitest", user["password"])
    assert User.objects.get(username="andy").password.startswith("bcrypt$$2b$")


def test_long_passphrase_signs_in_and_is_checked_as_bcryptjs_checks_it(api_client):
    passphrase = "correct horse battery staple, then a much longer tail " * 3  # 162 bytes
    ActivationCodeFactory(activation_code="LONG12", group=None)
    body = {"username": "longpass", "first": "Long", "last": "Pass", "email": "longpass@example.com",
            "password": passphrase, "activation_code": "LONG12"}
    assert api_client.post(reverse("users:user-list"), body, format="json").status_code == 201

    _, user = browser_sign_in("longpass", passphrase)
    assert bcryptjs_compare(passphrase, user["password"])
    assert api_client.post(reverse("auth:token"), {"clientId": "longpass", "clientSecret": passphrase[:60]},
                           format="json").json() == {"result": ""}


def test_only_the_owner_gets_a_hash_and_no_other_response_carries_one():
    legacy_user("andy", "apitest")
    legacy_user("dotty", "dottypass")
    client, own = browser_sign_in("andy", "apitest")
    assert "password" in own

    for path in (reverse("users:user-detail", kwargs={"username": "dotty"}),
                 reverse("users:user-detail", kwargs={"username": "dotty@example.com"}),
                 reverse("users:user-list"),
                 reverse("users:user-snapshot", kwargs={"username": "andy"}),
                 reverse("users:user-snapshot", kwargs={"username": "dotty"})):
        resp = client.get(path)
        assert resp.status_code == 200, path
        assert no_hash_anywhere(resp.json()), path

    # A write answer echoes the user without it, even when the body sends a stale hash back.
    resp = client.put(reverse("users:user-detail", kwargs={"username": "andy"}),
                      {**own, "location": "Riverside, CT", "salt": None},
                      format="json")
    assert resp.status_code == 200 and no_hash_anywhere(resp.json())
    assert User.objects.get(username="andy").check_password("apitest")


def test_the_setting_turns_the_owners_hash_off(settings):
    settings.SERVE_OWN_PASSWORD_HASH = False
    legacy_user("andy", "apitest")
    client, own = browser_sign_in("andy", "apitest")
    assert "password" not in own and no_hash_anywhere(own)
