"""Group statistics, leaderboards and snapshots against hand-computed numbers on fixed data.

"Today" is fixed at Wednesday 2025-03-12: the year starts 2025-01-01, the month 2025-03-01, a Sunday
week 2025-03-09 and a Monday week 2025-03-10. Logs sit on the first and last days around each boundary.

    member  date        type          miles feel   year month sun-week mon-week
    alice   2024-12-31  run           10    5      -    -     -        -      (last day of last year)
    alice   2025-01-01  bike          20    6      y    -     -        -      (first day of the year)
    alice   2025-02-28  swim           1    7      y    -     -        -      (last day of February)
    alice   2025-03-01  run            4    8      y    y     -        -      (first day of the month)
    alice   2025-03-08  walk           3    4      y    y     -        -      (Saturday before both weeks)
    alice   2025-03-09  run            5    9      y    y     y        -      (Sunday)
    alice   2025-03-10  other          2    3      y    y     y        y      (Monday)
    bob     2025-01-15  run            9    7      y    -     -        -
    bob     2025-03-15  run            7    2      y    y     y        y      (Saturday: last day, Sunday week)
    bob     2025-03-16  virtual bike   6   10      y    y     y        y      (Sunday: last day, Monday week)

Not counted: a deleted log of alice, logs of a pending member, of a removed member and of a non-member.
"""

from datetime import date

import pytest
from django.urls import reverse

from groups import queries
from groups.serializers import LeaderboardRowSerializer
from groups.tests.factories import GroupFactory, GroupMemberFactory
from logs.models import ExerciseType
from logs.tests.factories import LogFactory
from teams.tests.factories import TeamFactory, TeamGroupFactory
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = date(2025, 3, 12)

LOGS = {
    "alice": [
        (date(2024, 12, 31), "run", 10, 5),
        (date(2025, 1, 1), "bike", 20, 6),
        (date(2025, 2, 28), "swim", 1, 7),
        (date(2025, 3, 1), "run", 4, 8),
        (date(2025, 3, 8), "walk", 3, 4),
        (date(2025, 3, 9), "run", 5, 9),
        (date(2025, 3, 10), "other", 2, 3),
    ],
    "bob": [
        (date(2025, 1, 15), "run", 9, 7),
        (date(2025, 3, 15), "run", 7, 2),
        (date(2025, 3, 16), "virtual bike", 6, 10),
    ],
}

STATISTICS = {
    "miles_all_time": 67.0, "miles_past_year": 57.0, "miles_past_month": 27.0,
    "run_miles_all_time": 35.0, "run_miles_past_year": 25.0, "run_miles_past_month": 16.0,
    "feel_all_time": 6.1, "feel_past_year": 6.2222, "feel_past_month": 6.0,
}
WEEK = {
    "sunday": {"miles_past_week": 20.0, "run_miles_past_week": 12.0, "feel_past_week": 6.0},
    "monday": {"miles_past_week": 15.0, "run_miles_past_week": 7.0, "feel_past_week": 5.0},
}


def row(username, first, last, miles, run, bike, swim, other):
    return {"username": username, "first": first, "last": last, "miles": miles, "miles_run": run,
            "miles_biked": bike, "miles_swam": swim, "miles_other": other}


def alice(miles, run, bike, swim, other):
    return row("alice", "Alice", "Adams", miles, run, bike, swim, other)


def bob(miles, run, bike, swim, other):
    return row("bob", "Bob", "Brown", miles, run, bike, swim, other)


LEADERBOARDS = {
    None: [alice(45.0, 19.0, 20.0, 1.0, 5.0), bob(22.0, 16.0, 0.0, 0.0, 6.0)],
    "year": [alice(35.0, 9.0, 20.0, 1.0, 5.0), bob(22.0, 16.0, 0.0, 0.0, 6.0)],
    "month": [alice(14.0, 9.0, 0.0, 0.0, 5.0), bob(13.0, 7.0, 0.0, 0.0, 6.0)],
    ("week", "sunday"): [bob(13.0, 7.0, 0.0, 0.0, 6.0), alice(7.0, 5.0, 0.0, 0.0, 2.0)],
    ("week", "monday"): [bob(13.0, 7.0, 0.0, 0.0, 6.0), alice(2.0, 0.0, 0.0, 0.0, 2.0)],
}


