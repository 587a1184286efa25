"""Answers that depend on the time of day, under the pinned clock (conftest.py `clock`, saintsxctf/foundation/clock.py):
a throttle window ending and the next one starting, `Retry-After`, the scopes counting apart, and statistics
read across midnight at the end of a week, a month and a year."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import client_for
from groups.tests.factories import GroupFactory, GroupMemberFactory
from saintsxctf.foundation import clock as server_clock
from saintsxctf.foundation.api.throttles import WindowThrottle
from teams.tests.factories import TeamFactory, TeamMemberFactory
from users.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def with_rates(settings, **rates):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates}}


def token_request(client_id="andy", addr="10.0.0.1"):
    return APIClient(REMOTE_ADDR=addr).post(reverse("auth:token"), {"clientId": client_id, "clientSecret": PASSWORD},
                                            format="json")


# -- throttles --------------------------------------------------------------------------------------------
def test_every_throttle_reads_the_pinned_clock(clock):
    clock.set(datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC))
    assert WindowThrottle.__new__(WindowThrottle).timer() == datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC).timestamp()


def test_the_limit_starts_over_in_the_next_window_and_retry_after_is_the_rest_of_the_window(user, settings, clock):
    with_rates(settings, token_account="3/min")  # per account and address (issue 13): one address here
    clock.set(datetime(2026, 11, 30, 23, 59, 50, 250000, tzinfo=UTC))  # 9.75 s before the minute ends
    assert [token_request(addr="10.0.1.1").status_code for _ in range(3)] == [200, 200, 200]
    refused = token_request(addr="10.0.1.1")
    assert refused.status_code == 429 and refused["Retry-After"] == "10"  # 9.75 s, rounded up
    clock.advance(seconds=9)
    refused = token_request(addr="10.0.1.1")
    assert refused.status_code == 429 and refused["Retry-After"] == "1"  # 0.75 s left
    clock.advance(seconds=0.75)  # 00:00:00.000 of 1 December: a new window
    assert [token_request(addr="10.0.1.1").status_code for _ in range(3)] == [200, 200, 200]
    refused = token_request(addr="10.0.1.1")
    assert refused.status_code == 429 and refused["Retry-After"] == "60"  # a whole window to wait


def test_a_ten_minute_window_is_counted_whole(user, settings, clock):
    with_rates(settings, token_ip="2/10min")
    clock.set(datetime(2026, 11, 30, 12, 0, 0, tzinfo=UTC))  # a window of 12:00-12:10 starts
    assert token_request("a").status_code == 200
    clock.advance(minutes=9, seconds=59)
    assert token_request("b").status_code == 200
    refused = token_request("c")
    assert refused.status_code == 429 and refused["Retry-After"] == "1"
    clock.advance(seconds=1)
    assert token_request("d").status_code == 200


def test_each_scope_counts_apart(user, settings):
    """Sign-up attempts naming an account and from one address count against the sign-up limits only: they
    leave the sign-in limits of that account and address untouched."""
    with_rates(settings, token_account="2/min", token_ip="2/min", signup_account="50/min", signup_ip="50/min")
    client = APIClient(REMOTE_ADDR="10.0.0.1")
    for n in range(4):
        resp = client.post(reverse("users:user-list"), {
            "username": "andy", "first": "A", "last": "J", "email": f"andy{n}@example.com", "password": "secret123",
            "activation_code": "nope"}, format="json")
        assert resp.status_code == 400, resp.content  # refused (unknown code) but counted
    assert [token_request().status_code for _ in range(2)] == [200, 200]
    assert token_request().status_code == 429


# -- statistics across midnight ---------------------------------------------------------------------------
def new_log(day: date) -> dict:
    return {"username": "andy", "first": "Andy", "last": "Jarombek", "name": "Run", "location": "Riverside, CT",
            "date": day.isoformat(), "type": "run", "distance": 5,
            "metric": "miles", "time": "0:40:00", "feel": 6, "description": ""}


# (last second of the day, the group's and runner's week start, which numbers still count the log after
# midnight): Saturday → Sunday ends a Sunday week, Sunday → Monday a Monday week; 30 Nov → 1 Dec a month;
# 31 Dec → 1 Jan a year (and its month; Monday 28 December's week goes on).
MIDNIGHTS = {
    "sunday-week": (datetime(2026, 11, 28, 23, 59, 59), "sunday", {"week": 0, "month": 5, "year": 5}),
    "monday-week": (datetime(2026, 11, 29, 23, 59, 59), "monday", {"week": 0, "month": 5, "year": 5}),
    "month": (datetime(2026, 11, 30, 23, 59, 59), "monday", {"week": 5, "month": 0, "year": 5}),
    "year": (datetime(2026, 12, 31, 23, 59, 59), "monday", {"week": 5, "month": 0, "year": 0}),
}


@pytest.mark.parametrize("midnight", list(MIDNIGHTS))
def test_statistics_and_leaderboards_follow_the_date_across_midnight(user, clock, midnight):
    before_midnight, week_start, after = MIDNIGHTS[midnight]
    clock.set(before_midnight)
    user.week_start = week_start
    user.save()
    group = GroupFactory(week_start=week_start)
    team = TeamFactory()
    TeamMemberFactory(team=team, user=user, status="accepted")
    GroupMemberFactory(group=group, user=user)
    client = client_for(user)
    group_stats = reverse("groups:group-statistics", kwargs={"group_id": group.pk})
    user_stats = reverse("users:user-statistics", kwargs={"username": user.username})

    def leaderboard(interval):
        rows = client.get(reverse("groups:group-leaderboard-interval",
                                  kwargs={"group_id": group.pk, "interval": interval})).json()["leaderboard"]
        return sum(row["miles"] for row in rows)

    def numbers():
        by_group = client.get(group_stats).json()["stats"]
        by_user = client.get(user_stats).json()["stats"]
        return {interval: (by_group[f"miles_past_{interval}"], by_user[f"miles_past_{interval}"], leaderboard(interval))
                for interval in ("week", "month", "year")}

    assert client.post(reverse("logs:log-list"), new_log(server_clock.today()), format="json").status_code == 200
    assert numbers() == {interval: (5, 5, 5) for interval in ("week", "month", "year")}  # and now cached
    clock.advance(seconds=2)
    assert server_clock.today() == before_midnight.date() + timedelta(days=1)
    assert numbers() == {interval: (miles, miles, miles) for interval, miles in after.items()}
