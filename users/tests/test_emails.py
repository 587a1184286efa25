"""The email module: plain text and HTML parts, and what happens when the mail server fails."""

import pytest
from django.urls import reverse

from saintsxctf.foundation.models import OutgoingMail
from saintsxctf.tests.mailbox import sent_mail
from users import emails
from users.models import ForgotPasswordCode, User
from users.tests.factories import ActivationCodeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_send_renders_text_and_html(settings):
    settings.WEB_APP_URL = "https://dev.saintsxctf.com/"
    runner = UserFactory(username="newbie", first="New", last="Runner", email="newbie@example.com")
    emails.send_welcome(runner)
    message = sent_mail()[0]
    assert message.subject == "Welcome to SaintsXCTF"
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert "Hi New Runner," in message.body and "https://dev.saintsxctf.com\n" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and 'href="https://dev.saintsxctf.com"' in html


def test_html_escapes_what_users_wrote():
    runner = UserFactory(first="<script>", last="x")
    emails.send_welcome(runner)
    assert "<script>" not in sent_mail()[0].alternatives[0][0]
    assert "<script>" in sent_mail()[0].body  # the text part is plain text


def test_send_queues_instead_of_sending(monkeypatch):
    def refuse(self, messages):
        raise OSError("connection refused")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    emails.send_welcome(UserFactory(email="queued@example.com"))  # no error: nothing is sent here
    assert OutgoingMail.objects.get().to == "queued@example.com"
    assert sent_mail() == [] and OutgoingMail.objects.get().attempts == 1


def test_a_failing_welcome_mail_does_not_undo_the_signup(api_client, monkeypatch, django_capture_on_commit_callbacks):
    def refuse(self, messages):
        raise OSError("connection refused")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    ActivationCodeFactory(activation_code="ABC123")
    body = {"username": "newbie", "first": "New", "last": "Runner", "email": "newbie@example.com",
            "password": "run-fast-77", "activation_code": "ABC123"}
    with django_capture_on_commit_callbacks(execute=True):
        resp = api_client.post(reverse("users:user-list"), body, format="json")
    assert resp.status_code == 201
    assert User.objects.filter(username="newbie").exists()


def test_a_runner_without_an_address_cannot_get_a_forgot_password_code(api_client):
    UserFactory(username="noemail", email=None)
    resp = api_client.post(reverse("forgot_password:forgot_password-detail", kwargs={"username": "noemail"}))
    assert resp.status_code == 424
    assert sent_mail() == [] and not OutgoingMail.objects.exists()
    assert not ForgotPasswordCode.all_objects.filter(user_id="noemail").exists()

