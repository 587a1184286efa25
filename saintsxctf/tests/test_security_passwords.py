"""Issue 13: passwords over 72 bytes work everywhere a password is set or checked, never a 500 (security probe
F9). bcrypt reads 72 bytes; saintsxctf/foundation/auth/hashers.py decides what happens to the rest."""

import bcrypt
import pytest
from django.test import Client
from django.urls import reverse

from saintsxctf import settings as project_settings
from users.models import User
from users.tests.factories import ActivationCodeFactory, ForgotPasswordCodeFactory, UserFactory

pytestmark = pytest.mark.django_db

FRAMEWORK_KEYS = {"error_description", "exception", "contact", "api_index"}
LONG_PASSWORD = "correct horse battery staple, " * 4  # 120 bytes: past bcrypt's 72
LONG_UNICODE_PASSWORD = "pässwörd-" * 10  # 110 bytes of UTF-8, 90 characters


@pytest.fixture
def real_hashers(settings):
    """The hashers production runs (conftest puts a fast one first)."""
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def token(client, client_id, secret):
    return client.post(reverse("auth:token"), {"clientId": client_id, "clientSecret": secret}, format="json")


@pytest.mark.parametrize("password", [LONG_PASSWORD, LONG_UNICODE_PASSWORD])
def test_a_long_password_signs_up_and_signs_in(real_hashers, api_client, password):
    code = ActivationCodeFactory(email="longpass@example.com")
    resp = api_client.post("/v2/users/", {
        "username": "longpass", "first": "Long", "last": "Pass", "email": "longpass@example.com",
        "password": password, "activation_code": code.activation_code}, format="json")
    assert resp.status_code == 201, resp.content
    assert User.objects.get(username="longpass").password.startswith("bcrypt$")
    assert token(api_client, "longpass", password).json()["result"]
    assert token(api_client, "longpass", "!" + password[1:]).json()["result"] == ""
    pair = api_client.post(reverse("auth:token-pair"), {"username": "longpass", "password": password}, format="json")
    assert pair.status_code == 200 and pair.json()["access"]


def test_long_passwords_against_every_password_check(real_hashers, api_client, user):
    # A wrong long password for a known user, and any long password for an unknown one: refused, not 500.
    assert token(api_client, user.username, "x" * 73).json() == {"result": ""}
    assert token(api_client, "nobody", "x" * 73).json() == {"result": ""}
    for username in (user.username, "nobody"):
        resp = api_client.post(reverse("auth:token-pair"), {"username": username, "password": "x" * 80},
                               format="json")
        assert resp.status_code == 403 and set(resp.json()) == FRAMEWORK_KEYS


def test_a_reset_to_a_long_password_works(real_hashers, api_client, user):
    code = ForgotPasswordCodeFactory(user=user)
    resp = api_client.put(f"/v2/users/{user.username}/change_password",
                          {"forgot_password_code": code.forgot_code, "new_password": LONG_PASSWORD}, format="json")
    assert resp.status_code == 200, resp.content
    assert token(api_client, user.username, LONG_PASSWORD).json()["result"]


def test_a_legacy_hash_of_a_long_password_verifies(real_hashers, api_client):
    """The original's bcrypt hashed the first 72 bytes: those hashes verify with the whole password."""
    legacy = bcrypt.hashpw(LONG_PASSWORD.encode()[:72], bcrypt.gensalt(4)).decode()
    UserFactory(username="oldtimer")
    User.objects.filter(username="oldtimer").update(password=legacy)
    assert token(api_client, "oldtimer", LONG_PASSWORD).json()["result"]


def test_the_admin_login_takes_a_long_password(real_hashers):
    UserFactory(username="boss", is_staff=True, is_superuser=True, password=LONG_PASSWORD)
    client = Client()
    assert client.post("/admin/login/", {"username": "boss", "password": "y" * 80}).status_code == 200
    resp = client.post("/admin/login/", {"username": "boss", "password": LONG_PASSWORD})
    assert resp.status_code == 302


