"""Cached aggregates (saintsxctf/foundation/aggregates.py): a write through the API makes the next read fresh; reads survive a cache
outage."""

from datetime import date

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test import TestCase
from django.urls import reverse

from groups import queries as group_queries
from groups.tests.factories import GroupFactory, GroupMemberFactory
from logs.models import Log, LogSummary
from saintsxctf.foundation import aggregates as cached
from saintsxctf.foundation import clock as server_clock
from teams.tests.factories import TeamFactory, TeamMemberFactory

pytestmark = pytest.mark.usefixtures("aggregate_cache")  # conftest.py: these tests are about the cache


def new_log(**overrides) -> dict:
    return {
        "username": "andy", "first": "Andy", "last": "Jarombek", "name": "Run", "location": "Riverside, CT",
        "date": server_clock.today().isoformat(), "type": "run", "distance": 5, "metric": "miles", "time": "0:40:00", "feel": 6,
        "description": "", **overrides,
    }


@pytest.fixture
def world(user, other_user):
    team, group = TeamFactory(), GroupFactory()
    for runner in (user, other_user):
        TeamMemberFactory(team=team, user=runner, status="accepted")
        GroupMemberFactory(group=group, user=runner)
    return group


def committed(call):
    """`call()` (a write request), then its on-commit callbacks, run as the commit of a real request runs them
    (the test's own transaction never commits); the write must have registered its commit-time invalidation."""
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        resp = call()
    assert callbacks, "the write registered no on-commit invalidation"
    return resp


def post_log(client, **overrides) -> int:
    resp = committed(lambda: client.post(reverse("logs:log-list"), new_log(**overrides), format="json"))
    assert resp.status_code == 200, resp.content
    return resp.json()["log"]["log_id"]


def group_stats(client, group):
    return client.get(reverse("groups:group-statistics", kwargs={"group_id": group.pk})).json()["stats"]


def test_group_statistics_fresh_after_a_log_create(auth_client, world):
    before = group_stats(auth_client, world)
    assert group_stats(auth_client, world) == before  # served from the cache
    post_log(auth_client)
    after = group_stats(auth_client, world)
    assert after["miles_all_time"] == before["miles_all_time"] + 5
    assert after["miles_past_week"] == before["miles_past_week"] + 5


def test_group_statistics_fresh_after_a_member_leaves(auth_client, world):
    post_log(auth_client)
    assert group_stats(auth_client, world)["miles_all_time"] == 5
    resp = committed(lambda: auth_client.delete(reverse(
        "groups:group-membership", kwargs={"team_name_or_group_id": world.pk, "group_name_or_username": "andy"})))
    assert resp.status_code == 204, resp.content
    assert group_stats(auth_client, world)["miles_all_time"] == 0


@pytest.mark.parametrize("interval", [None, "week", "month", "year", "all"])
def test_group_leaderboard_fresh_after_a_log_soft_delete(auth_client, world, interval):
    log_id = post_log(auth_client)
    url = (reverse("groups:group-leaderboard", kwargs={"group_id": world.pk}) if interval is None else
           reverse("groups:group-leaderboard-interval", kwargs={"group_id": world.pk, "interval": interval}))
    rows = auth_client.get(url).json()["leaderboard"]
    assert [(row["username"], row["miles"]) for row in rows] == [("andy", 5.0)]
    post_log(auth_client, distance=2)
    rows = auth_client.get(url).json()["leaderboard"]
    assert [(row["username"], row["miles"]) for row in rows] == [("andy", 7.0)]
    assert committed(lambda: auth_client.delete(reverse("logs:log-soft", kwargs={"log_id": log_id}))).status_code == 204
    rows = auth_client.get(url).json()["leaderboard"]
    assert [(row["username"], row["miles"]) for row in rows] == [("andy", 2.0)]