@pytest.fixture(autouse=True)
def fixed_today(clock):
    clock.set(TODAY)


def make_log(username, when, kind, miles, feel, **extra):
    return LogFactory(user__username=username, date=when, type=ExerciseType.objects.get(type=kind),
                      distance=miles, metric="miles", feel=feel, **extra)


@pytest.fixture(params=["sunday", "monday"])
def group(request):
    group = GroupFactory(group_name="wmensxc", week_start=request.param)
    TeamGroupFactory(team=TeamFactory(name="saintsxctf"), group=group)
    for username, first, last in [("alice", "Alice", "Adams"), ("bob", "Bob", "Brown")]:
        GroupMemberFactory(group=group, user=UserFactory(username=username, first=first, last=last))
        for when, kind, miles, feel in LOGS[username]:
            make_log(username, when, kind, miles, feel)
    make_log("alice", date(2025, 3, 11), "run", 100, 1, deleted=True)
    GroupMemberFactory(group=group, user__username="pending", status="pending")
    GroupMemberFactory(group=group, user__username="removed", deleted=True)
    for username in ["pending", "removed", "outsider"]:
        make_log(username, date(2025, 3, 11), "run", 50, 1)
    return group


def statistics_for(week_start):
    return {**STATISTICS, **WEEK[week_start]}


# -- the interval rules ---------------------------------------------------------------------------
@pytest.mark.parametrize("today,week_start,expected", [
    (date(2025, 3, 9), "sunday", date(2025, 3, 9)),     # a Sunday starts its own Sunday week
    (date(2025, 3, 9), "monday", date(2025, 3, 3)),     # ... and ends a Monday week
    (date(2025, 3, 10), "sunday", date(2025, 3, 9)),
    (date(2025, 3, 10), "monday", date(2025, 3, 10)),
    (date(2025, 3, 15), "sunday", date(2025, 3, 9)),    # Saturday: last day of a Sunday week
    (date(2025, 3, 16), "monday", date(2025, 3, 10)),   # Sunday: last day of a Monday week
    (date(2025, 3, 12), None, date(2025, 3, 10)),       # unset means Monday
    (date(2025, 1, 1), "sunday", date(2024, 12, 29)),   # weeks cross the year boundary
])
def test_week_start(today, week_start, expected):
    assert queries.week_start_date(today, week_start) == expected
    assert queries.interval_start("week", today=today, week_start=week_start) == expected


@pytest.mark.parametrize("today,year,month", [
    (date(2025, 1, 1), date(2025, 1, 1), date(2025, 1, 1)),
    (date(2024, 12, 31), date(2024, 1, 1), date(2024, 12, 1)),
    (date(2024, 2, 29), date(2024, 1, 1), date(2024, 2, 1)),
])
def test_year_and_month_start(today, year, month):
    assert queries.interval_start("year", today=today, week_start=None) == year
    assert queries.interval_start("month", today=today, week_start=None) == month


@pytest.mark.parametrize("interval", [None, "all", "decade", "WEEK"])
def test_other_intervals_mean_all_time(interval):
    assert queries.interval_start(interval, today=TODAY, week_start="sunday") is None


# -- statistics -----------------------------------------------------------------------------------
def test_statistics(auth_client, group):
    resp = auth_client.get(reverse("groups:group-statistics", kwargs={"group_id": group.pk}))
    assert resp.status_code == 200
    assert resp.json() == {"self": f"/v2/groups/statistics/{group.pk}", "stats": statistics_for(group.week_start)}
    assert all(isinstance(value, float) for value in resp.json()["stats"].values())


def test_statistics_on_the_first_day_of_the_year(group):
    """Today Wednesday 2025-01-01: year and month start today; the week began in 2024 (29th or 30th)."""
    stats = queries.group_statistics(group, today=date(2025, 1, 1))
    # Every 2025 log counts for year and month; the week also holds 2024-12-31 (a Tuesday).
    assert stats["miles_past_year"] == stats["miles_past_month"] == 57.0
    assert stats["run_miles_past_year"] == stats["run_miles_past_month"] == 25.0
    assert stats["feel_past_year"] == stats["feel_past_month"] == 6.2222
    assert (stats["miles_past_week"], stats["run_miles_past_week"], stats["feel_past_week"]) == (67.0, 35.0, 6.1)


