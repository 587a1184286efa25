"""Groups through the real stack: bodies from the contract's examples, refusals, query counts."""

from datetime import date

import pytest
from django.urls import reverse

from conftest import client_for
from groups.models import Group, GroupMember
from groups.tests.factories import GroupFactory, GroupMemberFactory
from logs.tests.factories import LogFactory
from teams.models import TeamMember
from teams.tests.factories import TeamFactory, TeamGroupFactory, TeamMemberFactory
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(db):
    return TeamFactory(name="saintsxctf", title="St. Lawrence Cross Country and Track & Field")


@pytest.fixture
def alumni(team):
    group = GroupFactory(group_name="alumni", group_title="Alumni", grouppic_name="picture.png",
                         description="St. Lawrence Cross Country and Track & Field Alumni", week_start="sunday")
    TeamGroupFactory(team=team, group=group)
    return group


@pytest.fixture
def members(alumni, team, user):
    """andy is an accepted admin; Fish an accepted user; Blayn is pending. Each is in the team too."""
    fish = UserFactory(username="Fish", first="Benjamin", last="Fishbein", member_since=date(2016, 12, 26))
    blayn = UserFactory(username="Blayn", first="Blaine", last="Ayotte", member_since=date(2016, 12, 28))
    user.member_since = date(2016, 12, 23)
    user.save()
    GroupMemberFactory(group=alumni, user=user, status="accepted", role="admin")
    GroupMemberFactory(group=alumni, user=fish, status="accepted", role="user")
    GroupMemberFactory(group=alumni, user=blayn, status="pending", role="user")
    TeamMemberFactory(team=team, user=user, status="accepted", role="admin")
    TeamMemberFactory(team=team, user=fish, status="accepted")
    TeamMemberFactory(team=team, user=blayn, status="pending")
    return {"andy": user, "Fish": fish, "Blayn": blayn}


def detail_url(group_id):
    return reverse("groups:group-detail", kwargs={"group_id": group_id})


def by_name_url(team_name, group_name):
    return reverse("groups:group-by-name", kwargs={"team_name": team_name, "group_name": group_name})


def member_url(a, b):
    return reverse("groups:group-membership",
                   kwargs={"team_name_or_group_id": a, "group_name_or_username": b})


def full_group(group, **changes):
    return {
        "deleted": False, "description": group.description, "group_name": group.group_name,
        "group_title": group.group_title, "grouppic": None, "grouppic_name": group.grouppic_name,
        "id": group.pk, "week_start": group.week_start, **changes,
    }


def named_group(group, **changes):
    return {
        "description": group.description, "group_name": group.group_name, "group_title": group.group_title,
        "grouppic_name": group.grouppic_name, "id": group.pk, "week_start": group.week_start, **changes,
    }


# -- auth, redirect, links ------------------------------------------------------------------------
def test_groups_need_a_token(api_client, alumni):
    assert api_client.get(reverse("groups:group-list")).status_code == 401
    assert api_client.get(detail_url(alumni.pk), HTTP_AUTHORIZATION="Bearer nope").status_code == 403


def test_groups_redirects_to_the_collection(auth_client):
    resp = auth_client.get(reverse("groups:group-redirect"))
    assert resp.status_code == 302
    assert resp["Location"] == reverse("groups:group-list")


def test_links_list_every_endpoint_without_a_token(api_client):
    resp = api_client.get(reverse("groups:links"))
    assert resp.status_code == 200
    body = resp.json()
    assert body["self"] == "/v2/groups/links"
    assert len(body["endpoints"]) == 18  # 14 of the contract + the coach's dashboard and targets (issue 15)
    described = {(e["verb"], e["description"]) for e in body["endpoints"]}
    assert ("GET", "Get group leaderboard information.  There is no time constraint on this data.") in described
    assert ("DELETE", "Delete a users group membership.") in described


# -- list and retrieve ----------------------------------------------------------------------------
def test_list_groups_in_id_order_without_deleted(auth_client, alumni):
    other = GroupFactory(group_name="mensxc", group_title="Men's Cross Country", description="Joust!")
    GroupFactory(group_name="gone", deleted=True)
    resp = auth_client.get(reverse("groups:group-list"))
    assert resp.status_code == 200
    assert resp.json() == {"self": "/v2/groups", "groups": [full_group(alumni), full_group(other)]}


