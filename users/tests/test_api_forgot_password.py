"""Forgot password: create (and mail) a code, list codes, validate one, and change the password with it."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from saintsxctf.foundation.models import OutgoingMail
from saintsxctf.tests.mailbox import sent_mail
from users.models import ForgotPasswordCode, User
from users.queries import utc_now
from users.tests.factories import PASSWORD, ForgotPasswordCodeFactory

pytestmark = pytest.mark.django_db


def codes_url(username):
    return reverse("forgot_password:forgot_password-detail", kwargs={"username": username})


def validate_url(code):
    return reverse("forgot_password:forgot_password-validate", kwargs={"code": code})


def change_url(username):
    return reverse("users:user-change-password", kwargs={"username": username})


# -- create ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("identifier", ["andy", "andy@example.com"])
def test_create_code_needs_no_token_and_mails_it(api_client, user, identifier):
    resp = api_client.post(codes_url(identifier))
    assert resp.status_code == 201
    assert resp.json() == {"self": f"/v2/forgot_password/{identifier}", "created": True}
    code = ForgotPasswordCode.objects.get(user=user)
    assert re.fullmatch(r"[A-Z0-9]{8}", code.forgot_code)
    # Two hours, in UTC (deviations.md 6).
    assert abs(code.expires - (utc_now() + timedelta(hours=2))) < timedelta(minutes=1)

    assert len(sent_mail()) == 1
    message = sent_mail()[0]
    assert message.to == ["andy@example.com"]
    assert message.subject == "SaintsXCTF Password Reset Request"
    assert code.forgot_code in message.body and "andy" in message.body and "Hi Andy Jarombek," in message.body
    html = message.alternatives[0][0]
    assert f"/forgotpassword/reset?code={code.forgot_code}" in html


def test_earlier_codes_stay_valid(api_client, user):
    earlier = ForgotPasswordCodeFactory(user=user)
    api_client.post(codes_url("andy"))
    assert ForgotPasswordCode.objects.filter(user=user).count() == 2
    assert ForgotPasswordCode.objects.filter(pk=earlier.pk).exists()


def test_create_code_for_unknown_user(api_client, user):
    resp = api_client.post(codes_url("nobody"))
    assert resp.status_code == 400
    assert resp.json() == {"self": "/v2/forgot_password/nobody", "created": False,
                           "error": "There is no user associated with this username/email."}
    assert sent_mail() == [] and not ForgotPasswordCode.objects.exists()


def test_create_code_when_the_mail_fails(api_client, user, monkeypatch):
    """The request only queues the mail: a failing mail server leaves the code and its queued mail for a retry."""
    def refuse(self, messages):
        raise OSError("connection refused")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    resp = api_client.post(codes_url("andy"))
    assert resp.status_code == 201
    assert sent_mail() == []
    code = ForgotPasswordCode.objects.get(user=user)
    assert code.forgot_code in OutgoingMail.objects.get(status="queued").body


# -- list -----------------------------------------------------------------------------------------------
def test_list_own_codes_is_always_empty(auth_client, user):
    """Codes reach their runner by email only, never in a response (issue 13: a stolen token would otherwise
    become a new password); the endpoint answers the contract's shape with an empty list."""
    ForgotPasswordCodeFactory(user=user, forgot_code="ABCD1234")
    resp = auth_client.get(codes_url("andy@example.com"))
    assert resp.status_code == 200
    assert resp.json() == {"self": "/v2/forgot_password/andy@example.com", "forgot_password_codes": []}


def test_list_codes_of_someone_else(auth_client, other_user):
    ForgotPasswordCodeFactory(user=other_user)
    resp = auth_client.get(codes_url("dotty"))
    assert resp.status_code == 400
    assert resp.json() == {"self": "/v2/forgot_password/dotty", "created": False,
                           "error": "User andy is not authorized to access forgot password codes for user dotty."}


def test_list_codes_of_unknown_user(auth_client):
    resp = auth_client.get(codes_url("nobody"))
    assert resp.status_code == 400
    assert resp.json() == {"self": "/v2/forgot_password/nobody", "forgot_password_codes": [],
                           "error": "There is no user associated with this username/email."}


def test_list_codes_needs_a_token(api_client, user):
    assert api_client.get(codes_url("andy")).status_code == 401


def test_list_codes_query_count_is_constant(auth_client, user, django_assert_num_queries):
    ForgotPasswordCodeFactory.create_batch(2, user=user)
    with django_assert_num_queries(2):  # caller, user
        auth_client.get(codes_url("andy"))
    ForgotPasswordCodeFactory.create_batch(20, user=user)
    with django_assert_num_queries(2):
        assert auth_client.get(codes_url("andy")).json()["forgot_password_codes"] == []


