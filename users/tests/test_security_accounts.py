"""Issue 13: account takeover paths and password rules, through HTTP (security probe F3, F6, F11, F12)."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import client_for
from notifications.models import Notification
from saintsxctf.foundation.models import OutgoingMail
from saintsxctf.tests.mailbox import sent_mail
from users.models import ForgotPasswordCode, User
from users.tests.factories import PASSWORD, ActivationCodeFactory, ForgotPasswordCodeFactory, UserFactory

pytestmark = pytest.mark.django_db

PROFILE = {"first": "Andy", "last": "Jarombek", "profilepic_name": None, "description": None, "class_year": None,
           "location": None, "favorite_event": None, "week_start": "monday"}


def put_email(client, email, username="andy"):
    return client.put(f"/v2/users/{username}", {**PROFILE, "email": email}, format="json")


# -- F3: forgot-password codes reach their runner by email only ------------------------------------
def test_a_stolen_token_cannot_read_forgot_password_codes(auth_client, api_client, user):
    assert api_client.post("/v2/forgot_password/andy").status_code == 201
    code = ForgotPasswordCode.objects.get(user=user).forgot_code
    assert code in sent_mail()[0].body  # the runner gets it
    for path in ["/v2/forgot_password/andy", "/v2/forgot_password/andy@example.com", "/v2/users/snapshot/andy"]:
        resp = auth_client.get(path)
        assert resp.status_code == 200
        assert code not in resp.content.decode()
    assert auth_client.get("/v2/forgot_password/andy").json()["forgot_password_codes"] == []
    assert auth_client.get("/v2/users/snapshot/andy").json()["user"]["forgotpassword"] == []


# -- F3, F6: email changes -------------------------------------------------------------------------
@pytest.mark.parametrize("email", ["dotty", "not an address", "andy@", "@example.com"])
def test_an_email_must_be_an_address(auth_client, other_user, email):
    resp = put_email(auth_client, email)
    assert resp.status_code == 400
    assert resp.json()["error"] == "the user failed to update"
    assert User.objects.get(username="andy").email == "andy@example.com"


@pytest.mark.parametrize("email", ["dotty@example.com", "DOTTY@Example.COM"])
def test_an_email_of_another_account_is_refused(auth_client, other_user, email):
    resp = put_email(auth_client, email)
    assert resp.status_code == 400
    assert resp.json()["error"] == "This email address belongs to another account."
    assert User.objects.get(username="andy").email == "andy@example.com"
    # ... so the other runner's sign-in by email still reaches them.
    token = APIClient().post(reverse("auth:token"), {"clientId": "dotty@example.com", "clientSecret": PASSWORD},
                             format="json").json()["result"]
    from saintsxctf.foundation.auth.tokens import token_user

    assert token_user(token).username == "dotty"


def test_a_pending_invitations_address_cannot_be_taken(auth_client, user):
    """F6: the probe blocked an invitee's signup by taking their address first."""
    code = ActivationCodeFactory(email="newbie2@example.com")
    resp = put_email(auth_client, "NEWBIE2@example.com")
    assert resp.status_code == 400 and resp.json()["error"] == "This email address belongs to another account."
    signup = APIClient().post("/v2/users/", {
        "username": "newbie2", "first": "N", "last": "B", "email": "newbie2@example.com", "password": "a-long-secret",
        "activation_code": code.activation_code}, format="json")
    assert signup.status_code == 201


def test_an_email_change_is_announced_to_the_old_address_and_can_be_undone(auth_client, user):
    old_token_client = client_for(user)
    ForgotPasswordCodeFactory(user=user)
    resp = put_email(auth_client, "attacker@evil.example")
    assert resp.status_code == 200 and resp.json()["user"]["email"] == "attacker@evil.example"
    [message] = sent_mail()
    assert message.to == ["andy@example.com"]
    assert "attacker@evil.example" in message.body
    undo_url = re.search(r"https?://\S+/api(/v2/users/email_undo/\S+)", message.body)
    assert undo_url, message.body
    html = message.alternatives[0][0]
    assert undo_url.group(0) in html
    # The attacker asks for a reset code (mailed to their address) ...
    APIClient().post("/v2/forgot_password/andy")
    assert sent_mail()[-1].to == ["attacker@evil.example"]
    # ... the runner follows the link in the old address's mail: no token needed.
    resp = APIClient().get(undo_url.group(1))
    assert resp.status_code == 200, resp.content
    assert resp.json()["email_restored"] is True and resp.json()["user"] == "andy"
    assert User.objects.get(username="andy").email == "andy@example.com"
    assert not ForgotPasswordCode.objects.filter(user=user).exists()  # the attacker's code is spent
    assert old_token_client.get("/v2/users/andy").status_code == 403  # every session signed out
    # The link works once.
    again = APIClient().get(undo_url.group(1))
    assert again.status_code == 400
    assert again.json()["error"] == "This link to undo an email change is invalid, expired or already used."


def test_a_forged_undo_link_is_refused(api_client, user):
    resp = api_client.get("/v2/users/email_undo/eyJ1c2VyIjoiYW5keSJ9:forged:signature")
    assert resp.status_code == 400 and resp.json()["email_restored"] is False


