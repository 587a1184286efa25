"""The /fn email functions: who may call each, what each answers, and that no mail goes out twice."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import client_for
from groups.tests.factories import GroupMemberFactory
from saintsxctf.foundation.auth.tokens import issue_access_token
from saintsxctf.tests.mailbox import sent_mail
from users.tests.factories import ActivationCodeFactory, UserFactory

pytestmark = pytest.mark.django_db

WELCOME = reverse("functions:email-welcome")
ACTIVATION = reverse("functions:email-activation-code")
REPORT = reverse("functions:email-report")
FRAMEWORK_KEYS = {"error_description", "exception", "contact", "api_index"}


def raw_token_client(user) -> APIClient:
    """As the web client and the iOS app call /fn: `authorization: <jwt>`, no "Bearer"."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=issue_access_token(user))
    return client


def test_paths_are_the_clients():
    assert (WELCOME, ACTIVATION, REPORT) == ("/fn/email/welcome", "/fn/email/activation-code", "/fn/email/report")


# -- welcome --------------------------------------------------------------------------------------------------
def test_after_a_signup_the_welcome_function_sends_no_second_mail(api_client, group,
                                                                  django_capture_on_commit_callbacks):
    code = ActivationCodeFactory(activation_code="WELC01", email="newbie@example.com", group=group)
    with django_capture_on_commit_callbacks(execute=True):
        resp = api_client.post("/v2/users/", {"username": "newbie", "password": "long-enough", "first": "New",
                                              "last": "Bie", "email": "newbie@example.com",
                                              "activation_code": code.activation_code}, format="json")
    assert resp.status_code in (200, 201), resp.content
    sent = len(sent_mail())  # the API's own welcome (users/services.py), however it is delivered

    # The web client, signed out: an empty `authorization:` header and `to`.
    resp = api_client.post(WELCOME, {"to": "newbie@example.com", "firstName": "New", "lastName": "Bie",
                                     "username": "newbie"}, format="json", HTTP_AUTHORIZATION="")
    assert resp.status_code == 200
    assert resp.json() == {"self": "/fn/email/welcome", "result": True}
    assert len(sent_mail()) == sent


def test_welcome_takes_the_ios_body(api_client):
    resp = api_client.post(WELCOME, {"email": "newbie@example.com", "firstName": "New", "lastName": "Bie"},
                           format="json")
    assert resp.status_code == 200 and resp.json()["result"] is True
    assert sent_mail() == []


@pytest.mark.parametrize("body", [{}, {"firstName": "New"}, {"to": ""}, ["newbie@example.com"], "to"])
def test_welcome_without_an_address_is_result_false(api_client, body):
    resp = api_client.post(WELCOME, body, format="json")
    assert resp.status_code == 400
    payload = resp.json()
    assert payload["self"] == "/fn/email/welcome" and payload["result"] is False and payload["error"]


