"""GET /v2/range_view/<filter_by>/<bucket>/<exercise_types>/<start>/<end> and /v2/range_view/links."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from groups.tests.factories import GroupFactory, GroupMemberFactory
from logs.models import ExerciseType, Log
from logs.tests.factories import LogFactory
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NO_DAYS = "no logs found in this date range with the selected filters"


def range_view(filter_by, bucket, types="r", start="2021-05-31", end="2021-07-11") -> str:
    return reverse("range_view:range-view", kwargs={"filter_by": filter_by, "bucket": bucket,
                                                     "exercise_types": types, "start": start, "end": end})


def day_log(user, day: date, miles: float, feel: int, type_: str = "run") -> Log:
    return LogFactory(user=user, date=day, distance=miles, metric="miles", feel=feel,
                      type=ExerciseType.objects.get(type=type_))


def test_user_range_view(auth_client, user, other_user):
    day_log(user, date(2021, 5, 31), 4.0, 7)
    day_log(user, date(2021, 5, 31), 3.28, 8)  # feel 7.5 rounds half away from zero: 8
    day_log(user, date(2021, 6, 2), 5.0, 6)
    day_log(user, date(2021, 6, 2), 10, 6, "bike")  # not asked for
    day_log(user, date(2021, 5, 30), 5.0, 6)  # before start
    day_log(user, date(2021, 7, 12), 5.0, 6)  # after end
    day_log(user, date(2021, 7, 11), 1.0, 3)  # the end date is included
    day_log(other_user, date(2021, 6, 1), 9.0, 9)
    day_log(user, date(2021, 6, 3), 2.0, 5).soft_delete()
    resp = auth_client.get(range_view("users", "andy"))
    assert resp.status_code == 200
    body = resp.json()
    assert body["self"] == "/v2/range_view/users/andy/r/2021-05-31/2021-07-11"
    assert [(d["date"], d["feel"], round(d["miles"], 6)) for d in body["range_view"]] == [
        ("Mon, 31 May 2021 00:00:00 GMT", 8, 7.28),
        ("Wed, 02 Jun 2021 00:00:00 GMT", 6, 5.0),
        ("Sun, 11 Jul 2021 00:00:00 GMT", 3, 1.0),
    ]
    assert set(body) == {"self", "range_view"}
    assert set(body["range_view"][0]) == {"date", "feel", "miles"}


def test_feel_is_rounded_to_the_nearest_whole_number(auth_client, user):
    for feel in (6, 6, 7):  # 6.33 -> 6
        day_log(user, date(2021, 6, 1), 1, feel)
    for feel in (6, 7, 7):  # 6.67 -> 7
        day_log(user, date(2021, 6, 2), 1, feel)
    body = auth_client.get(range_view("user", "andy")).json()
    assert [d["feel"] for d in body["range_view"]] == [6, 7]


@pytest.mark.parametrize(("types", "days"), [("r", 1), ("b", 1), ("s", 1), ("o", 3), ("rb", 2), ("rbso", 6),
                                             ("rr", 1), ("so", 4), ("oo", 3)])
def test_exercise_types(auth_client, user, types, days):
    for i, type_ in enumerate(("run", "bike", "swim", "other")):
        day_log(user, date(2021, 6, 1) + timedelta(days=i), 1, 5, type_)
    day_log(user, date(2021, 6, 10), 1, 5, "yoga")  # `o` is every type but run, bike and swim
    day_log(user, date(2021, 6, 11), 1, 5, "stand up paddle")
    assert len(auth_client.get(range_view("user", "andy", types)).json()["range_view"]) == days


def test_other_sums_every_other_type_of_a_day(auth_client, user):
    """The client's calendar asks for rbso; a day of yoga and a hike counts both under `o`, like miles_other."""
    day_log(user, date(2021, 6, 1), 2, 4, "yoga")
    day_log(user, date(2021, 6, 1), 3, 6, "hike")
    day_log(user, date(2021, 6, 1), 5, 8, "run")
    body = auth_client.get(range_view("user", "andy", "o")).json()
    assert body["range_view"] == [{"date": "Tue, 01 Jun 2021 00:00:00 GMT", "feel": 5, "miles": 5.0}]
    body = auth_client.get(range_view("user", "andy", "rbso")).json()
    assert body["range_view"] == [{"date": "Tue, 01 Jun 2021 00:00:00 GMT", "feel": 6, "miles": 10.0}]


def test_group_range_view_counts_every_member(auth_client, user, other_user):
    group = GroupFactory()
    GroupMemberFactory(group=group, user=user, status="accepted")
    GroupMemberFactory(group=group, user=other_user, status="pending")  # the original does not ask for accepted
    outsider = UserFactory()
    day_log(user, date(2021, 6, 1), 3, 6)
    day_log(other_user, date(2021, 6, 1), 4, 8)
    day_log(outsider, date(2021, 6, 1), 100, 1)
    for filter_by in ("group", "groups"):
        body = auth_client.get(range_view(filter_by, group.id)).json()
        assert body["range_view"] == [{"date": "Tue, 01 Jun 2021 00:00:00 GMT", "feel": 7, "miles": 7.0}]


