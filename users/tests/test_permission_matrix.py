"""Who may call what, for every endpoint of the user, flair, activation-code and forgot-password groups.

Anonymous callers get 401 (no header) or 403 (a bad header) where endpoints.md says a token is needed, and
reach the endpoint where it does not.
"""

import pytest

from conftest import client_for
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "token needed"
# (method, path, TOKEN or the status an empty request without a token gets) for every row of endpoints.md in these
# groups: an endpoint that needs no token answers exactly that (a 500 there is a failure, not a pass).
ENDPOINTS = [
    ("get", "/v2/users/", TOKEN),
    ("post", "/v2/users/", 400),
    ("get", "/v2/users/andy", TOKEN),
    ("put", "/v2/users/andy", TOKEN),
    ("delete", "/v2/users/andy", TOKEN),
    ("delete", "/v2/users/soft/andy", TOKEN),
    ("get", "/v2/users/snapshot/andy", TOKEN),
    ("get", "/v2/users/groups/andy", TOKEN),
    ("get", "/v2/users/teams/andy", TOKEN),
    ("get", "/v2/users/memberships/andy", TOKEN),
    ("put", "/v2/users/memberships/andy", TOKEN),
    ("get", "/v2/users/notifications/andy", TOKEN),
    ("get", "/v2/users/flair/andy", TOKEN),
    ("get", "/v2/users/statistics/andy", TOKEN),
    ("put", "/v2/users/andy/change_password", 400),
    ("put", "/v2/users/andy/update_last_login", TOKEN),
    ("get", "/v2/users/lookup/andy", 200),
    ("get", "/v2/users/links", 200),
    ("post", "/v2/flair/", TOKEN),
    ("get", "/v2/flair/links", 200),
    ("post", "/v2/activation_code/", TOKEN),
    ("get", "/v2/activation_code/AAA111", TOKEN),
    ("delete", "/v2/activation_code/AAA111", TOKEN),
    ("get", "/v2/activation_code/exists/AAA111", TOKEN),
    ("delete", "/v2/activation_code/soft/AAA111", TOKEN),
    ("get", "/v2/activation_code/links", 200),
    ("get", "/v2/forgot_password/andy", TOKEN),
    ("post", "/v2/forgot_password/andy", 201),
    ("get", "/v2/forgot_password/validate/ABCD1234", 400),
    ("get", "/v2/forgot_password/links", 200),
]


@pytest.fixture
def andy(db):
    return UserFactory(username="andy", email="andy@example.com")


@pytest.mark.parametrize("method, path, anonymous", ENDPOINTS, ids=lambda v: str(v))
def test_no_header(api_client, andy, method, path, anonymous):
    resp = getattr(api_client, method)(path, {}, format="json")
    if anonymous == TOKEN:
        assert resp.status_code == 401
        assert resp.json()["error_description"] == "Unauthorized"
    else:
        assert resp.status_code == anonymous, resp.content


@pytest.mark.parametrize("method, path, anonymous", ENDPOINTS, ids=lambda v: str(v))
def test_bad_header(api_client, andy, method, path, anonymous):
    """A bad header on an endpoint that needs no token is ignored, exactly as no header is."""
    resp = getattr(api_client, method)(path, {}, format="json", HTTP_AUTHORIZATION="Bearer not.a.token")
    if anonymous == TOKEN:
        assert resp.status_code == 403
        assert resp.json()["error_description"] == "Forbidden"
    else:
        assert resp.status_code == anonymous, resp.content


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
