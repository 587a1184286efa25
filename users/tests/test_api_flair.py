"""POST /v2/flair/ and the flair links."""

import pytest
from django.urls import reverse

from users.models import Flair

pytestmark = pytest.mark.django_db

URL = "/v2/flair/"


def test_create_own_flair(auth_client, user):
    assert reverse("flair:flair-list") == URL
    resp = auth_client.post(URL, {"username": "andy", "flair": "Site Creator"}, format="json")
    assert resp.status_code == 201
    flair = Flair.objects.get()
    assert resp.json() == {"self": "/v2/flair", "added": True,
                           "flair": {"deleted": False, "flair": "Site Creator", "flair_id": flair.pk,
                                     "username": "andy"}}
    assert flair.created_app == "saints-xctf-api"


@pytest.mark.parametrize("body, error, bad_fields", [
    ({"username": "dotty", "flair": "Fast"}, "User andy is not authorized to create a flair for user dotty.", set()),
    # Who the flair is for is checked before the body is complete, as the original did.
    ({"flair": "Fast"}, "User andy is not authorized to create a flair for user None.", set()),
    ({"username": "andy"}, "'username' and 'flair' are required fields", {"flair"}),
    ({"username": "andy", "flair": None}, "'username' and 'flair' are required fields", {"flair"}),
    ({"username": "andy", "flair": "x" * 51}, "'username' and 'flair' are required fields", {"flair"}),
])
def test_create_flair_refused(auth_client, other_user, body, error, bad_fields):
    resp = auth_client.post(URL, body, format="json")
    assert resp.status_code == 400
    answer = resp.json()
    assert set(answer.pop("errors", {})) == bad_fields
    assert answer == {"self": "/v2/flair", "added": False, "error": error}
    assert not Flair.objects.exists()


def test_create_flair_without_a_body(auth_client):
    resp = auth_client.generic("POST", URL, "", content_type="application/json")
    assert resp.json() == {"self": "/v2/flair", "added": False, "error": "the request body isn't populated"}


def test_create_flair_needs_a_token(api_client, user):
    assert api_client.post(URL, {"username": "andy", "flair": "x"}, format="json").status_code == 401


def test_flair_redirect_and_links(auth_client, api_client):
    resp = auth_client.post("/v2/flair", {"username": "andy", "flair": "x"}, format="json")
    assert (resp.status_code, resp["Location"]) == (307, URL)
    body = api_client.get(reverse("flair:links")).json()
    assert body == {"self": "/v2/flair/links",
                    "endpoints": [{"link": "/v2/flair/", "verb": "POST", "description": "Create a new flair item."}]}
