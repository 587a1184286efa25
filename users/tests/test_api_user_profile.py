"""What a user's profile shows: snapshot, groups, teams, memberships, notifications, flair, statistics."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse

from groups.models import GroupMember
from groups.tests.factories import GroupFactory, GroupMemberFactory
from logs.models import ExerciseType
from logs.tests.factories import LogFactory
from notifications.tests.factories import NotificationFactory
from teams.tests.factories import TeamFactory, TeamGroupFactory, TeamMemberFactory
from users.queries import STATISTIC_KEYS, notification_cutoff, utc_now, utc_today
from users.tests.factories import FlairFactory, ForgotPasswordCodeFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(name, username):
    return reverse(f"users:user-{name}", kwargs={"username": username})


@pytest.fixture
def saints(user):
    """andy: accepted admin of alumni and pending user of mensxc in team saintsxctf; pending in another team."""
    team = TeamFactory(name="saintsxctf", title="St. Lawrence Cross Country and Track & Field")
    alumni = GroupFactory(group_name="alumni", group_title="Alumni")
    mensxc = GroupFactory(group_name="mensxc", group_title="Men's Cross Country")
    for group in (alumni, mensxc):
        TeamGroupFactory(team=team, group=group)
    TeamMemberFactory(team=team, user=user, status="accepted", role="user")
    TeamMemberFactory(team=TeamFactory(name="saintsxctf_alumni", title="SaintsXCTF Alumni"), user=user,
                      status="pending")
    GroupMemberFactory(group=alumni, user=user, status="accepted", role="admin")
    GroupMemberFactory(group=mensxc, user=user, status="pending", role="user")
    return {"team": team, "alumni": alumni, "mensxc": mensxc}


def grow_memberships(n):
    """n more runners, each in a team and a group (to show lists do not grow in queries)."""
    for _ in range(n):
        runner = UserFactory()
        member = GroupMemberFactory(user=runner)
        TeamMemberFactory(user=runner)
        TeamGroupFactory(group=member.group)


# -- groups and teams -----------------------------------------------------------------------------------
def test_user_groups(auth_client, saints):
    resp = auth_client.get(url("groups", "andy"))
    assert resp.status_code == 200
    assert resp.json() == {"self": "/v2/users/groups/andy", "groups": [
        {"group_name": "alumni", "group_title": "Alumni", "id": saints["alumni"].id, "status": "accepted",
         "user": "admin"},
        {"group_name": "mensxc", "group_title": "Men's Cross Country", "id": saints["mensxc"].id,
         "status": "pending", "user": "user"},
    ]}


def test_user_groups_hides_deleted_rows(auth_client, saints, user):
    saints["mensxc"].soft_delete()
    user.group_memberships.get(group=saints["alumni"]).soft_delete()
    assert auth_client.get(url("groups", "andy")).json()["groups"] == []


def test_user_groups_of_unknown_user_is_empty(auth_client):
    assert auth_client.get(url("groups", "nobody")).json() == {"self": "/v2/users/groups/nobody", "groups": []}


def test_user_teams(auth_client, saints):
    resp = auth_client.get(url("teams", "andy"))
    assert resp.json() == {"self": "/v2/users/teams/andy", "teams": [
        {"status": "accepted", "team_name": "saintsxctf", "title": "St. Lawrence Cross Country and Track & Field",
         "user": "user"},
        {"status": "pending", "team_name": "saintsxctf_alumni", "title": "SaintsXCTF Alumni", "user": "user"},
    ]}


def answered(resp):
    """A query count means something only for the real answer: a 200 with a body, not an early refusal."""
    assert resp.status_code == 200, resp.content
    assert resp.json()
    return resp


@pytest.mark.parametrize("name", ["groups", "teams", "memberships"])
def test_membership_lists_query_count_is_constant(auth_client, saints, django_assert_num_queries, name):
    GroupMemberFactory.create_batch(2, user=saints["team"].members.first().user)
    queries = {"groups": 2, "teams": 2, "memberships": 3}[name]  # the caller + one (two) reads
    with django_assert_num_queries(queries):
        answered(auth_client.get(url(name, "andy")))
    grow_memberships(5)
    GroupMemberFactory.create_batch(10, user=saints["team"].members.first().user)
    TeamMemberFactory.create_batch(10, user=saints["team"].members.first().user)
    with django_assert_num_queries(queries):
        answered(auth_client.get(url(name, "andy")))


# -- memberships ----------------------------------------------------------------------------------------
def test_user_memberships(auth_client, saints):
    resp = auth_client.get(url("memberships", "andy"))
    assert resp.status_code == 200
    assert resp.json() == {"self": "/v2/users/memberships/andy", "memberships": [
        {"groups": [
            {"group_id": saints["alumni"].id, "group_name": "alumni", "group_title": "Alumni", "status": "accepted",
             "user": "admin"},
            {"group_id": saints["mensxc"].id, "group_name": "mensxc", "group_title": "Men's Cross Country",
             "status": "pending", "user": "user"},
        ], "status": "accepted", "team_name": "saintsxctf", "title": "St. Lawrence Cross Country and Track & Field",
            "user": "user"},
        {"groups": [], "status": "pending", "team_name": "saintsxctf_alumni", "title": "SaintsXCTF Alumni",
         "user": "user"},
    ]}


def put_memberships(client, username, **body):
    return client.put(url("memberships", username), body, format="json")


def test_join_a_group_of_my_team(auth_client, saints, user):
    xc = GroupFactory(group_name="xc_alumni", group_title="Cross Country Alumni")
    TeamGroupFactory(team=saints["team"], group=xc)
    resp = put_memberships(auth_client, "andy", groups_joined=[{"team_name": "saintsxctf", "group_name": "xc_alumni"}])
    assert resp.status_code == 201
    assert resp.json() == {"self": "/v2/users/memberships/andy", "updated": True}
    membership = user.group_memberships.get(group=xc)
    assert (membership.status, membership.role, membership.created_user) == ("pending", "user", "andy")


def test_join_a_team_and_its_group_together_then_leave(auth_client, user):
    team = TeamFactory(name="friends")
    group = GroupFactory(group_name="friends")
    TeamGroupFactory(team=team, group=group)
    resp = put_memberships(auth_client, "andy", teams_joined=["friends"],
                           groups_joined=[{"team_name": "friends", "group_name": "friends"}])
    assert resp.status_code == 201
    assert user.team_memberships.get().status == "pending"
    assert user.group_memberships.get().status == "pending"

    # Joining again changes nothing.
    put_memberships(auth_client, "andy", teams_joined=["friends"],
                    groups_joined=[{"team_name": "friends", "group_name": "friends"}])
    assert user.team_memberships.count() == 1 and user.group_memberships.count() == 1

    # Leaving a team leaves its groups too.
    assert put_memberships(auth_client, "andy", teams_left=["friends"]).status_code == 201
    assert not user.team_memberships.exists() and not user.group_memberships.exists()
    assert user.group_memberships.model.all_objects.get(user=user).deleted_user == "andy"


def test_join_a_group_without_its_team_is_skipped(auth_client, user):
    group = GroupFactory(group_name="friends")
    TeamGroupFactory(team=TeamFactory(name="friends"), group=group)
    resp = put_memberships(auth_client, "andy", groups_joined=[{"team_name": "friends", "group_name": "friends"}])
    assert resp.status_code == 201
    assert not user.group_memberships.exists()


def test_leave_a_group(auth_client, saints, user):
    resp = put_memberships(auth_client, "andy", groups_left=[{"team_name": "saintsxctf", "group_name": "mensxc"}])
    assert resp.status_code == 201
    assert [m.group_id for m in user.group_memberships.all()] == [saints["alumni"].id]
    assert user.team_memberships.count() == 2


@pytest.mark.parametrize("body, malformed", [
    ({"teams_joined": ["nosuchteam"]}, False),
    ({"groups_joined": [{"team_name": "saintsxctf", "group_name": "nosuchgroup"}]}, False),
    ({"groups_joined": [{"team_name": "nosuchteam", "group_name": "alumni"}]}, False),
    ({"groups_joined": ["alumni"]}, True),
    ({"groups_left": ["alumni"]}, True),
    ({"teams_joined": "saintsxctf"}, True),
])
def test_memberships_naming_unknown_teams_or_groups_change_nothing(auth_client, saints, user, body, malformed):
    before = (list(user.team_memberships.values()), list(user.group_memberships.values()))
    # The valid part of the request (leaving saintsxctf) is not applied either.
    resp = put_memberships(auth_client, "andy", **{"teams_left": ["saintsxctf"], **body})
    assert resp.status_code == 400
    answer = resp.json()
    # A malformed field is named in `errors`; an unknown team or group is found out later, by the service.
    assert set(answer.pop("errors", {})) == (set(body) if malformed else set())
    assert answer == {"self": "/v2/users/memberships/andy", "updated": False,
                      "error": "failed to update the user's memberships"}
    assert (list(user.team_memberships.values()), list(user.group_memberships.values())) == before


@pytest.mark.parametrize("left", [
    {"teams_left": ["nosuchteam"]},
    {"groups_left": [{"team_name": "nosuchteam", "group_name": "alumni"}]},
    {"groups_left": [{"team_name": "saintsxctf", "group_name": "nosuchgroup"}]},
    {"teams_left": ["strangers"]},
    {"groups_left": [{"team_name": "strangers", "group_name": "others"}]},
])
def test_leaving_what_the_runner_is_not_in_is_ignored(auth_client, saints, user, left):
    """As the original: the entry is ignored, the rest of the request applies, and the answer is 201."""
    stranger_group = GroupFactory(group_name="others")
    TeamGroupFactory(team=TeamFactory(name="strangers"), group=stranger_group)
    GroupMemberFactory(group=stranger_group)  # someone else's membership stays
    body = {**left, "groups_left": [{"team_name": "saintsxctf", "group_name": "mensxc"}, *left.get("groups_left", [])]}
    resp = put_memberships(auth_client, "andy", **body)
    assert resp.status_code == 201
    assert resp.json() == {"self": "/v2/users/memberships/andy", "updated": True}
    assert [m.group_id for m in user.group_memberships.all()] == [saints["alumni"].id]
    assert GroupMember.objects.filter(group=stranger_group).count() == 1


def test_memberships_lists_may_be_omitted(auth_client, saints, user):
    assert put_memberships(auth_client, "andy", teams_left=["saintsxctf_alumni"]).status_code == 201
    assert [m.team_id for m in user.team_memberships.all()] == ["saintsxctf"]


def test_memberships_of_someone_else(auth_client, other_user):
    TeamFactory(name="friends")
    resp = put_memberships(auth_client, "dotty", teams_joined=["friends"])
    assert resp.status_code == 400
    assert resp.json() == {"self": "/v2/users/memberships/dotty", "updated": False,
                           "error": "User andy is not authorized to update the memberships of user dotty."}
    assert not other_user.team_memberships.exists()


# -- notifications and flair ----------------------------------------------------------------------------
def test_user_notifications_of_the_last_weeks_newest_first(auth_client, user):
    now = utc_now()
    old = NotificationFactory(user=user, description="old", time=now - timedelta(days=30))
    newer = NotificationFactory(user=user, description="newer", time=now - timedelta(minutes=5), link="https://x/")
    newest = NotificationFactory(user=user, description="newest", time=now, viewed="Y")
    NotificationFactory(user=user, time=now).soft_delete()
    NotificationFactory(description="someone else's")
    resp = auth_client.get(url("notifications", "andy"))
    assert resp.status_code == 200
    body = resp.json()
    assert body["self"] == "/v2/users/notifications/andy"
    assert [n["notification_id"] for n in body["notifications"]] == [newest.pk, newer.pk]
    assert old.pk not in [n["notification_id"] for n in body["notifications"]]
    assert body["notifications"][1] == {
        "description": "newer", "link": "https://x/", "notification_id": newer.pk,
        "time": newer.time.strftime("%a, %d %b %Y %H:%M:%S GMT"), "username": "andy", "viewed": "N",
    }


def test_user_notifications_query_count_is_constant(auth_client, user, django_assert_num_queries):
    NotificationFactory.create_batch(2, user=user)
    with django_assert_num_queries(2):
        auth_client.get(url("notifications", "andy"))
    NotificationFactory.create_batch(20, user=user)
    with django_assert_num_queries(2):
        assert len(auth_client.get(url("notifications", "andy")).json()["notifications"]) == 22


def test_user_flair(auth_client, user):
    first = FlairFactory(user=user, flair="Site Creator")
    second = FlairFactory(user=user, flair="Alumnus and Programming Extraordinaire")
    FlairFactory(user=user).soft_delete()
    resp = auth_client.get(url("flair", "andy"))
    assert resp.json() == {"flair": [
        {"deleted": False, "flair": "Site Creator", "flair_id": first.pk, "username": "andy"},
        {"deleted": False, "flair": "Alumnus and Programming Extraordinaire", "flair_id": second.pk,
         "username": "andy"},
    ], "self": "/v2/users/flair/andy"}


def test_user_flair_query_count_is_constant(auth_client, user, django_assert_num_queries):
    FlairFactory.create_batch(2, user=user)
    with django_assert_num_queries(2):
        answered(auth_client.get(url("flair", "andy")))
    FlairFactory.create_batch(20, user=user)
    with django_assert_num_queries(2):
        answered(auth_client.get(url("flair", "andy")))


# -- statistics -----------------------------------------------------------------------------------------
def test_statistics(auth_client, user):
    today = utc_today()
    LogFactory(user=user, date=today, distance=5.0, feel=8)
    LogFactory(user=user, date=date(2000, 1, 1), distance=10.0, feel=4,
               type=ExerciseType.objects.get(type="bike"))
    LogFactory(user=user, date=today, distance=100.0).soft_delete()
    resp = auth_client.get(url("statistics", "andy"))
    assert resp.status_code == 200
    body = resp.json()
    assert body["self"] == "/v2/users/statistics/andy"
    stats = body["stats"]
    assert set(stats) == set(STATISTIC_KEYS)
    assert stats["miles_all_time"] == 15.0 and stats["run_miles_all_time"] == 5.0
    assert stats["miles_past_week"] == 5.0 and stats["run_miles_past_week"] == 5.0
    assert stats["miles_past_month"] == stats["miles_past_year"] == 5.0
    assert stats["feel_all_time"] == 6.0 and stats["feel_past_week"] == 8.0


def test_statistics_by_email_and_of_a_user_without_logs(auth_client, user):
    resp = auth_client.get(url("statistics", "andy@example.com"))
    assert resp.status_code == 200  # deviations.md 2: zeros, not a crash
    assert resp.json() == {"self": "/v2/users/statistics/andy@example.com",
                           "stats": {key: 0.0 for key in STATISTIC_KEYS}}


def test_statistics_of_unknown_user(auth_client):
    resp = auth_client.get(url("statistics", "nobody"))
    assert resp.status_code == 400
    assert resp.json() == {"self": "/v2/users/statistics/nobody", "stats": None,
                           "error": "there is no user with this username"}


def test_statistics_query_count_is_constant(auth_client, user, django_assert_num_queries):
    LogFactory.create_batch(2, user=user)
    with django_assert_num_queries(3):  # caller, user, one aggregate
        answered(auth_client.get(url("statistics", "andy")))
    LogFactory.create_batch(30, user=user)
    with django_assert_num_queries(3):
        answered(auth_client.get(url("statistics", "andy")))


# -- snapshot -------------------------------------------------------------------------------------------
def test_snapshot(auth_client, user, other_user, saints):
    FlairFactory(user=user, flair="Site Creator")
    code = ForgotPasswordCodeFactory(user=user, forgot_code="ABCD1234")
    ForgotPasswordCodeFactory(user=user, expires=utc_now() - timedelta(minutes=1))
    note = NotificationFactory(user=user)
    cutoff = datetime.combine(notification_cutoff(utc_today()), datetime.min.time())
    oldest = NotificationFactory(user=user, time=cutoff)  # the first moment shown
    NotificationFactory(user=user, time=cutoff - timedelta(seconds=1))
    GroupMemberFactory(group=saints["alumni"], user=other_user, status="accepted")
    LogFactory(user=other_user, time_created=datetime(2021, 5, 30, 18, 42, 42))
    LogFactory(user=user, time_created=datetime(2021, 5, 29, 8, 0, 0), distance=3.0)

    resp = auth_client.get(url("snapshot", "andy@example.com"))
    assert resp.status_code == 200
    body = resp.json()
    # `self` names the user found, as the original's did.
    assert body["self"] == "/v2/users/snapshot/andy"
    snapshot = body["user"]
    assert snapshot["username"] == "andy"
    assert not {"password", "salt"} & set(snapshot)
    assert snapshot["member_since"] == user.member_since.isoformat()
    groups = {g["group_name"]: g for g in snapshot["groups"]}
    assert groups["alumni"] == {"group_name": "alumni", "group_title": "Alumni", "id": saints["alumni"].id,
                                "status": "accepted", "user": "admin", "newest_log": "Sun, 30 May 2021 18:42:42 GMT"}
    assert groups["mensxc"]["newest_log"] is None  # no accepted member of mensxc has logged
    assert code.pk and snapshot["forgotpassword"] == []  # codes reach their runner by email only (issue 13)
    assert [f["flair"] for f in snapshot["flair"]] == ["Site Creator"]
    assert [n["notification_id"] for n in snapshot["notifications"]] == [note.pk, oldest.pk]
    assert snapshot["statistics"]["miles_all_time"] == 3.0


def test_snapshot_of_unknown_user(auth_client):
    resp = auth_client.get(url("snapshot", "nobody"))
    assert resp.status_code == 400
    assert resp.json() == {"self": "/v2/users/snapshot/nobody", "user": None,
                           "error": "there is no user with this username"}


@pytest.mark.usefixtures("aggregate_cache")
def test_snapshot_query_count_is_constant(auth_client, user, saints, django_assert_num_queries):
    def grow(n):
        FlairFactory.create_batch(n, user=user)
        NotificationFactory.create_batch(n, user=user)
        ForgotPasswordCodeFactory.create_batch(n, user=user)
        LogFactory.create_batch(n, user=user)
        for _ in range(n):
            GroupMemberFactory(user=user)

    grow(1)
    # caller, user, groups, flair, notifications, statistics (nothing cached yet; no code is read: none is shown)
    with django_assert_num_queries(6):
        answered(auth_client.get(url("snapshot", "andy")))
    grow(10)
    with django_assert_num_queries(6):
        answered(auth_client.get(url("snapshot", "andy")))
    with django_assert_num_queries(4):  # groups and statistics come from the cache
        answered(auth_client.get(url("snapshot", "andy")))


def test_snapshot_groups_fresh_after_writes(auth_client, user, other_user, saints):
    """The snapshot's groups are cached; every write they show makes the next read fresh."""

    def alumni():
        groups = auth_client.get(url("snapshot", "andy")).json()["user"]["groups"]
        return next(g for g in groups if g["id"] == saints["alumni"].id)

    assert alumni()["newest_log"] is None
    GroupMemberFactory(group=saints["alumni"], user=other_user, status="accepted")
    LogFactory(user=other_user, time_created=datetime(2021, 5, 30, 18, 42, 42))
    assert alumni()["newest_log"] == "Sun, 30 May 2021 18:42:42 GMT"
    saints["alumni"].group_title = "Alumni Runners"
    saints["alumni"].save()
    assert alumni()["group_title"] == "Alumni Runners"
    membership = saints["alumni"].members.get(user=user)
    membership.role = "user"
    membership.save()
    assert alumni()["user"] == "user"