def test_list_groups_query_count_is_constant(auth_client, django_assert_num_queries):
    GroupFactory.create_batch(2)
    with django_assert_num_queries(2):
        assert len(auth_client.get(reverse("groups:group-list")).json()["groups"]) == 2
    GroupFactory.create_batch(18)
    with django_assert_num_queries(2):
        assert len(auth_client.get(reverse("groups:group-list")).json()["groups"]) == 20


def test_retrieve_group_matches_the_example(auth_client, alumni):
    resp = auth_client.get(detail_url(alumni.pk))
    assert resp.status_code == 200
    assert resp.json() == {"self": f"/v2/groups/{alumni.pk}", "group": full_group(alumni)}


def test_group_picture_is_text(auth_client, alumni):
    Group.objects.filter(pk=alumni.pk).update(grouppic=b"abc")
    assert auth_client.get(detail_url(alumni.pk)).json()["group"]["grouppic"] == "abc"


@pytest.mark.parametrize("group_id", ["0", "abc", "99999999999999999999", "-1"])
def test_retrieve_unknown_group(auth_client, alumni, group_id):
    resp = auth_client.get(detail_url(group_id))
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/groups/{group_id}", "group": None, "error": "there is no group with this id"}


def test_retrieve_soft_deleted_group(auth_client, alumni):
    alumni.soft_delete()
    assert auth_client.get(detail_url(alumni.pk)).json()["error"] == "there is no group with this id"


def test_retrieve_group_by_name(auth_client, alumni):
    resp = auth_client.get(by_name_url("saintsxctf", "alumni"))
    assert resp.status_code == 200
    assert resp.json() == {"self": "/v2/groups/saintsxctf/alumni", "group": named_group(alumni)}


@pytest.mark.parametrize("team_name,group_name", [("saintsxctf", "nope"), ("other", "alumni")])
def test_retrieve_group_by_unknown_name(auth_client, alumni, team_name, group_name):
    TeamFactory(name="other")
    resp = auth_client.get(by_name_url(team_name, group_name))
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/groups/{team_name}/{group_name}", "group": None,
                           "error": "there is no group with this name"}


def test_group_by_name_hides_a_deleted_team_link(auth_client, alumni):
    alumni.team_links.get().soft_delete()
    assert auth_client.get(by_name_url("saintsxctf", "alumni")).status_code == 400


# -- PUT /v2/groups/<id> --------------------------------------------------------------------------
PUT_BODY = {"grouppic_name": "picture.png", "description": "Description from E2E Test", "week_start": "monday"}


def test_admin_updates_group_by_id(auth_client, members, alumni):
    body = {**full_group(alumni), **PUT_BODY}
    resp = auth_client.put(detail_url(alumni.pk), body, format="json")
    assert resp.status_code == 200
    assert resp.json() == {
        "self": f"/v2/groups/{alumni.pk}", "updated": True,
        "group": full_group(alumni, description="Description from E2E Test", week_start="monday"),
    }
    alumni.refresh_from_db()
    assert (alumni.description, alumni.week_start, alumni.modified_user) == (
        "Description from E2E Test", "monday", "andy")


def test_put_by_id_changes_only_the_group_in_the_path(auth_client, members, alumni):
    """deviations.md 4: a body naming another group does not touch it."""
    other = GroupFactory(group_name="mensxc", description="Joust!")
    body = {**PUT_BODY, "id": other.pk, "group_name": "mensxc"}
    assert auth_client.put(detail_url(alumni.pk), body, format="json").status_code == 200
    other.refresh_from_db()
    alumni.refresh_from_db()
    assert other.description == "Joust!"
    assert alumni.description == "Description from E2E Test"
    assert alumni.group_name == "alumni"


@pytest.mark.parametrize("role,status", [("user", "accepted"), ("admin", "pending")])
def test_non_admin_cannot_update_group(alumni, role, status):
    runner = UserFactory(username="runner")
    GroupMemberFactory(group=alumni, user=runner, role=role, status=status)
    resp = client_for(runner).put(detail_url(alumni.pk), PUT_BODY, format="json")
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/groups/{alumni.pk}", "updated": False, "group": None,
                           "error": f"User runner is not authorized to update a group with id {alumni.pk}."}
    alumni.refresh_from_db()
    assert alumni.description == "St. Lawrence Cross Country and Track & Field Alumni"