def test_changing_only_the_letter_case_sends_no_mail(auth_client, user):
    assert put_email(auth_client, "Andy@Example.com").status_code == 200
    assert sent_mail() == []


def test_an_email_change_while_the_mail_server_fails_is_announced_later(auth_client, user, monkeypatch):
    """The old address's mail is queued with the change (saintsxctf/foundation/mail.py): a failing mail server delays it
    (the worker retries), it never loses it nor undoes the change."""
    def refuse(self, messages):
        raise OSError("connection refused")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    resp = put_email(auth_client, "new@example.com")
    assert resp.status_code == 200
    assert User.objects.get(username="andy").email == "new@example.com"
    assert sent_mail() == []
    assert OutgoingMail.objects.get(to="andy@example.com").status == "queued"


# -- F12: resets -----------------------------------------------------------------------------------
def reset(client, code, password, username="andy"):
    return client.put(f"/v2/users/{username}/change_password",
                      {"forgot_password_code": code, "new_password": password}, format="json")


def test_a_reset_spends_every_code_of_the_runner(api_client, user, other_user):
    first, second = ForgotPasswordCodeFactory(user=user), ForgotPasswordCodeFactory(user=user)
    others = ForgotPasswordCodeFactory(user=other_user)
    assert reset(api_client, first.forgot_code, "a-new-passphrase").status_code == 200
    resp = reset(api_client, second.forgot_code, "yet-another-passphrase")
    assert resp.status_code == 400 and resp.json()["error"] == "This forgot password code is invalid."
    assert ForgotPasswordCode.objects.filter(pk=others.pk).exists()


@pytest.mark.parametrize("password, message", [
    ("a", "This password is too short. It must contain at least 6 characters."),
    ("password", "This password is too common."),
    ("84736251907", "This password is entirely numeric."),
    ("andy@example.com", "The password is too similar to the email."),
])
def test_a_reset_password_must_pass_the_validators(api_client, user, password, message):
    code = ForgotPasswordCodeFactory(user=user)
    resp = reset(api_client, code.forgot_code, password)
    assert resp.status_code == 400
    assert message in resp.json()["error"]
    assert resp.json()["password_updated"] is False
    assert User.objects.get(username="andy").check_password(PASSWORD)
    assert ForgotPasswordCode.objects.filter(pk=code.pk).exists()  # not spent by a refused reset


@pytest.mark.parametrize("password, message", [
    ("12345", "Password must contain at least 6 characters."),  # the contract's string, first
    ("password1", "This password is too common."),
    ("newbie-runner", "The password is too similar to the username."),
])
def test_a_signup_password_must_pass_the_validators(api_client, password, message):
    code = ActivationCodeFactory(email="newbie@example.com")
    resp = api_client.post("/v2/users/", {"username": "newbierunner", "first": "New", "last": "Bie",
                                          "email": "newbie@example.com", "password": password,
                                          "activation_code": code.activation_code}, format="json")
    assert resp.status_code == 400
    assert message in resp.json()["error"]
    assert not User.objects.filter(username="newbierunner").exists()


# -- F11: notifications ----------------------------------------------------------------------------
@pytest.mark.parametrize("link", ["javascript:alert(document.cookie)", "data:text/html,<script>x</script>",
                                  "//evil.example/login", "vbscript:msgbox", "https:/no-host", "/log\\view",
                                  "/log/view/1\njavascript:x"])
def test_notification_links_must_be_paths_or_http(auth_client, other_user, link):
    resp = auth_client.post("/v2/notifications/", {"username": "dotty", "description": "hi", "link": link},
                            format="json")
    assert resp.status_code == 400
    assert resp.json()["error"] == "failed to create a new notification"
    assert not Notification.objects.exists()


@pytest.mark.parametrize("link", ["/log/view/1", "https://www.saintsxctf.com/log/view/1", "http://example.com",
                                  None, ""])
def test_notification_links_of_the_clients_are_taken(auth_client, other_user, link):
    resp = auth_client.post("/v2/notifications/", {"username": "dotty", "description": "hi", "link": link},
                            format="json")
    assert resp.status_code == 200


@pytest.mark.parametrize("spelling", ["DOTTY", "Dotty", "dótty"])
def test_a_notification_is_stored_under_the_recipients_own_username(auth_client, other_user, other_client, spelling):
    """F11: the lookup (MariaDB's collation) finds dotty for these; she must then be able to dismiss it. Where the
    database compares names exactly (SQLite) there is no such runner: refused."""
    resp = auth_client.post("/v2/notifications/", {"username": spelling, "description": "you cannot dismiss me"},
                            format="json")
    if resp.status_code == 400:
        assert not Notification.objects.exists()
        return
    assert resp.status_code == 200
    assert resp.json()["notification"]["username"] == "dotty"
    notification = Notification.objects.get()
    assert notification.user_id == "dotty"
    put = other_client.put(f"/v2/notifications/{notification.pk}", {"viewed": "Y"}, format="json")
    assert put.status_code == 200
    assert other_client.delete(f"/v2/notifications/{notification.pk}").status_code == 204


def test_a_new_user_with_an_unknown_name_gets_no_notification(auth_client):
    UserFactory(username="zed")
    resp = auth_client.post("/v2/notifications/", {"username": "nobody", "description": "hi"}, format="json")
    assert resp.status_code == 400