def test_statistics_of_a_group_without_logs(auth_client):
    empty = GroupFactory()
    GroupMemberFactory(group=empty)
    resp = auth_client.get(reverse("groups:group-statistics", kwargs={"group_id": empty.pk}))
    assert resp.status_code == 200
    assert resp.json()["stats"] == {key: 0.0 for key in {**STATISTICS, **WEEK["monday"]}}


@pytest.mark.parametrize("group_id", ["0", "abc"])
def test_statistics_of_an_unknown_group(auth_client, group_id):
    resp = auth_client.get(reverse("groups:group-statistics", kwargs={"group_id": group_id}))
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/groups/statistics/{group_id}", "stats": None,
                           "error": "there is no group with this id"}


# -- leaderboards ---------------------------------------------------------------------------------
def leaderboard_url(group_id, interval=None):
    if interval is None:
        return reverse("groups:group-leaderboard", kwargs={"group_id": group_id})
    return reverse("groups:group-leaderboard-interval", kwargs={"group_id": group_id, "interval": interval})


@pytest.mark.parametrize("interval", [None, "year", "month", "week", "all", "decade"])
def test_leaderboard(auth_client, group, interval):
    expected = LEADERBOARDS.get(interval) or LEADERBOARDS.get((interval, group.week_start)) or LEADERBOARDS[None]
    resp = auth_client.get(leaderboard_url(group.pk, interval))
    assert resp.status_code == 200
    suffix = f"/{interval}" if interval else ""
    assert resp.json() == {"self": f"/v2/groups/leaderboard/{group.pk}{suffix}", "leaderboard": expected}
    for entry in resp.json()["leaderboard"]:
        assert all(isinstance(entry[key], float) for key in entry if key.startswith("miles"))


def test_leaderboard_week_on_a_sunday(auth_client, group, clock):
    """Today Sunday 2025-03-09: a Sunday group's week starts today, a Monday group's on 2025-03-03."""
    clock.set(date(2025, 3, 9))
    board = auth_client.get(leaderboard_url(group.pk, "week")).json()["leaderboard"]
    if group.week_start == "sunday":
        assert board == [bob(13.0, 7.0, 0.0, 0.0, 6.0), alice(7.0, 5.0, 0.0, 0.0, 2.0)]
    else:
        # From Monday 2025-03-03: alice's walk (03-08), run (03-09) and other (03-10).
        assert board == [bob(13.0, 7.0, 0.0, 0.0, 6.0), alice(10.0, 5.0, 0.0, 0.0, 5.0)]


def test_leaderboard_ties_are_ordered_by_username(auth_client):
    tied = GroupFactory()
    for username in ["zed", "amy"]:
        GroupMemberFactory(group=tied, user__username=username)
        make_log(username, date(2025, 3, 11), "run", 3, 5)
    board = auth_client.get(leaderboard_url(tied.pk)).json()["leaderboard"]
    assert [entry["username"] for entry in board] == ["amy", "zed"]


def test_empty_leaderboard_warns(auth_client, group):
    resp = auth_client.get(leaderboard_url(group.pk, "week"))
    assert resp.status_code == 200
    GroupMemberFactory(group=(empty := GroupFactory()))
    resp = auth_client.get(leaderboard_url(empty.pk, "week"))
    assert resp.status_code == 200
    assert resp.json() == {"self": f"/v2/groups/leaderboard/{empty.pk}/week", "leaderboard": [],
                           "warning": "No leaderboard data was found within this group and time interval."}


@pytest.mark.parametrize("group_id,interval", [("0", None), ("abc", None), ("0", "week"), ("abc", "year")])
def test_leaderboard_of_an_unknown_group(auth_client, group_id, interval):
    resp = auth_client.get(leaderboard_url(group_id, interval))
    assert resp.status_code == 400
    suffix = f"/{interval}" if interval else ""
    assert resp.json() == {"self": f"/v2/groups/leaderboard/{group_id}{suffix}", "leaderboard": None,
                           "error": "there is no group with this id"}


