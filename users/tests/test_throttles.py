"""The throttles on signup, forgot-password and activation-code creation, through the real endpoints."""

import pytest
from django.urls import reverse

from conftest import client_for
from groups.tests.factories import GroupMemberFactory
from users.models import ForgotPasswordCode, User

pytestmark = pytest.mark.django_db


def assert_throttled(resp):
    assert resp.status_code == 429
    assert int(resp["Retry-After"]) >= 1
    assert resp.json()["error_description"] == "Too Many Requests"


def test_signup_is_throttled_per_address(api_client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "signup_ip": "3/min"}}
    url = reverse("users:user-list")
    for n in range(3):
        body = {"username": f"new{n}", "first": "N", "last": "U", "email": f"new{n}@example.com",
                "password": "secret123", "activation_code": "nope"}
        assert api_client.post(url, body, format="json").status_code == 400  # unknown code, but counted
    resp = api_client.post(url, {**body, "username": "new9", "email": "new9@example.com"}, format="json")
    assert_throttled(resp)
    assert not User.objects.filter(username__startswith="new").exists()
    # Reads are not throttled.
    assert api_client.get(reverse("users:user-list")).status_code == 401


def test_default_rates_let_ten_signups_a_minute_through(api_client):
    url = reverse("users:user-list")
    for n in range(10):
        body = {"username": f"burst{n}", "first": "B", "last": "U", "email": f"burst{n}@example.com",
                "password": "secret123", "activation_code": "nope"}
        assert api_client.post(url, body, format="json").status_code == 400


def test_forgot_password_is_throttled_per_account(api_client, user):
    url = reverse("forgot_password:forgot_password-detail", kwargs={"username": user.username})
    for _ in range(5):
        assert api_client.post(url).status_code == 201
    assert_throttled(api_client.post(url))
    assert ForgotPasswordCode.objects.filter(user=user).count() == 5


def test_activation_code_creation_is_throttled_per_account():
    admin = GroupMemberFactory(role="admin", status="accepted")
    client = client_for(admin.user)
    url = reverse("activation_code:activation_code-list")
    body = {"email": "rookie@example.com", "group_id": admin.group_id}
    for _ in range(10):
        assert client.post(url, body, format="json").status_code == 200
    assert_throttled(client.post(url, body, format="json"))


def test_a_password_reset_signs_the_user_out_everywhere(api_client, user):
    from users.tests.factories import ForgotPasswordCodeFactory

    old = client_for(user)
    assert old.get(reverse("users:user-detail", kwargs={"username": user.username})).status_code == 200
    code = ForgotPasswordCodeFactory(user=user)
    resp = api_client.put(reverse("users:user-change-password", kwargs={"username": user.username}),
                          {"forgot_password_code": code.forgot_code, "new_password": "brand-new-pass"},
                          format="json")
    assert resp.status_code == 200
    assert old.get(reverse("users:user-detail", kwargs={"username": user.username})).status_code == 403