def test_all_range_view(auth_client, user, other_user):
    day_log(user, date(2021, 6, 1), 3, 6)
    day_log(other_user, date(2021, 6, 1), 4, 6)
    assert auth_client.get(range_view("all", "all")).json()["range_view"][0]["miles"] == 7.0


def test_no_logs_is_an_empty_list_with_a_message(auth_client, user):
    day_log(user, date(2021, 1, 1), 3, 6)
    resp = auth_client.get(range_view("user", "andy"))
    assert resp.status_code == 200
    assert resp.json() == {"self": "/v2/range_view/user/andy/r/2021-05-31/2021-07-11", "range_view": [],
                           "message": NO_DAYS}


def test_start_after_end_is_empty(auth_client, user):
    day_log(user, date(2021, 6, 1), 3, 6)
    body = auth_client.get(range_view("user", "andy", start="2021-07-01", end="2021-05-01")).json()
    assert (body["range_view"], body["message"]) == ([], NO_DAYS)


@pytest.mark.parametrize(("path", "error"), [
    ("/v2/range_view/team/andy/r/2021-05-31/2021-07-11",
     "filter_by must be one of 'all', 'group', 'groups', 'user' or 'users'"),
    ("/v2/range_view/group/alumni/r/2021-05-31/2021-07-11",
     "bucket must be a group id (a whole number) when filtering by group"),
    ("/v2/range_view/user/andy/rx/2021-05-31/2021-07-11",
     "exercise_types must be letters from 'r' (run), 'b' (bike), 's' (swim) and 'o' (other)"),
    ("/v2/range_view/user/andy/R/2021-05-31/2021-07-11",
     "exercise_types must be letters from 'r' (run), 'b' (bike), 's' (swim) and 'o' (other)"),
    ("/v2/range_view/user/andy/r/2021-13-01/2021-07-11", "start must be a date formatted YYYY-MM-DD"),
    ("/v2/range_view/user/andy/r/31-05-2021/2021-07-11", "start must be a date formatted YYYY-MM-DD"),
    ("/v2/range_view/user/andy/r/2021-05-31/2021-02-30", "end must be a date formatted YYYY-MM-DD"),
    ("/v2/range_view/user/andy/r/2021-05-31/today", "end must be a date formatted YYYY-MM-DD"),
])
def test_bad_parameters(auth_client, user, path, error):
    resp = auth_client.get(path)
    assert resp.status_code == 400
    assert resp.json() == {"self": path, "range_view": None, "error": error}


def test_a_token_is_required(api_client):
    assert api_client.get(range_view("user", "andy")).status_code == 401
    assert api_client.get(range_view("user", "andy"), HTTP_AUTHORIZATION="Bearer x").status_code == 403


def test_links(api_client):
    body = api_client.get(reverse("range_view:links")).json()
    assert body == {"self": "/v2/range_view/links", "endpoints": [{
        "link": "/v2/range_view/<filter_by>/<bucket>/<exercise_types>/<start>/<end>", "verb": "GET",
        "description": "Get a list of range view objects based on certain filters."}]}


def bulk_logs(user, n: int) -> None:
    run = ExerciseType.objects.get(type="run")
    logs = []
    for i in range(n):
        log = Log(user=user, first=user.first, last=user.last, date=date(2021, 1, 1) + timedelta(days=i % 365),
                  type=run, feel=1 + i % 10)
        log.set_distance(3.0, "miles", timedelta(minutes=21))
        log.stamp_created()
        logs.append(log)
    Log.objects.bulk_create(logs)


@pytest.mark.parametrize("filter_by", ["user", "group", "all"])
def test_one_aggregate_query_whatever_the_data(auth_client, user, filter_by, django_assert_num_queries):
    group = GroupFactory()
    GroupMemberFactory(group=group, user=user)
    bucket = {"user": "andy", "group": group.id, "all": "all"}[filter_by]
    url = range_view(filter_by, bucket, "r", "2021-01-01", "2021-12-31")
    # The caller, the GROUP BY date query over the daily summaries (and first the members, for a group).
    queries = 3 if filter_by == "group" else 2
    bulk_logs(user, 100)
    with django_assert_num_queries(queries):
        assert len(auth_client.get(url).json()["range_view"]) == 100
    bulk_logs(user, 900)
    with django_assert_num_queries(queries):
        body = auth_client.get(url).json()
    assert len(body["range_view"]) == 365
    assert body["range_view"][0]["miles"] == pytest.approx(12.0)  # 1 log of the first batch, 3 of the second
