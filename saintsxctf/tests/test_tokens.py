"""Tokens: refresh with rotation, logout, revocation on password change, lifetimes."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.urls import reverse
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from saintsxctf.foundation.auth.authentication import BearerTokenAuthentication
from saintsxctf.foundation.auth.tokens import issue_refresh_token, revoke_user_tokens
from users.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, client_id="andy", secret=PASSWORD) -> dict:
    resp = client.post(reverse("auth:token"), {"clientId": client_id, "clientSecret": secret}, format="json")
    assert resp.status_code == 200
    return resp.json()


def status_with(token: str) -> int:
    """The status of an authenticated read made with `token`."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.get(reverse("users:user-detail", kwargs={"username": "andy"})).status_code


def refresh(client, token: str):
    return client.post(reverse("auth:token-refresh"), {"refresh": token}, format="json")


def test_legacy_token_body_keeps_result_and_adds_refresh(api_client, user, settings):
    body = sign_in(api_client)
    assert set(body) == {"result", "refresh"}
    access = AccessToken(body["result"])
    assert access["sub"] == "andy" and access["email"] == "andy@example.com" and access["name"] == "Andy Jarombek"
    lifetime = access["exp"] - access["iat"]
    assert lifetime == settings.JWT_LEGACY_ACCESS_LIFETIME.total_seconds()
    assert RefreshToken(body["refresh"])["sid"] == access["sid"]
    assert status_with(body["result"]) == 200


@pytest.mark.parametrize(("ahead", "status"), [(3, 200), (60, 403)])
def test_a_token_from_an_instance_whose_clock_is_a_little_ahead_is_accepted(api_client, user, ahead, status):
    """Two API instances' clocks differ: a token issued by one whose clock is `ahead` seconds ahead is used at once
    on this one. Within JWT_LEEWAY_SECONDS (5) it works; a minute ahead it is refused as issued in the future."""
    import time

    token = AccessToken(sign_in(api_client)["result"])
    token["iat"] = int(time.time()) + ahead  # as that instance stamped it (re-signed with the shared key)
    assert status_with(str(token)) == status


def test_refreshed_access_tokens_are_short_lived(api_client, user, settings):
    body = refresh(api_client, sign_in(api_client)["refresh"]).json()
    access = AccessToken(body["access"])
    assert access["exp"] - access["iat"] == settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds()
    assert access["exp"] - access["iat"] < settings.JWT_LEGACY_ACCESS_LIFETIME.total_seconds()
    assert status_with(body["access"]) == 200


def test_refresh_rotates_and_a_spent_refresh_token_is_refused(api_client, user):
    first = sign_in(api_client)["refresh"]
    resp = refresh(api_client, first)
    assert resp.status_code == 200
    second = resp.json()["refresh"]
    assert second != first
    assert BlacklistedToken.objects.filter(token__jti=RefreshToken(second, verify=False)["jti"]).count() == 0
    assert BlacklistedToken.objects.filter(token__jti=RefreshToken(first, verify=False)["jti"]).exists()

    again = refresh(api_client, first)
    assert again.status_code == 403
    assert again.json()["error_description"] == "Forbidden"


def test_reuse_of_a_spent_refresh_token_revokes_the_whole_session(api_client, user):
    """A refresh token used twice was copied: the thief's and the owner's tokens of that session all die."""
    legacy = sign_in(api_client)
    rotated = refresh(api_client, legacy["refresh"]).json()
    BlacklistedToken.objects.update(blacklisted_at=F("blacklisted_at") - timedelta(seconds=11))
    assert refresh(api_client, legacy["refresh"]).status_code == 403  # the replay
    assert refresh(api_client, rotated["refresh"]).status_code == 403
    assert status_with(rotated["access"]) == 403
    assert status_with(legacy["result"]) == 403
    # Another session of the same runner is untouched.
    assert status_with(sign_in(api_client)["result"]) == 200


def test_a_refresh_token_works_once_and_a_quick_second_try_keeps_the_session(api_client, user):
    """A client racing itself (two tabs) is refused the second time but stays signed in."""
    token = sign_in(api_client)["refresh"]
    first, second = refresh(api_client, token), refresh(api_client, token)
    assert (first.status_code, second.status_code) == (200, 403)
    assert status_with(first.json()["access"]) == 200
    assert refresh(api_client, first.json()["refresh"]).status_code == 200


