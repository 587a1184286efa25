"""Shared fixtures: clients that name who is calling, with real simplejwt tokens."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from saintsxctf.auth.tokens import issue_access_token
from users.tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fast_tests(settings):
    """A fast hasher first (bcrypt stays available, legacy hashes still verify); a clean cache."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "saintsxctf.auth.hashers.ClientBCryptPasswordHasher",
    ]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    cache.clear()
    yield
    cache.clear()


def client_for(user) -> APIClient:
    """An API client that sends `user`'s bearer token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user)}")
    return client


@pytest.fixture
def api_client():
    """No token at all."""
    return APIClient()


@pytest.fixture
def user(db):
    return UserFactory(username="andy", first="Andy", last="Jarombek", email="andy@example.com")


@pytest.fixture
def auth_client(user):
    """Calls as `user`."""
    return client_for(user)


@pytest.fixture
def other_user(db):
    return UserFactory(username="dotty", first="Dotty", last="Jarombek", email="dotty@example.com")


@pytest.fixture
def other_client(other_user):
    """Calls as another runner."""
    return client_for(other_user)