@pytest.mark.parametrize("name", ["users:user-statistics", "users:user-snapshot"])
def test_user_statistics_and_snapshot_fresh_after_a_log_create(auth_client, world, name):
    url = reverse(name, kwargs={"username": "andy"})

    def stats():
        body = auth_client.get(url).json()
        return (body.get("stats") or body["user"]["statistics"])["miles_all_time"]

    assert stats() == 0
    post_log(auth_client)
    assert stats() == 5


@pytest.mark.parametrize(("filter_by", "bucket"), [("users", "andy"), ("groups", None), ("all", "all")])
def test_range_view_fresh_after_a_log_create(auth_client, world, filter_by, bucket):
    url = reverse("range_view:range-view", kwargs={
        "filter_by": filter_by, "bucket": bucket or world.pk, "exercise_types": "r",
        "start": server_clock.today().replace(day=1).isoformat(), "end": server_clock.today().isoformat()})
    assert auth_client.get(url).json()["range_view"] == []
    post_log(auth_client)
    assert [day["miles"] for day in auth_client.get(url).json()["range_view"]] == [5]


@pytest.mark.parametrize("filter_by", ["all", "group", "user"])
def test_feed_page_count_fresh_after_a_log_create(auth_client, world, filter_by):
    bucket = {"all": "all", "group": world.pk, "user": "andy"}[filter_by]
    url = reverse("log_feed:log-feed", kwargs={"filter_by": filter_by, "bucket": bucket, "limit": 1, "offset": 0})
    assert auth_client.get(url).json()["pages"] == 0
    post_log(auth_client)
    assert auth_client.get(url).json()["pages"] == 1
    post_log(auth_client)
    assert auth_client.get(url).json()["pages"] == 2


def test_group_week_start_change_is_read_at_once(auth_client, world, clock):
    clock.set(date(2026, 11, 29))  # a Sunday: a Sunday week starts today, a Monday week on the 23rd
    post_log(auth_client, date="2026-11-28")
    assert group_stats(auth_client, world)["miles_past_week"] == 0  # and now cached
    world.week_start = "monday"
    with TestCase.captureOnCommitCallbacks(execute=True):
        world.save()
    assert group_stats(auth_client, world)["miles_past_week"] == 5


def test_summary_rebuild_is_read_at_once(auth_client, world):
    from logs.rebuild import rebuild_summaries

    post_log(auth_client)
    assert group_stats(auth_client, world)["miles_all_time"] == 5  # and now cached
    with connection.cursor() as cursor:  # a repair in SQL, behind the summaries' back ...
        cursor.execute(f"UPDATE {Log._meta.db_table} SET miles = 8")
    assert group_stats(auth_client, world)["miles_all_time"] == 5
    with TestCase.captureOnCommitCallbacks(execute=True):
        rebuild_summaries(usernames=["andy"])  # ... and the rebuild that follows it
    assert group_stats(auth_client, world)["miles_all_time"] == 8


def test_an_evicted_version_counter_never_meets_old_values(auth_client, world):
    post_log(auth_client)
    assert group_stats(auth_client, world)["miles_all_time"] == 5  # cached under the current version
    LogSummary.objects.update(miles=9)  # a change the cache was not told about
    cache.delete(cached.VERSION_KEY)  # Redis evicts the counter: the next one must not reuse a version
    assert group_stats(auth_client, world)["miles_all_time"] == 9


def test_reads_work_when_the_cache_is_down(auth_client, world, monkeypatch):
    post_log(auth_client)

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    for method in ("get", "set", "add", "incr"):
        monkeypatch.setattr(caches["default"], method, down)  # the backend object, not the proxy
    assert group_stats(auth_client, world)["miles_all_time"] == 5
    post_log(auth_client)  # writes still work (the bump is skipped)
    assert group_stats(auth_client, world)["miles_all_time"] == 10


def test_cached_read_computes_once(world, monkeypatch):
    calls = []
    monkeypatch.setattr(group_queries, "_group_statistics", lambda group, today: calls.append(1) or {"x": 1})
    assert group_queries.group_statistics(world) == {"x": 1}
    assert group_queries.group_statistics(world) == {"x": 1}
    assert len(calls) == 1
