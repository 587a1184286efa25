import pytest
from django.urls import resolve, reverse

from saintsxctf.urls import API_ROUTERS

pytestmark = pytest.mark.django_db


def test_root(api_client):
    resp = api_client.get(reverse("root"))
    assert resp.status_code == 200
    assert resp.json() == {"api_name": "saints-xctf-api", "self_link": "/", "versions_link": "/versions"}


def test_versions(api_client):
    resp = api_client.get(reverse("versions"))
    assert resp.json() == {"self": "/versions", "version_1": None, "version_2": "/v2", "version_latest": "/v2"}


def test_v2(api_client):
    resp = api_client.get(reverse("v2"))
    assert resp.json() == {"self": "/v2", "version": 2, "latest": True, "links": "/v2/links"}


def test_v2_links_names_every_group_of_the_contract(api_client):
    body = api_client.get(reverse("v2-links")).json()
    assert body["self"] == "/v2/links"
    expected = {
        "activation_code": "/v2/activation_code/links", "comment": "/v2/comments/links", "flair": "/v2/flair/links",
        "forgot_password": "/v2/forgot_password/links", "group": "/v2/groups/links",
        "log_feed": "/v2/log_feed/links", "log": "/v2/logs/links", "notification": "/v2/notifications/links",
        "range_view": "/v2/range_view/links", "team": "/v2/teams/links", "user": "/v2/users/links",
        "type": "/v2/types/links",
    }
    assert {k: v for k, v in body.items() if k != "self"} == expected


@pytest.mark.parametrize("router", API_ROUTERS, ids=lambda r: r.path)
def test_every_links_index_needs_no_token_and_every_link_resolves(api_client, router):
    url = reverse(f"{router.namespace}:links")
    resp = api_client.get(url, HTTP_AUTHORIZATION="Bearer not-a-token")
    assert resp.status_code == 200
    body = resp.json()
    assert body["self"] == url
    assert len(body["endpoints"]) == sum(len(e.mapping) for e in router.endpoints())
    for entry in body["endpoints"]:
        assert set(entry) == {"link", "verb", "description"}
        assert entry["link"].startswith(f"/v2/{router.path}")
        assert entry["description"]
        # A placeholder path resolves to the route it was generated from.
        match = resolve(entry["link"].replace("<", "").replace(">", ""))
        assert match.namespace == router.namespace
        assert entry["verb"].lower() in match.func.actions


def test_types_links_lists_its_endpoints(api_client):
    body = api_client.get(reverse("types:links")).json()
    assert {"link": "/v2/types/", "verb": "GET", "description": "Get all the exercise types in the database."} in body["endpoints"]
