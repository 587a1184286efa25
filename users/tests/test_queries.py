"""Read-side queries: week starts, the notification window and statistics intervals."""

from datetime import date, timedelta

import pytest

from logs.models import ExerciseType
from logs.tests.factories import LogFactory
from users.queries import notification_cutoff, user_find, user_statistics, week_start_date
from users.tests.factories import UserFactory

# 2021-03-14 is a Sunday, 2021-03-15 a Monday, 2021-03-17 a Wednesday.
SUNDAY, MONDAY, WEDNESDAY = date(2021, 3, 14), date(2021, 3, 15), date(2021, 3, 17)


@pytest.mark.parametrize("today, week_start, expected", [
    (WEDNESDAY, "monday", MONDAY),
    (WEDNESDAY, None, MONDAY),
    (WEDNESDAY, "sunday", SUNDAY),
    (MONDAY, "monday", MONDAY),
    (MONDAY, "sunday", SUNDAY),
    (SUNDAY, "sunday", SUNDAY),
    (SUNDAY, "monday", SUNDAY - timedelta(days=6)),
])
def test_week_start_date(today, week_start, expected):
    assert week_start_date(today, week_start) == expected


@pytest.mark.parametrize("today, expected", [
    (WEDNESDAY, date(2021, 2, 28)),  # this week's Sunday (Mar 14) and two weeks before it
    (SUNDAY, date(2021, 2, 28)),
    (date(2021, 3, 20), date(2021, 2, 28)),  # Saturday
])
def test_notification_cutoff(today, expected):
    assert notification_cutoff(today) == expected


@pytest.mark.django_db
def test_statistics_intervals_follow_the_users_week_start():
    runner = UserFactory(week_start="sunday")
    bike = ExerciseType.objects.get(type="bike")
    LogFactory(user=runner, date=SUNDAY, distance=1.0, feel=2)  # this (Sunday) week, not a Monday week
    LogFactory(user=runner, date=WEDNESDAY, distance=2.0, feel=4, type=bike)
    LogFactory(user=runner, date=date(2021, 3, 1), distance=4.0, feel=6)  # this month
    LogFactory(user=runner, date=date(2021, 1, 1), distance=8.0, feel=8)  # this year
    LogFactory(user=runner, date=date(2020, 12, 31), distance=16.0, feel=10)  # before
    LogFactory(distance=100.0)  # someone else

    stats = user_statistics(runner, today=WEDNESDAY)
    assert stats == {
        "miles_all_time": 31.0, "miles_past_year": 15.0, "miles_past_month": 7.0, "miles_past_week": 3.0,
        "run_miles_all_time": 29.0, "run_miles_past_year": 13.0, "run_miles_past_month": 5.0,
        "run_miles_past_week": 1.0,
        "feel_all_time": 6.0, "feel_past_year": 5.0, "feel_past_month": 4.0, "feel_past_week": 3.0,
    }
    runner.week_start = "monday"
    assert user_statistics(runner, today=WEDNESDAY)["miles_past_week"] == 2.0


@pytest.mark.django_db
def test_statistics_round_like_the_original():
    runner = UserFactory()
    for feel in (6, 6, 7):
        LogFactory(user=runner, date=WEDNESDAY, distance=1.005, feel=feel)
    stats = user_statistics(runner, today=WEDNESDAY)
    assert stats["feel_all_time"] == 6.3333
    assert stats["miles_all_time"] == pytest.approx(3.0, abs=0.011)


@pytest.mark.django_db
def test_user_find_prefers_the_username():
    UserFactory(username="first", email="second")
    second = UserFactory(username="second", email="x@example.com")
    assert user_find("second") == second
    assert user_find("x@example.com") == second
    assert user_find("nobody") is None
