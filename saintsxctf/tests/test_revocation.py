"""Revoked sessions live in the database: no cache outage, flush or eviction brings a logged-out token back, and
a revocation lasts until every token of the session has expired (saintsxctf/foundation/auth/tokens.py)."""

from datetime import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from conftest import clear_cache
from ops.harness import free_port
from saintsxctf.foundation.auth.tokens import purge_expired_revocations
from saintsxctf.foundation.models import RevokedSession
from users.tests.factories import PASSWORD, ForgotPasswordCodeFactory

pytestmark = pytest.mark.django_db


def sign_in() -> str:
    """A legacy 7-day `result` token of a new session."""
    resp = APIClient().post(reverse("auth:token"), {"clientId": "andy", "clientSecret": PASSWORD}, format="json")
    assert resp.status_code == 200
    return resp.json()["result"]


def status_with(token: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.get(reverse("users:user-detail", kwargs={"username": "andy"})).status_code


def logout(token: str):
    return APIClient().post(reverse("auth:logout"), {"token": token}, format="json")


@pytest.fixture
def cache_down(settings):
    """The cache is Redis on a port where nothing listens: every cache call fails."""
    caches_before, aggregate_before = settings.CACHES, settings.AGGREGATE_CACHE
    settings.CACHES = {"default": {"BACKEND": "saintsxctf.foundation.cache.SharedRedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
                                   "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}}
    settings.AGGREGATE_CACHE = True
    with pytest.raises(Exception):  # noqa: B017 - whatever redis raises: the cache is really down
        cache.get("anything")
    yield
    settings.CACHES, settings.AGGREGATE_CACHE = caches_before, aggregate_before  # before conftest's clear()


def test_logout_while_the_cache_is_down_revokes_the_token(user, cache_down):
    token = sign_in()
    assert status_with(token) == 200
    resp = logout(token)
    assert resp.status_code == 200 and resp.json() == {"result": True}
    assert status_with(token) == 403


def test_password_reset_while_the_cache_is_down_changes_the_password_and_revokes(user, cache_down):
    token = sign_in()
    ForgotPasswordCodeFactory(user=user, forgot_code="ABCD1234")
    resp = APIClient().put(reverse("users:user-change-password", kwargs={"username": "andy"}),
                           {"forgot_password_code": "ABCD1234", "new_password": "brand-new"}, format="json")
    assert resp.status_code == 200 and resp.json()["password_updated"] is True
    user.refresh_from_db()
    assert user.check_password("brand-new")
    assert status_with(token) == 403


def test_a_logged_out_token_stays_refused_after_the_cache_is_cleared(user):
    token = sign_in()
    assert logout(token).json() == {"result": True}
    clear_cache()  # this run's keys only: a FLUSHDB would erase other suites' and servers' state
    assert status_with(token) == 403
    assert APIClient().post(reverse("auth:authenticate"), {"token": token}, format="json").json() == \
        {"result": False}


def test_a_revocation_lasts_until_the_sessions_tokens_expire(user):
    """Not 15 minutes (the refreshed access lifetime): the legacy token lives 7 days and the refresh token 14,
    so the revocation must outlive both; the purge forgets it only after that."""
    token = sign_in()
    expires = datetime.utcfromtimestamp(AccessToken(token)["exp"])
    assert logout(token).json() == {"result": True}
    revoked = RevokedSession.objects.get(sid=AccessToken(token)["sid"])
    assert revoked.expires_at >= expires
    assert purge_expired_revocations(now=expires) == 0  # a purge just before the token expires keeps it
    assert status_with(token) == 403
    assert purge_expired_revocations(now=revoked.expires_at.replace(year=revoked.expires_at.year + 1)) == 1
    assert not RevokedSession.objects.exists()