def test_admin_of_another_group_cannot_update(auth_client, alumni):
    GroupMemberFactory(group=GroupFactory(), user__username="andy", role="admin")
    resp = auth_client.put(detail_url(alumni.pk), PUT_BODY, format="json")
    assert resp.json()["error"] == f"User andy is not authorized to update a group with id {alumni.pk}."


@pytest.mark.parametrize("group_id", ["0", "abc"])
def test_put_unknown_group_id_is_refused_first(auth_client, members, group_id):
    resp = auth_client.put(detail_url(group_id), PUT_BODY, format="json")
    assert resp.status_code == 400
    assert resp.json()["error"] == f"User andy is not authorized to update a group with id {group_id}."


def test_put_deleted_group_by_its_admin(auth_client, members, alumni):
    alumni.soft_delete()
    resp = auth_client.put(detail_url(alumni.pk), PUT_BODY, format="json")
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/groups/{alumni.pk}", "updated": False, "group": None,
                           "error": "There is no existing group with this id."}


def test_put_unchanged_group(auth_client, members, alumni):
    resp = auth_client.put(detail_url(alumni.pk), full_group(alumni), format="json")
    assert resp.status_code == 400
    assert resp.json()["error"] == "The group submitted is equal to the existing group with the same id."


@pytest.mark.parametrize("body, bad_fields", [
    ({**PUT_BODY, "week_start": "friday"}, {"week_start"}),
    ({"description": "missing the others"}, {"grouppic_name", "week_start"}),
    ({**PUT_BODY, "grouppic_name": "x" * 51}, {"grouppic_name"}),
    ([], set()),  # no body at all: nothing to name
    ({}, set()),
])
def test_put_invalid_group(auth_client, members, alumni, body, bad_fields):
    resp = auth_client.put(detail_url(alumni.pk), body, format="json")
    assert resp.status_code == 400
    answer = resp.json()
    assert set(answer.pop("errors", {})) == bad_fields
    assert answer == {"self": f"/v2/groups/{alumni.pk}", "updated": False, "group": None,
                      "error": "The group failed to update."}
    alumni.refresh_from_db()
    assert alumni.week_start == "sunday"


def test_put_unparseable_body(auth_client, members, alumni):
    resp = auth_client.put(detail_url(alumni.pk), "{not json", content_type="application/json")
    assert resp.status_code == 400
    assert resp.json()["error"] == "The group failed to update."


# -- PUT /v2/groups/<team>/<group> ----------------------------------------------------------------
def test_admin_updates_group_by_name(auth_client, members, alumni):
    resp = auth_client.put(by_name_url("saintsxctf", "alumni"), {**PUT_BODY, "week_start": None}, format="json")
    assert resp.status_code == 200
    assert resp.json() == {
        "self": "/v2/groups/saintsxctf/alumni", "updated": True,
        "group": named_group(alumni, description="Description from E2E Test", week_start=None),
    }


def test_put_by_name_changes_only_the_group_in_the_path(auth_client, members, alumni, team):
    other = GroupFactory(group_name="mensxc", description="Joust!")
    TeamGroupFactory(team=team, group=other)
    body = {**PUT_BODY, "id": other.pk, "group_name": "mensxc"}
    assert auth_client.put(by_name_url("saintsxctf", "alumni"), body, format="json").status_code == 200
    other.refresh_from_db()
    assert other.description == "Joust!"


def test_put_by_unknown_name_answers_before_the_admin_rule(auth_client, members):
    resp = auth_client.put(by_name_url("saintsxctf", "nope"), PUT_BODY, format="json")
    assert resp.status_code == 400
    assert resp.json() == {"self": "/v2/groups/saintsxctf/nope", "updated": False, "group": None,
                           "error": "there is no existing group with this name"}


def test_non_admin_cannot_update_group_by_name(other_client, members, alumni):
    resp = other_client.put(by_name_url("saintsxctf", "alumni"), PUT_BODY, format="json")
    assert resp.status_code == 400
    assert resp.json()["error"] == ("User dotty is not authorized to update a group with name alumni "
                                    "in team saintsxctf.")


def test_put_by_name_unchanged_and_invalid(auth_client, members, alumni):
    resp = auth_client.put(by_name_url("saintsxctf", "alumni"), full_group(alumni), format="json")
    assert resp.json()["error"] == "the group submitted is equal to the existing group with the same name"
    resp = auth_client.put(by_name_url("saintsxctf", "alumni"), {**PUT_BODY, "week_start": "x"}, format="json")
    assert resp.status_code == 400
    assert resp.json()["error"] == "the group failed to update"