# -- validate -------------------------------------------------------------------------------------------
def test_validate_code(api_client, user):
    ForgotPasswordCodeFactory(user=user, forgot_code="80UN02AB")
    resp = api_client.get(validate_url("80UN02AB"))
    assert resp.status_code == 200
    assert resp.json() == {"self": "/v2/forgot_password/validate/80UN02AB", "is_valid": True, "username": "andy"}
    assert ForgotPasswordCode.objects.exists()  # validating does not spend it


@pytest.mark.parametrize("state", ["unknown", "expired", "deleted"])
def test_validate_invalid_code(api_client, user, state):
    if state == "expired":
        ForgotPasswordCodeFactory(user=user, forgot_code="invalid", expires=utc_now() - timedelta(seconds=1))
    elif state == "deleted":
        ForgotPasswordCodeFactory(user=user, forgot_code="invalid").soft_delete()
    resp = api_client.get(validate_url("invalid"))
    assert resp.status_code == 400
    assert resp.json() == {"self": "/v2/forgot_password/validate/invalid", "is_valid": False, "username": None}


def test_forgot_password_links(api_client):
    body = api_client.get(reverse("forgot_password:links")).json()
    entries = {(e["link"], e["verb"]): e["description"] for e in body["endpoints"]}
    assert entries == {
        ("/v2/forgot_password/<username>", "GET"): "Retrieve a single forgot password code assigned to a given username.",
        ("/v2/forgot_password/<username>", "POST"): "Create a new forgot password code.",
        ("/v2/forgot_password/validate/<code>", "GET"): "Validate if a forgot password code exists.",
    }


# -- change password ------------------------------------------------------------------------------------
def change_password(client, username, **body):
    return client.put(change_url(username), body, format="json")


def test_change_password_with_a_code(api_client, user):
    ForgotPasswordCodeFactory(user=user, forgot_code="ABCD1234")
    other = ForgotPasswordCodeFactory(user=user)
    assert change_url("andy") == "/v2/users/andy/change_password"
    resp = change_password(api_client, "andy", forgot_password_code="ABCD1234", new_password="brand-new")
    assert resp.status_code == 200
    assert resp.json() == {"self": "/v2/users/andy/change_password", "password_updated": True,
                           "forgot_password_code_deleted": True}
    user.refresh_from_db()
    assert user.check_password("brand-new")
    assert not ForgotPasswordCode.all_objects.filter(pk="ABCD1234").exists()
    assert not ForgotPasswordCode.all_objects.filter(pk=other.pk).exists()  # a reset spends every code (issue 13)
    # The new password signs in.
    token = api_client.post(reverse("auth:token"), {"clientId": "andy", "clientSecret": "brand-new"}, format="json")
    assert isinstance(token.json()["result"], str)


REQUIRED = "'forgot_password_code' and 'new_password' are required fields."


@pytest.mark.parametrize("body, error", [
    ({"new_password": "brand-new"}, REQUIRED),
    ({"forgot_password_code": "ABCD1234"}, REQUIRED),
    ({"forgot_password_code": "ABCD1234", "new_password": None}, REQUIRED),
    ({"forgot_password_code": "WRONG123", "new_password": "brand-new"}, "This forgot password code is invalid."),
    ({"forgot_password_code": "EXPIRED1", "new_password": "brand-new"}, "This forgot password code is invalid."),
    ({"forgot_password_code": "DOTTYS12", "new_password": "brand-new"},
     "This forgot password code does not belong to the specified user."),
])
def test_change_password_refused_with_400(api_client, user, other_user, body, error):
    # deviations.md 2: the original answered 500 here.
    ForgotPasswordCodeFactory(user=user, forgot_code="ABCD1234")
    ForgotPasswordCodeFactory(user=user, forgot_code="EXPIRED1", expires=utc_now() - timedelta(seconds=1))
    ForgotPasswordCodeFactory(user=other_user, forgot_code="DOTTYS12")
    resp = change_password(api_client, "andy", **body)
    assert resp.status_code == 400
    answer = resp.json()
    # A missing field is named in `errors`; a code that does not fit is no field's fault.
    missing = {"forgot_password_code", "new_password"} - {k for k, v in body.items() if v is not None}
    assert set(answer.pop("errors", {})) == (missing if error == REQUIRED else set())
    assert answer == {"self": "/v2/users/andy/change_password", "password_updated": False,
                      "forgot_password_code_deleted": False, "error": error}
    assert User.objects.get(username="andy").check_password(PASSWORD)
    assert ForgotPasswordCode.all_objects.count() == 3


def test_change_password_without_a_body(api_client, user):
    resp = api_client.generic("PUT", change_url("andy"), "", content_type="application/json")
    assert resp.status_code == 400
    assert resp.json()["error"] == REQUIRED
