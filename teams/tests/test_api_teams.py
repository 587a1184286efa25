"""Teams through the real stack: bodies from the contract's examples, errors, search, query counts."""

from datetime import date

import pytest
from django.urls import reverse

from groups.tests.factories import GroupFactory
from teams.tests.factories import TeamFactory, TeamGroupFactory, TeamMemberFactory
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def team_body(name, title):
    return {"deleted": False, "description": None, "name": name, "picture_name": None, "title": title,
            "week_start": None}


@pytest.fixture
def teams(db):
    return {
        "friends": TeamFactory(name="friends", title="Andy & Friends"),
        "saintsxctf": TeamFactory(name="saintsxctf", title="St. Lawrence Cross Country and Track & Field"),
        "saintsxctf_alumni": TeamFactory(name="saintsxctf_alumni", title="SaintsXCTF Alumni"),
        "jarombek": TeamFactory(name="jarombek", title="Jarombek Family"),
    }


def test_teams_need_a_token(api_client, teams):
    assert api_client.get(reverse("teams:team-list")).status_code == 401


def test_teams_redirect(auth_client):
    resp = auth_client.get(reverse("teams:team-redirect"))
    assert (resp.status_code, resp["Location"]) == (302, "/v2/teams/")


def test_links(api_client):
    body = api_client.get(reverse("teams:links")).json()
    assert body["self"] == "/v2/teams/links"
    assert {(e["link"], e["verb"], e["description"]) for e in body["endpoints"]} >= {
        ("/v2/teams/<name>", "GET", "Retrieve a single team with a given name."),
        ("/v2/teams/members/<name>", "GET", "Retrieve the members of a team with a given name."),
        ("/v2/teams/groups/<name>", "GET", "Retrieve the groups in a team based on the team name."),
        ("/v2/teams/search/<text>/<limit>", "GET", "Text search for teams."),
    }
    assert len(body["endpoints"]) == 5


def test_list_teams_by_name(auth_client, teams):
    TeamFactory(name="aaa_gone", title="Gone", deleted=True)
    resp = auth_client.get(reverse("teams:team-list"))
    assert resp.status_code == 200
    assert resp.json() == {"self": "/v2/teams", "teams": [
        team_body("friends", "Andy & Friends"), team_body("jarombek", "Jarombek Family"),
        team_body("saintsxctf", "St. Lawrence Cross Country and Track & Field"),
        team_body("saintsxctf_alumni", "SaintsXCTF Alumni")]}


def test_list_teams_query_count_is_constant(auth_client, django_assert_num_queries):
    TeamFactory.create_batch(3)
    with django_assert_num_queries(2):
        assert len(auth_client.get(reverse("teams:team-list")).json()["teams"]) == 3
    TeamFactory.create_batch(27)
    with django_assert_num_queries(2):
        assert len(auth_client.get(reverse("teams:team-list")).json()["teams"]) == 30


def test_retrieve_team(auth_client, teams):
    resp = auth_client.get(reverse("teams:team-detail", kwargs={"name": "saintsxctf"}))
    assert resp.status_code == 200
    assert resp.json() == {"self": "/v2/teams/saintsxctf",
                           "team": team_body("saintsxctf", "St. Lawrence Cross Country and Track & Field")}


def test_retrieve_unknown_or_deleted_team(auth_client, teams):
    teams["jarombek"].soft_delete()
    for name in ["nope", "jarombek"]:
        resp = auth_client.get(reverse("teams:team-detail", kwargs={"name": name}))
        assert resp.status_code == 400
        assert resp.json() == {"self": f"/v2/teams/{name}", "team": None, "error": "there is no team with this name"}


# -- members --------------------------------------------------------------------------------------
def test_team_members_include_pending_in_membership_order(auth_client, teams, user):
    user.member_since = date(2016, 12, 23)
    user.save()
    dotty = UserFactory(username="dotty", first="Dotty", last="Jarombek", member_since=date(2016, 12, 24))
    TeamMemberFactory(team=teams["jarombek"], user=user, role="admin")
    TeamMemberFactory(team=teams["jarombek"], user=dotty, status="pending")
    TeamMemberFactory(team=teams["jarombek"], user=UserFactory(username="gone")).soft_delete()
    TeamMemberFactory(team=teams["jarombek"], user=UserFactory(username="ghost", deleted=True))
    resp = auth_client.get(reverse("teams:team-members", kwargs={"name": "jarombek"}))
    assert resp.status_code == 200
    assert resp.json() == {"self": "/v2/teams/members/jarombek", "group": "/v2/teams/jarombek", "team_members": [
        {"deleted": 0, "first": "Andy", "last": "Jarombek", "member_since": "Fri, 23 Dec 2016 00:00:00 GMT",
         "status": "accepted", "user": "admin", "username": "andy"},
        {"deleted": 0, "first": "Dotty", "last": "Jarombek", "member_since": "Sat, 24 Dec 2016 00:00:00 GMT",
         "status": "pending", "user": "user", "username": "dotty"},
    ]}


@pytest.mark.parametrize("name", ["friends", "nope", "jarombek"])
def test_members_of_an_empty_unknown_or_deleted_team(auth_client, teams, user, name):
    TeamMemberFactory(team=teams["jarombek"], user=user)
    teams["jarombek"].soft_delete()
    resp = auth_client.get(reverse("teams:team-members", kwargs={"name": name}))
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/teams/members/{name}", "team": f"/v2/teams/{name}", "team_members": None,
                           "error": "the team does not exist or it has no members"}