# -- the group's team -----------------------------------------------------------------------------
def test_team_of_a_group(auth_client, alumni, team):
    resp = auth_client.get(reverse("groups:group-team", kwargs={"group_id": alumni.pk}))
    assert resp.status_code == 200
    assert resp.json() == {"self": f"/v2/groups/team/{alumni.pk}", "team": {
        "deleted": False, "description": None, "name": "saintsxctf", "picture_name": None,
        "title": "St. Lawrence Cross Country and Track & Field", "week_start": None}}


@pytest.mark.parametrize("group_id", ["abc", "0"])
def test_team_of_an_unknown_group(auth_client, alumni, group_id):
    resp = auth_client.get(reverse("groups:group-team", kwargs={"group_id": group_id}))
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/groups/team/{group_id}", "team": None,
                           "error": "No team exists that has a group with this id."}


def test_team_of_a_group_without_a_live_link(auth_client, alumni):
    alumni.team_links.get().soft_delete()
    assert auth_client.get(reverse("groups:group-team", kwargs={"group_id": alumni.pk})).status_code == 400


# -- member lists ---------------------------------------------------------------------------------
MEMBER_LIST = [
    {"first": "Andy", "last": "Jarombek", "member_since": "Fri, 23 Dec 2016 00:00:00 GMT",
     "status": "accepted", "user": "admin", "username": "andy"},
    {"first": "Benjamin", "last": "Fishbein", "member_since": "Mon, 26 Dec 2016 00:00:00 GMT",
     "status": "accepted", "user": "user", "username": "Fish"},
    {"first": "Blaine", "last": "Ayotte", "member_since": "Wed, 28 Dec 2016 00:00:00 GMT",
     "status": "pending", "user": "user", "username": "Blayn"},
]


def test_members_by_id_include_pending_in_membership_order(auth_client, members, alumni):
    gone = UserFactory(username="gone")
    GroupMemberFactory(group=alumni, user=gone).soft_delete()
    GroupMemberFactory(group=alumni, user=UserFactory(username="ghost", deleted=True))
    resp = auth_client.get(reverse("groups:group-members", kwargs={"group_id": alumni.pk}))
    assert resp.status_code == 200
    assert resp.json() == {"self": f"/v2/groups/members/{alumni.pk}", "group": f"/v2/groups/{alumni.pk}",
                           "group_members": MEMBER_LIST}


@pytest.mark.parametrize("group_id", ["0", "abc"])
def test_members_by_unknown_id(auth_client, members, group_id):
    resp = auth_client.get(reverse("groups:group-members", kwargs={"group_id": group_id}))
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/groups/members/{group_id}", "group": f"/v2/groups/{group_id}",
                           "group_members": None,
                           "error": "a group does not exist with this id or the group has no members"}


def test_members_by_name(auth_client, members):
    resp = auth_client.get(member_url("saintsxctf", "alumni"))
    assert resp.status_code == 200
    assert resp.json() == {"self": "/v2/groups/members/saintsxctf/alumni", "group": "/v2/groups/saintsxctf/alumni",
                           "group_members": MEMBER_LIST}


def test_members_by_name_of_an_empty_or_unknown_group(auth_client, alumni):
    for team_name, group_name in [("saintsxctf", "alumni"), ("saintsxctf", "nope")]:
        resp = auth_client.get(member_url(team_name, group_name))
        assert resp.status_code == 400
        assert resp.json() == {
            "self": f"/v2/groups/members/{team_name}/{group_name}", "group": f"/v2/groups/{team_name}/{group_name}",
            "group_members": None, "error": "the group does not exist or there are no members in the group"}


@pytest.mark.parametrize("by", ["id", "name"])
def test_member_lists_query_count_is_constant(auth_client, alumni, by, django_assert_num_queries):
    url = (reverse("groups:group-members", kwargs={"group_id": alumni.pk}) if by == "id"
           else member_url("saintsxctf", "alumni"))
    GroupMemberFactory.create_batch(3, group=alumni)
    with django_assert_num_queries(2):
        assert len(auth_client.get(url).json()["group_members"]) == 3
    GroupMemberFactory.create_batch(27, group=alumni)
    with django_assert_num_queries(2):
        assert len(auth_client.get(url).json()["group_members"]) == 30


