"""The set-based summary rebuild (logs/rebuild.py) writes exactly the rows a recomputation from the logs implies."""

from datetime import date, datetime

import pytest

from logs.models import ExerciseType, Log, LogSummary
from logs.rebuild import rebuild_summaries
from logs.services import ALL_TIME_START
from logs.tests.test_summaries import assert_summaries_exact, stored
from saintsxctf.foundation.bulk import bulk_insert
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def insert_logs(rows):
    """Logs past the model layer (as the importer writes them): no summaries kept."""
    defaults = {"first": "Gen", "last": "Runner", "feel": 5, "type_id": "run", "miles": 3.0,
                "time_created": datetime(2024, 1, 1, 6, 0)}
    bulk_insert(Log, [{**defaults, **row} for row in rows], with_pk=False)


@pytest.fixture
def runners():
    ExerciseType.objects.get_or_create(type="run")
    ExerciseType.objects.get_or_create(type="bike")
    return UserFactory(username="rebuild_a"), UserFactory(username="rebuild_b")


def test_rebuild_sums_days_months_years_and_all_time_of_live_logs_only(runners):
    a, b = runners
    insert_logs([
        {"user_id": a.username, "date": date(2023, 12, 31), "miles": 5.5, "feel": 7, "last": "Zed"},
        {"user_id": a.username, "date": date(2023, 12, 31), "miles": None, "feel": 3, "first": "Amy"},
        {"user_id": a.username, "date": date(2024, 1, 2), "type_id": "bike", "miles": None},  # a period with no miles
        {"user_id": a.username, "date": date(2024, 1, 9), "miles": 1.25,
         "time_created": datetime(2024, 2, 1, 12, 30, 5)},
        {"user_id": a.username, "date": date(2024, 2, 29), "miles": 2.0, "deleted": True},  # soft-deleted: no row
        {"user_id": b.username, "date": date(2020, 6, 15), "miles": 10.0, "feel": 10},
        {"user_id": b.username, "date": date(2020, 6, 16), "miles": 0.1, "feel": 1},
    ])
    LogSummary.objects.create(period="a", user=a, start=ALL_TIME_START, type_id="run", logs=99, miles=1.0,
                              feel=1, first="stale", last="stale")  # replaced

    written = rebuild_summaries()

    assert_summaries_exact()
    assert written == LogSummary.objects.count()
    bike_all = LogSummary.objects.get(period="a", user=a, type_id="bike")
    assert (bike_all.logs, bike_all.miles) == (1, None)
    months = LogSummary.objects.filter(period="m", user=b).get()
    assert (months.start, months.logs, months.miles, months.feel) == (date(2020, 6, 1), 2, pytest.approx(10.1), 11)
    assert not LogSummary.objects.filter(start=date(2024, 2, 29)).exists()


def test_rebuild_of_some_users_leaves_the_others_rows(runners):
    a, b = runners
    insert_logs([{"user_id": a.username, "date": date(2022, 3, 4)}, {"user_id": b.username, "date": date(2022, 3, 5)}])
    rebuild_summaries()
    b_rows = stored()
    Log.all_objects.filter(user=a).update(feel=9)  # refreshed by the model layer ...
    LogSummary.objects.filter(user=a).delete()  # ... then lost

    rebuild_summaries(usernames=[a.username])

    assert_summaries_exact()
    assert {k: v for k, v in stored().items() if k[1] == b.username} == \
        {k: v for k, v in b_rows.items() if k[1] == b.username}


def test_rebuild_removes_rows_of_users_without_logs_left(runners):
    a, _ = runners
    insert_logs([{"user_id": a.username, "date": date(2022, 3, 4)}])
    rebuild_summaries()
    Log.all_objects.filter(user=a).delete()
    LogSummary.objects.create(period="d", user=a, start=date(2022, 3, 4), type_id="run", logs=1, miles=1.0,
                              feel=1, first="x", last="y")

    rebuild_summaries()

    assert not LogSummary.objects.filter(user=a).exists()