def test_welcome_with_a_body_that_is_not_json_is_result_false(api_client):
    resp = api_client.post(WELCOME, "to=a@b.com", content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 400 and resp.json()["result"] is False
    resp = api_client.post(WELCOME, "{not json", content_type="application/json")
    assert resp.status_code == 400 and resp.json()["result"] is False


# -- activation code --------------------------------------------------------------------------------------------
def test_admin_asks_for_the_mail_of_a_code_the_api_already_mailed(auth_client, user, group):
    resp = auth_client.post("/v2/activation_code/", {"group_id": group.id, "email": "newbie@example.com"},
                            format="json")
    code = resp.json()["activation_code"]["activation_code"]
    sent = len(sent_mail())  # the API's own invitation (users/services.py)

    resp = raw_token_client(user).post(ACTIVATION, {"email": "newbie@example.com", "code": code}, format="json")
    assert resp.status_code == 200
    assert resp.json() == {"self": "/fn/email/activation-code", "result": True}
    assert len(sent_mail()) == sent  # no second mail

    # `Bearer <jwt>` works too; the code and the address in any letter case.
    resp = auth_client.post(ACTIVATION, {"email": "NEWBIE@example.com", "code": code.lower()}, format="json")
    assert resp.status_code == 200 and resp.json()["result"] is True


def test_activation_code_needs_a_token(api_client, group):
    ActivationCodeFactory(activation_code="CODE01", email="newbie@example.com", group=group)
    body = {"email": "newbie@example.com", "code": "CODE01"}
    resp = api_client.post(ACTIVATION, body, format="json")
    assert resp.status_code == 401 and set(resp.json()) == FRAMEWORK_KEYS
    for header in ("", "Bearer", "not-a-jwt", "a.b.c", "Bearer a.b.c"):
        resp = api_client.post(ACTIVATION, body, format="json", HTTP_AUTHORIZATION=header)
        assert resp.status_code == 403, header
        assert set(resp.json()) == FRAMEWORK_KEYS


def test_only_an_admin_of_the_codes_group_gets_true(group, other_user):
    ActivationCodeFactory(activation_code="CODE01", email="newbie@example.com", group=group)
    body = {"email": "newbie@example.com", "code": "CODE01"}
    # A plain member, a pending admin, and a runner outside the group.
    GroupMemberFactory(group=group, user=other_user, status="accepted", role="user")
    pending = UserFactory(username="pending")
    GroupMemberFactory(group=group, user=pending, status="pending", role="admin")
    for runner in (other_user, pending, UserFactory(username="outsider")):
        resp = raw_token_client(runner).post(ACTIVATION, body, format="json")
        assert resp.status_code == 403, runner
        assert resp.json() == {"self": "/fn/email/activation-code", "result": False,
                               "error": f"User {runner.username} is not an admin of the group of activation "
                                        "code CODE01."}


@pytest.mark.parametrize("body", [
    {"email": "newbie@example.com", "code": "NOSUCH"},      # no such code
    {"email": "someone@example.com", "code": "CODE01"},     # the code was made for another address
    {"email": "newbie@example.com"},                        # no code
    {},
])
def test_activation_code_refusals_are_result_false(user, group, body):
    ActivationCodeFactory(activation_code="CODE01", email="newbie@example.com", group=group)
    resp = raw_token_client(user).post(ACTIVATION, body, format="json")
    assert resp.status_code == 400
    assert resp.json()["result"] is False and resp.json()["error"]
    assert sent_mail() == []


# -- report (iOS) ------------------------------------------------------------------------------------------------
def test_report_is_mailed_to_the_administrator_escaped(user, settings):
    settings.REPORT_EMAIL = "admin@example.com"
    report = "The <b>feed</b> & <script>alert(1)</script> crashed"
    # The body's names are not trusted: the mail names the token's runner.
    resp = raw_token_client(user).post(REPORT, {"firstName": "Evil", "lastName": "<i>Name</i>", "report": report},
                                       format="json")
    assert resp.status_code == 200
    assert resp.json() == {"self": "/fn/email/report", "result": True}
    [message] = sent_mail()
    assert message.to == ["admin@example.com"]
    assert message.subject == "Andy Jarombek SaintsXCTF Report"
    assert report in message.body and "andy" in message.body
    html = message.alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Evil" not in html and "<i>" not in html


def test_report_needs_a_token_and_a_report(api_client, user):
    assert api_client.post(REPORT, {"report": "x"}, format="json").status_code == 401
    resp = client_for(user).post(REPORT, {"firstName": "Andy"}, format="json")
    assert resp.status_code == 400 and resp.json()["result"] is False
    assert sent_mail() == []


def test_reports_are_throttled_per_runner(user, other_user, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                                                          "report": "2/hour"}}
    for _ in range(2):
        assert raw_token_client(user).post(REPORT, {"report": "x"}, format="json").status_code == 200
    resp = raw_token_client(user).post(REPORT, {"report": "x"}, format="json")
    assert resp.status_code == 429 and int(resp["Retry-After"]) > 0
    assert raw_token_client(other_user).post(REPORT, {"report": "x"}, format="json").status_code == 200
    assert len(sent_mail()) == 3