# -- PUT /v2/groups/members/<group_id>/<username> -------------------------------------------------
def test_admin_accepts_a_pending_member_and_their_team_membership(auth_client, members, alumni):
    resp = auth_client.put(member_url(alumni.pk, "Blayn"), {"status": "accepted", "user": "user"}, format="json")
    membership = GroupMember.objects.get(group=alumni, user_id="Blayn")
    assert resp.status_code == 200
    assert resp.json() == {"self": f"/v2/groups/members/{alumni.pk}/Blayn", "updated": True, "group_member": {
        "deleted": False, "group_id": alumni.pk, "group_name": "alumni", "id": membership.pk,
        "status": "accepted", "user": "user", "username": "Blayn"}}
    team_member = TeamMember.objects.get(user_id="Blayn")
    assert (team_member.status, team_member.modified_user) == ("accepted", "andy")


def test_admin_may_demote_themself(auth_client, members, alumni):
    resp = auth_client.put(member_url(alumni.pk, "andy"), {"status": "accepted", "user": "user"}, format="json")
    assert resp.status_code == 200
    assert GroupMember.objects.get(group=alumni, user_id="andy").role == "user"


@pytest.mark.parametrize("caller", ["Fish", "Blayn", "dotty"])
def test_only_accepted_admins_change_memberships(members, alumni, other_user, caller):
    GroupMemberFactory(group=alumni, user=other_user, status="pending", role="admin")
    client = client_for(members.get(caller, other_user))
    resp = client.put(member_url(alumni.pk, "Blayn"), {"status": "accepted", "user": "admin"}, format="json")
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/groups/members/{alumni.pk}/Blayn", "updated": False, "group_member": None,
                           "error": f"User {caller} is not authorized to update the group membership for user "
                                    f"Blayn in group with id {alumni.pk}."}
    assert GroupMember.objects.get(group=alumni, user_id="Blayn").status == "pending"


@pytest.mark.parametrize("body, bad_fields", [({"status": "accepted"}, {"user"}),
                                              ({"status": "maybe", "user": "user"}, {"status"}),
                                              ({"status": "accepted", "user": "owner"}, {"user"}), ({}, set())])
def test_invalid_membership_change(auth_client, members, alumni, body, bad_fields):
    resp = auth_client.put(member_url(alumni.pk, "Blayn"), body, format="json")
    assert resp.status_code == 400
    answer = resp.json()
    assert set(answer.pop("errors", {})) == bad_fields
    assert answer == {"self": f"/v2/groups/members/{alumni.pk}/Blayn", "updated": False, "group_member": None,
                      "error": "The group membership failed to update."}
    assert TeamMember.objects.get(user_id="Blayn").status == "pending"


def test_membership_change_for_a_non_member(auth_client, members, alumni):
    resp = auth_client.put(member_url(alumni.pk, "nobody"), {"status": "accepted", "user": "user"}, format="json")
    assert resp.status_code == 400
    assert resp.json()["error"] == "The group membership failed to update."


def test_membership_change_with_a_non_integer_group(auth_client, members):
    resp = auth_client.put(member_url("abc", "Blayn"), {"status": "accepted", "user": "user"}, format="json")
    assert resp.status_code == 400
    assert resp.json()["error"] == ("User andy is not authorized to update the group membership for user Blayn "
                                    "in group with id abc.")


# -- DELETE /v2/groups/members/<group_id>/<username> ----------------------------------------------
def test_admin_removes_a_pending_member_who_then_leaves_the_team(auth_client, members, alumni):
    resp = auth_client.delete(member_url(alumni.pk, "Blayn"))
    assert resp.status_code == 204
    assert resp.data == {"self": f"/v2/groups/members/{alumni.pk}/Blayn", "deleted": True}  # no body on the wire
    membership = GroupMember.all_objects.get(group=alumni, user_id="Blayn")
    assert membership.deleted and membership.deleted_user == "andy"
    assert TeamMember.all_objects.get(user_id="Blayn").deleted
    names = [m["username"] for m in auth_client.get(member_url("saintsxctf", "alumni")).json()["group_members"]]
    assert names == ["andy", "Fish"]


def test_member_of_another_team_group_stays_in_the_team(auth_client, members, alumni, team):
    other = GroupFactory(group_name="mensxc")
    TeamGroupFactory(team=team, group=other)
    GroupMemberFactory(group=other, user=members["Fish"])
    assert auth_client.delete(member_url(alumni.pk, "Fish")).status_code == 204
    assert not TeamMember.all_objects.get(user_id="Fish").deleted


