"""Issue 13: a team or group named after a word of the routes (`links`, `members`, ...) could never be read by
name, since the route of that word answers instead: such names are refused wherever names are made (the admin,
and every model write that validates)."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from groups.models import Group
from teams.models import Team
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    return client


def add_team(client, name):
    return client.post("/admin/teams/team/add/", {"name": name, "title": f"The {name} team", "week_start": "monday"})


def add_group(client, name):
    return client.post("/admin/groups/group/add/", {
        "group_name": name, "group_title": f"The {name} group", "week_start": "monday",
        "members-TOTAL_FORMS": "0", "members-INITIAL_FORMS": "0", "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000"})


@pytest.mark.parametrize("name", ["links", "LINKS", "members", "search", "groups", "soft", "statistics"])
def test_the_admin_refuses_a_team_named_after_a_route_word(admin_client, name):
    resp = add_team(admin_client, name)
    assert resp.status_code == 200  # the form again, with the error
    assert b"is a word of the API&#x27;s paths and cannot be a name." in resp.content
    assert not Team.all_objects.filter(name=name).exists()


@pytest.mark.parametrize("name", ["links", "Members", "leaderboard", "team", "snapshot"])
def test_the_admin_refuses_a_group_named_after_a_route_word(admin_client, name):
    resp = add_group(admin_client, name)
    assert resp.status_code == 200
    assert b"is a word of the API&#x27;s paths and cannot be a name." in resp.content
    assert not Group.all_objects.filter(group_name=name).exists()


def test_other_names_are_made_and_read_by_name(admin_client):
    from conftest import client_for

    assert add_team(admin_client, "saintsxc").status_code == 302
    assert add_group(admin_client, "alumni").status_code == 302
    runner = client_for(UserFactory(username="runner"))
    assert runner.get("/v2/teams/saintsxc").json()["team"]["name"] == "saintsxc"


def test_a_team_named_links_is_unreadable_by_name(admin_client):
    """Why: the route of the word wins."""
    from conftest import client_for

    Team.objects.create(name="links", title="Links")  # as the probe could: no validation on this path
    body = client_for(UserFactory(username="runner")).get("/v2/teams/links").json()
    assert "team" not in body and "endpoints" in body


def test_model_validation_refuses_them_too():
    with pytest.raises(ValidationError):
        Team(name="links", title="x").full_clean()
    with pytest.raises(ValidationError):
        Group(group_name="members").full_clean()
