"""The exercise arithmetic: one function pair (compute_miles, compute_pace) behind Log.set_distance, matching
the original's numbers (kilometers x 0.621317, meters / 1609.344, pace floored to the second, values stored
as the original's FLOAT column returned them) and never failing on a missing time or distance."""

from datetime import timedelta

import pytest
from django.urls import reverse

from logs.models import Log, compute_miles, compute_pace, exercise_totals, stored_float
from saintsxctf.foundation.api.fields import duration_text


def hms(text: str) -> timedelta:
    h, m, s = (int(part) for part in text.split(":"))
    return timedelta(hours=h, minutes=m, seconds=s)


@pytest.mark.parametrize(
    ("distance", "metric", "miles"),
    [
        (4.43, "miles", 4.43),
        (13.13, "miles", 13.13),
        (10, "kilometers", 6.21317),  # the original's factor: 0.621317, not 0.621371
        (1, "kilometers", 0.621317),
        (1609.344, "meters", 1.0),
        (1, "meters", 0.000621371),  # as in the feed fixture userAndyPageFive (log 23135)
        (5000, "meters", 3.10686),
        (0, "miles", 0.0),
        (0, "kilometers", 0.0),
        (None, "miles", 0.0),
        (5.0, None, 0.0),
        (5.0, "", 0.0),
    ],
)
def test_miles_for_every_metric(distance, metric, miles):
    assert stored_float(compute_miles(distance, metric)) == miles


def test_miles_are_unrounded_until_stored():
    assert compute_miles(5000, "meters") == 5000 / 1609.344
    assert compute_miles(3, "kilometers") == 3 * 0.621317


def test_a_metric_the_contract_does_not_list_is_refused():
    with pytest.raises(ValueError):
        compute_miles(100, "yards")


@pytest.mark.parametrize(
    ("miles", "time", "pace"),
    [
        (4.43, "0:31:47", "0:07:10"),  # log1.json: 1907 s / 4.43 = 430.47 -> 430 s
        (5.02, "0:27:43", "0:05:31"),  # allPageOne.json
        (13.13, "1:39:14", "0:07:33"),  # userAndyPageOne.json
        (5.14, "0:38:52", "0:07:33"),  # legacy test data: floored, not rounded (453.7 s)
        (2, "0:16:43", "0:08:21"),  # 501.5 s floors to 501 (rounding would give 502)
        (1, "25:00:00", "25:00:00"),  # hours are not wrapped at a day
        (0.5, "0:03:30", "0:07:00"),
        (4.43, "0:00:00", "0:00:00"),  # zero time
        (4.43, None, "0:00:00"),  # missing time (the original crashed)
        (0, "0:31:47", "0:00:00"),  # zero distance
        (None, "0:31:47", "0:00:00"),  # missing distance
    ],
)
def test_pace_for_every_time(miles, time, pace):
    assert duration_text(compute_pace(miles, hms(time) if time else None)) == pace


def test_pace_comes_from_the_unrounded_miles():
    exact = 5000 / 1609.344
    assert exercise_totals(5000, "meters", timedelta(minutes=20)) == (3.10686, timedelta(seconds=int(1200 // exact)))


@pytest.mark.parametrize(
    ("distance", "metric", "time", "miles", "pace"),
    [
        (4.43, "miles", "0:31:47", 4.43, "0:07:10"),
        (10, "kilometers", "0:40:00", 6.21317, "0:06:26"),
        (5000, "meters", "0:20:00", 3.10686, "0:06:26"),
        (1, "meters", "0:00:00", 0.000621371, "0:00:00"),
        (4.43, "miles", None, 4.43, "0:00:00"),
        (None, None, "0:31:47", 0.0, "0:00:00"),
        (0, "miles", "0:31:47", 0.0, "0:00:00"),
        (4.43, None, "0:31:47", 0.0, "0:00:00"),
    ],
)
def test_set_distance_keeps_miles_and_pace_consistent(distance, metric, time, miles, pace):
    log = Log()
    log.set_distance(distance, metric, hms(time) if time else None)
    assert (log.miles, duration_text(log.pace)) == (miles, pace)
    assert log.distance == (None if distance is None else float(distance))
    assert log.metric == (metric or None)


# -- the same arithmetic through the API, for every time format a client may send -----------------------------

@pytest.mark.django_db
@pytest.mark.parametrize(
    ("distance", "metric", "time", "stored_time", "miles", "pace"),
    [
        (4.43, "miles", "0:31:47", "0:31:47", 4.43, "0:07:10"),  # H:MM:SS, what the web client sends
        (4.43, "miles", "00:31:47", "0:31:47", 4.43, "0:07:10"),  # HH:MM:SS
        (4.43, "miles", "31:47", "0:31:47", 4.43, "0:07:10"),  # MM:SS
        (4.43, "miles", "1:47", "0:01:47", 4.43, "0:00:24"),  # M:SS
        (4.43, "miles", "47", "0:00:47", 4.43, "0:00:10"),  # SS
        (13.13, "miles", "1:39:14", "1:39:14", 13.13, "0:07:33"),
        (10, "kilometers", "0:40:00", "0:40:00", 6.21317, "0:06:26"),
        (5000, "meters", "0:20:00", "0:20:00", 3.10686, "0:06:26"),
        (4.43, "miles", "0:00:00", "0:00:00", 4.43, "0:00:00"),  # zero time
        (4.43, "miles", "", "0:00:00", 4.43, "0:00:00"),  # empty time: stored null, shown as zero
        (4.43, "miles", None, "0:00:00", 4.43, "0:00:00"),  # missing time
        (None, None, "0:31:47", "0:31:47", 0.0, "0:00:00"),  # missing distance
        (0, "miles", "0:31:47", "0:31:47", 0.0, "0:00:00"),  # zero distance
    ],
)
def test_create_derives_miles_and_pace(auth_client, user, distance, metric, time, stored_time, miles, pace):
    body = {"username": "andy", "first": "Andy", "last": "Jarombek", "date": "2021-05-30", "type": "run", "feel": 6,
            "distance": distance, "metric": metric, "time": time}
    resp = auth_client.post(reverse("logs:log-list"), body, format="json")
    assert resp.status_code == 200, resp.json()
    log = resp.json()["log"]
    assert (log["time"], log["miles"], log["pace"]) == (stored_time, miles, pace)


@pytest.mark.django_db
def test_client_sent_miles_and_pace_are_ignored(auth_client, user):
    body = {"username": "andy", "first": "Andy", "last": "Jarombek", "date": "2021-05-30", "type": "run", "feel": 6,
            "distance": 4.43, "metric": "miles", "time": "0:31:47", "miles": 99, "pace": "0:01:00"}
    log = auth_client.post(reverse("logs:log-list"), body, format="json").json()["log"]
    assert (log["miles"], log["pace"]) == (4.43, "0:07:10")