def test_member_removes_themself(members, alumni):
    resp = client_for(members["Fish"]).delete(member_url(alumni.pk, "Fish"))
    assert resp.status_code == 204
    assert not GroupMember.objects.filter(group=alumni, user_id="Fish").exists()


@pytest.mark.parametrize("caller", ["Fish", "Blayn"])
def test_non_admin_cannot_remove_others(members, alumni, caller):
    resp = client_for(members[caller]).delete(member_url(alumni.pk, "andy"))
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/groups/members/{alumni.pk}/andy", "deleted": False,
                           "error": f"User {caller} is not authorized to delete the group membership for user andy "
                                    f"in group with id {alumni.pk}."}
    assert GroupMember.objects.filter(group=alumni, user_id="andy").exists()


@pytest.mark.parametrize("username", ["nobody", "dotty"])
def test_removing_a_membership_that_does_not_exist_is_a_400(auth_client, members, alumni, other_user, team, username):
    """Never a 204 that claims a deletion; nothing else changes (a team member without a group stays)."""
    TeamMemberFactory(team=team, user=other_user)
    resp = auth_client.delete(member_url(alumni.pk, username))
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/groups/members/{alumni.pk}/{username}", "deleted": False,
                           "error": "Failed to delete the group membership."}
    assert TeamMember.objects.filter(team=team, user=other_user).exists()
    # Removing one twice: the second is the same 400.
    assert auth_client.delete(member_url(alumni.pk, "Fish")).status_code == 204
    assert auth_client.delete(member_url(alumni.pk, "Fish")).json()["deleted"] is False


def test_remove_with_a_non_integer_group(auth_client, members):
    resp = auth_client.delete(member_url("abc", "andy"))
    assert resp.status_code == 400
    assert resp.json()["error"] == ("User andy is not authorized to delete the group membership for user andy "
                                    "in group with id abc.")


def test_log_of_a_removed_member_leaves_the_leaderboard(auth_client, members, alumni):
    LogFactory(user=members["Fish"], date=date(2025, 1, 1))
    url = reverse("groups:group-leaderboard", kwargs={"group_id": alumni.pk})
    assert [r["username"] for r in auth_client.get(url).json()["leaderboard"]] == ["Fish"]
    auth_client.delete(member_url(alumni.pk, "Fish"))
    assert auth_client.get(url).json()["leaderboard"] == []


@pytest.mark.usefixtures("aggregate_cache")
def test_member_lists_follow_writes_after_they_were_read(auth_client, members, alumni, django_assert_num_queries):
    """Member lists are cached (groups/queries.py group_members()): every write that changes one shows at once,
    and a log write, which changes none, keeps them cached."""
    by_id = reverse("groups:group-members", kwargs={"group_id": alumni.pk})
    by_name = member_url("saintsxctf", "alumni")

    def listed(url=by_id):
        return {m["username"]: (m["first"], m["status"]) for m in auth_client.get(url).json()["group_members"]}

    assert listed() == listed(by_name) == {"andy": ("Andy", "accepted"), "Fish": ("Benjamin", "accepted"),
                                           "Blayn": ("Blaine", "pending")}
    created = auth_client.post("/v2/logs/", {"username": "andy", "first": "Andy", "last": "Jarombek",
                                             "date": "2021-06-01", "type": "run", "feel": 6}, format="json")
    assert created.status_code == 200
    with django_assert_num_queries(1):  # the caller only: the list came from the cache
        assert auth_client.get(by_id).status_code == 200

    auth_client.put(member_url(alumni.pk, "Blayn"), {"status": "accepted", "user": "user"}, format="json")
    assert listed()["Blayn"] == ("Blaine", "accepted")
    assert auth_client.delete(member_url(alumni.pk, "Fish")).status_code == 204
    assert "Fish" not in listed() and "Fish" not in listed(by_name)
    auth_client.put(reverse("users:user-detail", kwargs={"username": "andy"}),
                    {"first": "Andrew", "last": "Jarombek"}, format="json")
    assert listed()["andy"] == listed(by_name)["andy"] == ("Andrew", "accepted")
    alumni.team_links.get().soft_delete()
    assert auth_client.get(by_name).status_code == 400
