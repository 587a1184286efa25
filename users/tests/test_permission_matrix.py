"""Who may call what, for every endpoint of the user, flair, activation-code and forgot-password groups.

Anonymous callers get 401 (no header) or 403 (a bad header) where endpoints.md says a token is needed, and
reach the endpoint where it does not.
"""

import pytest

from conftest import client_for
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# (method, path, token needed) for every row of endpoints.md in these groups.
ENDPOINTS = [
    ("get", "/v2/users/", True),
    ("post", "/v2/users/", False),
    ("get", "/v2/users/andy", True),
    ("put", "/v2/users/andy", True),
    ("delete", "/v2/users/andy", True),
    ("delete", "/v2/users/soft/andy", True),
    ("get", "/v2/users/snapshot/andy", True),
    ("get", "/v2/users/groups/andy", True),
    ("get", "/v2/users/teams/andy", True),
    ("get", "/v2/users/memberships/andy", True),
    ("put", "/v2/users/memberships/andy", True),
    ("get", "/v2/users/notifications/andy", True),
    ("get", "/v2/users/flair/andy", True),
    ("get", "/v2/users/statistics/andy", True),
    ("put", "/v2/users/andy/change_password", False),
    ("put", "/v2/users/andy/update_last_login", True),
    ("get", "/v2/users/lookup/andy", False),
    ("get", "/v2/users/links", False),
    ("post", "/v2/flair/", True),
    ("get", "/v2/flair/links", False),
    ("post", "/v2/activation_code/", True),
    ("get", "/v2/activation_code/AAA111", True),
    ("delete", "/v2/activation_code/AAA111", True),
    ("get", "/v2/activation_code/exists/AAA111", True),
    ("delete", "/v2/activation_code/soft/AAA111", True),
    ("get", "/v2/activation_code/links", False),
    ("get", "/v2/forgot_password/andy", True),
    ("post", "/v2/forgot_password/andy", False),
    ("get", "/v2/forgot_password/validate/ABCD1234", False),
    ("get", "/v2/forgot_password/links", False),
]


@pytest.fixture
def andy(db):
    return UserFactory(username="andy", email="andy@example.com")


@pytest.mark.parametrize("method, path, token_needed", ENDPOINTS, ids=lambda v: str(v))
def test_no_header(api_client, andy, method, path, token_needed):
    resp = getattr(api_client, method)(path, {}, format="json")
    if token_needed:
        assert resp.status_code == 401
        assert resp.json()["error_description"] == "Unauthorized"
    else:
        assert resp.status_code not in (401, 403, 404, 405)


@pytest.mark.parametrize("method, path, token_needed", ENDPOINTS, ids=lambda v: str(v))
def test_bad_header(api_client, andy, method, path, token_needed):
    resp = getattr(api_client, method)(path, {}, format="json", HTTP_AUTHORIZATION="Bearer not.a.token")
    if token_needed:
        assert resp.status_code == 403
        assert resp.json()["error_description"] == "Forbidden"
    else:
        assert resp.status_code not in (401, 403, 404, 405)


# Writes on another runner's account: (method, path, body, the contract's exact 400 error).
SOMEONE_ELSES = [
    ("put", "/v2/users/andy", {"first": "A", "last": "B"}, "User dotty is not authorized to update user andy."),
    ("delete", "/v2/users/soft/andy", None, "User dotty is not authorized to soft delete user andy."),
    ("put", "/v2/users/memberships/andy", {"teams_joined": []},
     "User dotty is not authorized to update the memberships of user andy."),
    ("put", "/v2/users/andy/update_last_login", None,
     "User dotty is not authorized to update the last login date of user andy."),
    ("post", "/v2/flair/", {"username": "andy", "flair": "x"},
     "User dotty is not authorized to create a flair for user andy."),
    ("get", "/v2/forgot_password/andy", None,
     "User dotty is not authorized to access forgot password codes for user andy."),
]


@pytest.mark.parametrize("method, path, body, error", SOMEONE_ELSES, ids=lambda v: str(v))
def test_someone_elses_account_is_refused_with_the_contracts_400(andy, method, path, body, error):
    dotty = UserFactory(username="dotty", email="dotty@example.com")
    before = list(type(andy).all_objects.filter(username="andy").values())
    resp = getattr(client_for(dotty), method)(path, body, format="json")
    assert resp.status_code == 400
    assert resp.json()["error"] == error
    assert list(type(andy).all_objects.filter(username="andy").values()) == before