def test_logout_with_refresh_token_revokes_the_session(api_client, user):
    mine, other_device = sign_in(api_client), sign_in(api_client)
    rotated = refresh(api_client, mine["refresh"]).json()

    resp = api_client.post(reverse("auth:logout"), {"refresh": rotated["refresh"]}, format="json")
    assert resp.status_code == 200 and resp.json() == {"result": True}

    assert status_with(mine["result"]) == 403  # the legacy access token of the session
    assert status_with(rotated["access"]) == 403  # and the refreshed one
    assert refresh(api_client, rotated["refresh"]).status_code == 403
    assert api_client.post(reverse("auth:authenticate"), {"token": mine["result"]}, format="json").json() == {
        "result": False}
    assert api_client.post(reverse("auth:token-verify"), {"token": rotated["access"]},
                           format="json").status_code == 403
    # Logging out one device leaves the others signed in.
    assert status_with(other_device["result"]) == 200


@pytest.mark.parametrize("how", ["body", "header"])
def test_legacy_clients_log_out_with_their_access_token(api_client, user, how):
    body = sign_in(api_client)
    if how == "body":
        resp = api_client.post(reverse("auth:logout"), {"token": body["result"]}, format="json")
    else:
        resp = api_client.post(reverse("auth:logout"), {}, format="json", HTTP_AUTHORIZATION=f"Bearer {body['result']}")
    assert resp.json() == {"result": True}
    assert status_with(body["result"]) == 403
    assert refresh(api_client, body["refresh"]).status_code == 403


@pytest.mark.parametrize("payload", [{}, {"refresh": "junk"}, {"token": "a.b.c"}, [], {"refresh": 5}])
def test_logout_with_a_bad_token_is_refused_without_error(api_client, user, payload):
    resp = api_client.post(reverse("auth:logout"), payload, format="json")
    assert resp.status_code == 200 and resp.json() == {"result": False}


def test_changing_the_password_revokes_every_older_token(api_client, user):
    body = sign_in(api_client)
    user.set_password("a-new-password")
    user.save()
    # The `pwd` claim alone already refuses the old tokens, refresh included.
    assert status_with(body["result"]) == 403
    assert refresh(api_client, body["refresh"]).status_code == 403
    # The new password signs in again at once (same second as the change).
    assert status_with(sign_in(api_client, secret="a-new-password")["result"]) == 200


def test_revoke_user_tokens_blacklists_and_revokes_every_session(api_client, user, other_user):
    sessions = [sign_in(api_client) for _ in range(3)]
    dotty = sign_in(api_client, "dotty")

    assert revoke_user_tokens(user) == 3
    for session in sessions:
        assert status_with(session["result"]) == 403
        assert refresh(api_client, session["refresh"]).status_code == 403
    assert OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True).count() == 0
    assert status_with(dotty["result"]) == 200  # another runner is untouched
    assert status_with(sign_in(api_client)["result"]) == 200  # and the runner can sign in again
    assert revoke_user_tokens(user) == 1


def test_token_pair_carries_the_same_claims(api_client, user):
    resp = api_client.post(reverse("auth:token-pair"), {"username": "andy", "password": PASSWORD}, format="json")
    assert resp.status_code == 200
    access = AccessToken(resp.json()["access"])
    assert access["pwd"] and access["sid"] and access["sub"] == "andy"
    assert status_with(resp.json()["access"]) == 200
    bad = api_client.post(reverse("auth:token-pair"), {"username": "andy", "password": "nope"}, format="json")
    assert bad.status_code == 403 and bad.json()["error_description"] == "Forbidden"


def test_refresh_of_a_deleted_user_is_refused_not_500(api_client, user):
    token = sign_in(api_client)["refresh"]
    user.soft_delete()
    assert refresh(api_client, token).status_code == 403


def test_expired_refresh_token_is_refused(api_client, user, settings):
    token = issue_refresh_token(user)
    token.set_exp(lifetime=-timedelta(seconds=settings.SIMPLE_JWT["LEEWAY"] + 1))  # expired beyond the leeway
    assert refresh(api_client, str(token)).status_code == 403


def test_access_token_is_not_a_refresh_token(api_client, user):
    assert refresh(api_client, sign_in(api_client)["result"]).status_code == 403


def test_checking_a_token_costs_one_query(user, django_assert_num_queries):
    """Revocation rides on the user row authentication loads anyway (and one cache read)."""
    token = sign_in(APIClient())["result"]
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {token}")
    with django_assert_num_queries(1):
        authenticated = BearerTokenAuthentication().authenticate(request)
    assert authenticated[0].username == "andy"
