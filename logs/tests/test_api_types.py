"""GET /v2/types, GET /v2/types/ and /v2/types/links: no token needed."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

TYPES = [
    "alpine ski", "backcountry ski", "bike", "canoe", "core", "hike", "ice skate", "inline skate", "kayak",
    "nordic ski", "other", "roller ski", "row", "run", "snowboard", "snowshoe", "stand up paddle", "strength", "swim",
    "virtual bike", "walk", "weights", "yoga",
]


def test_types_are_a_list_of_names_in_alphabetical_order(api_client, django_assert_num_queries):
    with django_assert_num_queries(1):
        resp = api_client.get(reverse("types:type-list"))
    assert resp.status_code == 200
    # The original's `self` of this collection alone keeps its trailing slash.
    assert resp.json() == {"self": "/v2/types/", "types": TYPES}


def test_a_bad_token_is_ignored(api_client):
    assert api_client.get(reverse("types:type-list"), HTTP_AUTHORIZATION="Bearer x").status_code == 200


def test_redirect(api_client):
    resp = api_client.get(reverse("types:type-redirect"))
    assert (resp.status_code, resp["Location"]) == (302, "/v2/types/")


def test_links(api_client):
    assert api_client.get(reverse("types:links")).json() == {"self": "/v2/types/links", "endpoints": [
        {"link": "/v2/types/", "verb": "GET", "description": "Get all the exercise types in the database."}]}