def test_team_members_query_count_is_constant(auth_client, teams, django_assert_num_queries):
    url = reverse("teams:team-members", kwargs={"name": "saintsxctf"})
    TeamMemberFactory.create_batch(3, team=teams["saintsxctf"])
    with django_assert_num_queries(2):
        assert len(auth_client.get(url).json()["team_members"]) == 3
    TeamMemberFactory.create_batch(27, team=teams["saintsxctf"])
    with django_assert_num_queries(2):
        assert len(auth_client.get(url).json()["team_members"]) == 30


# -- groups ---------------------------------------------------------------------------------------
def test_team_groups_by_group_name(auth_client, teams):
    saints = teams["saintsxctf"]
    wmensxc = GroupFactory(group_name="wmensxc", group_title="Women's Cross Country", description="Gung Ho!")
    alumni = GroupFactory(group_name="alumni", group_title="Alumni", description="", grouppic_name="picture.png")
    for group in (wmensxc, alumni):
        TeamGroupFactory(team=saints, group=group)
    TeamGroupFactory(team=saints, group=GroupFactory(group_name="gone", deleted=True))
    TeamGroupFactory(team=saints, group=GroupFactory(group_name="unlinked")).soft_delete()
    TeamGroupFactory(team=teams["friends"], group=GroupFactory(group_name="friends"))
    resp = auth_client.get(reverse("teams:team-groups", kwargs={"name": "saintsxctf"}))
    assert resp.status_code == 200
    assert resp.json() == {"self": "/v2/teams/groups/saintsxctf", "group": "/v2/teams/saintsxctf", "team_groups": [
        {"deleted": 0, "description": "", "group_name": "alumni", "group_title": "Alumni",
         "grouppic_name": "picture.png", "id": alumni.pk, "week_start": "sunday"},
        {"deleted": 0, "description": "Gung Ho!", "group_name": "wmensxc", "group_title": "Women's Cross Country",
         "grouppic_name": None, "id": wmensxc.pk, "week_start": "sunday"},
    ]}


@pytest.mark.parametrize("name", ["friends", "nope"])
def test_groups_of_an_empty_or_unknown_team(auth_client, teams, name):
    resp = auth_client.get(reverse("teams:team-groups", kwargs={"name": name}))
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/teams/groups/{name}", "team": f"/v2/teams/{name}", "team_groups": None,
                           "error": "the team does not exist or it has no groups"}


def test_team_groups_query_count_is_constant(auth_client, teams, django_assert_num_queries):
    url = reverse("teams:team-groups", kwargs={"name": "saintsxctf"})
    TeamGroupFactory.create_batch(2, team=teams["saintsxctf"])
    with django_assert_num_queries(2):
        assert len(auth_client.get(url).json()["team_groups"]) == 2
    TeamGroupFactory.create_batch(18, team=teams["saintsxctf"])
    with django_assert_num_queries(2):
        assert len(auth_client.get(url).json()["team_groups"]) == 20


# -- search ---------------------------------------------------------------------------------------
def search_url(text, limit):
    return reverse("teams:team-search", kwargs={"text": text, "limit": limit})


@pytest.mark.parametrize("text,names", [
    ("A", ["friends", "jarombek", "saintsxctf", "saintsxctf_alumni"]),
    # "St. Lawrence Cross Country and ..." holds "an" too (the web client's hand-made fixture omits it).
    ("An", ["friends", "saintsxctf"]),
    ("And", ["friends", "saintsxctf"]),
    ("Andy", ["friends"]),
    ("andy", ["friends"]),
    ("ALUMNI", ["saintsxctf_alumni"]),
])
def test_search_matches_name_or_title_case_insensitively(auth_client, teams, text, names):
    resp = auth_client.get(search_url(text, 6))
    assert resp.status_code == 200
    body = resp.json()
    assert body["self"] == f"/v2/teams/search/{text}/6"
    assert [team["name"] for team in body["teams"]] == names
    assert "message" not in body


def test_search_example_body(auth_client, teams):
    assert auth_client.get(search_url("Andy", 6)).json() == {
        "self": "/v2/teams/search/Andy/6", "teams": [team_body("friends", "Andy & Friends")]}


def test_search_limits_the_teams(auth_client, teams):
    assert [t["name"] for t in auth_client.get(search_url("a", 2)).json()["teams"]] == ["friends", "jarombek"]


def test_search_without_match(auth_client, teams):
    resp = auth_client.get(search_url("zzz", 6))
    assert resp.status_code == 200
    assert resp.json() == {"self": "/v2/teams/search/zzz/6", "teams": [],
                           "message": "no teams were found with the provided text"}


def test_search_hides_deleted_teams(auth_client, teams):
    teams["friends"].soft_delete()
    assert auth_client.get(search_url("Andy", 6)).json()["teams"] == []


@pytest.mark.parametrize("text,names", [
    ("y_&", []),    # as a wildcard "_" would match the space in "Andy & Friends"
    ("y%F", []),    # as a wildcard "%" would match " & "
    ("%", []),
    ("_", ["saintsxctf_alumni"]),
    ("ctf_al", ["saintsxctf_alumni"]),
])
def test_search_wildcards_are_literal(auth_client, teams, text, names):
    assert [t["name"] for t in auth_client.get(search_url(text, 6)).json()["teams"]] == names


@pytest.mark.parametrize("limit", ["abc", "-1", "1.5", "99999999999999"])
def test_search_with_a_bad_limit(auth_client, teams, limit):
    resp = auth_client.get(search_url("A", limit))
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/teams/search/A/{limit}", "teams": None,
                           "error": "the limit must be a non-negative integer"}


def test_search_query_count_is_constant(auth_client, django_assert_num_queries):
    TeamFactory.create_batch(3)
    with django_assert_num_queries(2):
        assert len(auth_client.get(search_url("team", 100)).json()["teams"]) == 3
    TeamFactory.create_batch(27)
    with django_assert_num_queries(2):
        assert len(auth_client.get(search_url("team", 100)).json()["teams"]) == 30
