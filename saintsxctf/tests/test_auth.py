from datetime import timedelta

import bcrypt
import pytest
from django.urls import reverse
from rest_framework_simplejwt.tokens import AccessToken

from users.models import User
from users.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def get_token(client, client_id, secret):
    return client.post(reverse("auth:token"), {"clientId": client_id, "clientSecret": secret}, format="json")


def test_token_by_username_and_by_email_authenticates_v2(api_client, user):
    for client_id in (user.username, user.email):
        resp = get_token(api_client, client_id, PASSWORD)
        assert resp.status_code == 200
        token = resp.json()["result"]
        assert AccessToken(token)["sub"] == "andy"
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        assert api_client.get(reverse("users:user-detail", kwargs={"username": "andy"})).status_code == 200
        api_client.credentials()


def test_token_refused(api_client, user):
    # The original auth service's refusal, which the iOS app needs (false or null crash it).
    assert get_token(api_client, "andy", "wrong").json() == {"result": ""}
    assert get_token(api_client, "nobody", PASSWORD).json() == {"result": ""}
    assert api_client.post(reverse("auth:token"), {}, format="json").json() == {"result": ""}


def test_deleted_user_gets_no_token(api_client, user):
    user.soft_delete()
    assert get_token(api_client, "andy", PASSWORD).json() == {"result": ""}


def test_authenticate(api_client, user):
    token = get_token(api_client, "andy", PASSWORD).json()["result"]
    url = reverse("auth:authenticate")
    assert api_client.post(url, {"token": token}, format="json").json() == {"result": True}
    assert api_client.post(url, {"token": token + "x"}, format="json").json() == {"result": False}
    assert api_client.post(url, {}, format="json").json() == {"result": False}


def test_expired_token_is_rejected_with_403(api_client, user):
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-timedelta(seconds=1))
    resp = api_client.get(reverse("users:user-detail", kwargs={"username": "andy"}),
                          HTTP_AUTHORIZATION=f"Bearer {token}")
    assert resp.status_code == 403
    assert api_client.post(reverse("auth:authenticate"), {"token": str(token)}, format="json").json() == {
        "result": False
    }


def test_token_signed_with_another_key_is_rejected(api_client, user, settings):
    from rest_framework_simplejwt.backends import TokenBackend

    forged = TokenBackend("HS256", signing_key="another-key").encode({"sub": "andy", "token_type": "access",
                                                                       "exp": 9999999999, "jti": "x"})
    resp = api_client.get(reverse("users:user-detail", kwargs={"username": "andy"}),
                          HTTP_AUTHORIZATION=f"Bearer {forged}")
    assert resp.status_code == 403


@pytest.mark.parametrize("prefix", [b"2a", b"2b"])
def test_legacy_bcrypt_hash_verifies_as_is_and_is_upgraded(api_client, prefix):
    legacy = bcrypt.hashpw(b"apitest", bcrypt.gensalt(rounds=4, prefix=prefix)).decode()
    UserFactory(username="legacy", password=None)
    User.objects.filter(username="legacy").update(password=legacy)

    assert get_token(api_client, "legacy", "wrong").json() == {"result": ""}
    assert User.objects.get(username="legacy").password == legacy  # a failed login changes nothing

    assert isinstance(get_token(api_client, "legacy", "apitest").json()["result"], str)
    upgraded = User.objects.get(username="legacy").password
    assert upgraded != legacy and not upgraded.startswith("$2")
    # The upgraded hash still logs in.
    assert isinstance(get_token(api_client, "legacy", "apitest").json()["result"], str)


def test_refresh_and_verify(api_client, user):
    pair = api_client.post(reverse("auth:token-pair"), {"username": "andy", "password": PASSWORD},
                           format="json").json()
    resp = api_client.post(reverse("auth:token-refresh"), {"refresh": pair["refresh"]}, format="json")
    assert resp.status_code == 200 and resp.json()["access"]
    assert api_client.post(reverse("auth:token-verify"), {"token": resp.json()["access"]},
                           format="json").status_code == 200
    bad = api_client.post(reverse("auth:token-verify"), {"token": "junk"}, format="json")
    assert bad.status_code == 403
    assert bad.json()["error_description"] == "Forbidden" and bad.json()["exception"] == "Token is invalid or expired"
