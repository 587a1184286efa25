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


@pytest.mark.parametrize("value", ["run", "RUN", "yoga", "fly", "", "run ", 5, 2.5, True, ["run"], {"type": "run"}, None])
def test_a_writes_type_is_found_as_drfs_slug_field_finds_it(value, django_assert_max_num_queries):
    """The log writes' exercise type field (logs/serializers.py ExerciseTypeField, a query compiled once) answers
    what DRF's SlugRelatedField answers for any JSON value: the type, or the same error."""
    from rest_framework import serializers

    from logs.models import ExerciseType
    from logs.serializers import ExerciseTypeField

    def answer(field):
        try:
            return field.run_validation(value)
        except serializers.ValidationError as error:
            return error.detail

    ours = ExerciseTypeField()
    with django_assert_max_num_queries(1):
        found = answer(ours)
    assert found == answer(serializers.SlugRelatedField(slug_field="type", queryset=ExerciseType.objects.all()))
    if value in ("run", "yoga"):
        assert isinstance(found, ExerciseType) and found.type == value
    elif value not in ("RUN", "run "):  # these as the database's collation has them (found on MariaDB, not SQLite)
        assert not isinstance(found, ExerciseType)