# -- snapshot -------------------------------------------------------------------------------------
def test_snapshot(auth_client, group):
    resp = auth_client.get(reverse("groups:group-snapshot", kwargs={"team_name": "saintsxctf",
                                                                    "group_name": "wmensxc"}))
    assert resp.status_code == 200
    body = resp.json()
    assert body["self"] == "/v2/groups/snapshot/saintsxctf/wmensxc"
    assert body["group"] == "/v2/groups/saintsxctf/wmensxc"
    snapshot = body["group_snapshot"]
    assert snapshot["id"] == group.pk and snapshot["group_name"] == "wmensxc"
    assert snapshot["statistics"] == statistics_for(group.week_start)
    assert [(m["username"], m["status"]) for m in snapshot["members"]] == [
        ("alice", "accepted"), ("bob", "accepted"), ("pending", "pending")]
    assert set(snapshot) == {"deleted", "description", "group_name", "group_title", "grouppic", "grouppic_name",
                             "id", "week_start", "members", "statistics"}


def test_snapshot_of_a_group_without_members(auth_client):
    lonely = GroupFactory(group_name="lonely")
    TeamGroupFactory(team=TeamFactory(name="saintsxctf"), group=lonely)
    resp = auth_client.get(reverse("groups:group-snapshot", kwargs={"team_name": "saintsxctf",
                                                                    "group_name": "lonely"}))
    assert resp.status_code == 200
    assert resp.json()["group_snapshot"]["members"] == []
    assert resp.json()["group_snapshot"]["statistics"]["miles_all_time"] == 0.0


def test_snapshot_of_an_unknown_group(auth_client):
    resp = auth_client.get(reverse("groups:group-snapshot", kwargs={"team_name": "saintsxctf", "group_name": "x"}))
    assert resp.status_code == 400
    assert resp.json() == {"self": "/v2/groups/snapshot/saintsxctf/x", "group": "/v2/groups/saintsxctf/x",
                           "group_snapshot": None, "error": "the group does not exist"}


# -- query counts ---------------------------------------------------------------------------------
def grow(group, members: int, logs_each: int):
    for _ in range(members):
        member = GroupMemberFactory(group=group).user
        for day in range(logs_each):
            make_log(member.username, date(2025, 3, 1 + day % 12), "run", 1, 5)


@pytest.mark.parametrize("name,kwargs,queries_expected", [
    ("group-leaderboard", {}, 4),  # caller, group, members' usernames, one aggregate over their summaries
    ("group-leaderboard-interval", {"interval": "week"}, 4),
    ("group-statistics", {}, 4),  # caller, group, members' usernames, one aggregate over their summaries
    ("group-snapshot", None, 5),
])
def test_aggregate_query_counts_are_constant(auth_client, django_assert_num_queries, name, kwargs, queries_expected):
    group = GroupFactory(group_name="big", week_start="sunday")
    TeamGroupFactory(team=TeamFactory(name="saintsxctf"), group=group)
    url_kwargs = ({"team_name": "saintsxctf", "group_name": "big"} if kwargs is None
                  else {"group_id": group.pk, **kwargs})
    url = reverse(f"groups:{name}", kwargs=url_kwargs)
    grow(group, 2, 3)
    with django_assert_num_queries(queries_expected):
        assert auth_client.get(url).status_code == 200
    grow(group, 18, 30)  # ten times the members, a hundred times the logs
    with django_assert_num_queries(queries_expected):
        assert auth_client.get(url).status_code == 200


@pytest.mark.parametrize("interval", [None, "year", "month", "week"])
def test_leaderboard_rows_are_what_their_serializer_renders(group, interval):
    """group_leaderboard answers rows as rendered (the view sends them as they are): the same as
    LeaderboardRowSerializer renders the query's own rows."""
    raw = list(queries._group_leaderboard(group, interval, TODAY))
    assert raw
    assert queries.group_leaderboard(group, interval) == LeaderboardRowSerializer(raw, many=True).data
