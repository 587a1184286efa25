"""The per-user log summaries (LogSummary) always equal a recomputation from the live logs."""

import random
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from logs import summaries
from logs.models import Log, LogSummary
from logs.services import log_create, log_delete, log_restore, log_soft_delete, log_update
from logs.summaries import ALL_TIME_START
from logs.tests.factories import LogFactory
from saintsxctf.operations.demo import seed_demo
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def recomputed() -> dict:
    """Every summary row the live logs imply, computed in Python: {(period, user, start, type): values}."""
    rows: dict[tuple, dict] = {}
    for log in Log.objects.order_by("log_id"):
        starts = {"d": log.date, "m": log.date.replace(day=1), "y": log.date.replace(month=1, day=1),
                  "a": ALL_TIME_START}
        for period, start in starts.items():
            row = rows.setdefault((period, log.user_id, start, log.type_id),
                                  {"logs": 0, "miles": None, "feel": 0, "first": "", "last": "", "newest": None})
            row["logs"] += 1
            if log.miles is not None:
                row["miles"] = (row["miles"] or 0.0) + log.miles
            row["feel"] += log.feel
            row["first"], row["last"] = max(row["first"], log.first), max(row["last"], log.last)
            row["newest"] = max(filter(None, [row["newest"], log.time_created]))
    return rows


def stored() -> dict:
    return {
        (s.period, s.user_id, s.start, s.type_id):
            {"logs": s.logs, "miles": s.miles, "feel": s.feel, "first": s.first, "last": s.last, "newest": s.newest}
        for s in LogSummary.objects.all()
    }


def assert_summaries_exact():
    expected, actual = recomputed(), stored()
    assert actual.keys() == expected.keys()
    for key, row in expected.items():
        got = actual[key]
        assert got["miles"] == pytest.approx(row["miles"]), key
        assert {k: v for k, v in got.items() if k != "miles"} == {k: v for k, v in row.items() if k != "miles"}, key


@pytest.fixture
def runner():
    return UserFactory(username="sumrunner", first="Sum", last="Runner")


def test_services_keep_the_summaries_exact(runner):
    log = log_create(author=runner, date=date(2023, 12, 31), type="run", feel=6, distance=5, metric="miles",
                     time=timedelta(minutes=40))
    other = log_create(author=runner, date=date(2023, 12, 31), type="bike", feel=3, distance=10, metric="kilometers")
    log_create(author=runner, date=date(2024, 1, 2), type="run", feel=8, distance=3.1, metric="miles")
    assert_summaries_exact()
    # An edit that moves the log to another day, month and year, and changes its type.
    log_update(log=log, date=date(2024, 2, 1), type="swim", feel=4, distance=1000, metric="meters")
    assert_summaries_exact()
    log_soft_delete(log=other)
    assert_summaries_exact()
    assert not LogSummary.objects.filter(type_id="bike").exists()
    log_restore(log=other)
    assert_summaries_exact()
    log_delete(log=log)
    assert_summaries_exact()


def test_the_api_keeps_the_summaries_exact(auth_client, user):
    body = {"username": user.username, "first": user.first, "last": user.last, "date": "2024-03-05", "type": "run",
            "distance": 4, "metric": "miles", "time": "0:30:00", "feel": 7}
    log_id = auth_client.post(reverse("logs:log-list"), body, format="json").json()["log"]["log_id"]
    assert_summaries_exact()
    response = auth_client.put(reverse("logs:log-detail", kwargs={"log_id": log_id}),
                               {**body, "date": "2024-04-01", "feel": 2}, format="json")
    assert response.status_code == 200
    assert_summaries_exact()
    assert auth_client.delete(reverse("logs:log-soft", kwargs={"log_id": log_id})).status_code == 204
    assert_summaries_exact()
    assert LogSummary.objects.count() == 0


def test_queryset_writes_keep_the_summaries_exact(runner):
    """The admin's bulk actions: soft delete and restore many logs, change them in one UPDATE, delete them."""
    LogFactory.create_batch(6, user=runner)
    Log.objects.bulk_create([Log(user=runner, first="A", last="B", date=date(2022, 5, d), type_id="run", feel=5,
                                 miles=2.0) for d in range(1, 4)])
    assert_summaries_exact()
    Log.objects.filter(date__year=2022).soft_delete()
    assert_summaries_exact()
    Log.all_objects.filter(deleted=True).update(deleted=False, deleted_date=None)
    assert_summaries_exact()
    Log.objects.filter(date__year=2021).update(date=date(2020, 7, 4))
    assert_summaries_exact()
    Log.objects.filter(date__year=2022).delete()
    assert_summaries_exact()


def test_creates_add_their_values_to_the_stored_rows(runner):
    """A create adds to its day, month, year and all-time rows (logs/summaries.py `_add`) instead of recomputing
    them: what it adds must be what a recomputation gives, null miles, larger names and older times included."""
    day = date(2024, 6, 3)
    kept = Log.objects.create(user=runner, date=day, type_id="run", miles=None, feel=5, first="Mid", last="Mid")
    assert LogSummary.objects.get(period="d", user=runner, start=day, type_id="run").miles is None
    assert_summaries_exact()
    LogFactory(user=runner, date=day, type_id="run", distance=3.5, first="Zed", last="Aa",
               time_created=kept.time_created - timedelta(days=400))
    Log.objects.create(user=runner, date=date(2024, 6, 9), type_id="run", miles=None, feel=2, first="Aa", last="Zz")
    assert_summaries_exact()
    Log.objects.bulk_create([Log(user=runner, first="B", last="C", date=day + timedelta(days=k % 3), type_id="run",
                                 feel=k, miles=k or None, deleted=k == 4) for k in range(6)])
    assert_summaries_exact()
    # A bulk create that may skip rows (ignore_conflicts) recomputes what it touched.
    Log.objects.bulk_create([Log(pk=kept.pk, user=runner, first="X", last="Y", date=day, type_id="run", feel=1),
                             Log(user=runner, first="X", last="Y", date=day, type_id="bike", feel=1)],
                            ignore_conflicts=True)
    assert_summaries_exact()
    assert LogSummary.objects.get(period="a", user=runner, type_id="run").logs == 8  # 3 + 5 live of the 6


def test_rebuild_summaries_command_recomputes_every_row(runner):
    LogFactory.create_batch(5, user=runner)
    LogSummary.objects.all().delete()
    LogSummary.objects.create(period="a", user=runner, start=ALL_TIME_START, type_id="swim", logs=99, miles=1.0,
                              feel=1, first="x", last="y")
    out = StringIO()
    call_command("rebuild_summaries", stdout=out)
    assert "Rebuilt" in out.getvalue()
    assert_summaries_exact()
    LogSummary.objects.filter(user=runner).delete()
    call_command("rebuild_summaries", runner.username, stdout=StringIO())
    assert_summaries_exact()


def test_seed_demo_leaves_exact_summaries():
    seed_demo(users=6, groups=2, logs=300, seed=3, today=date(2024, 6, 1))
    assert LogSummary.objects.exists()
    assert_summaries_exact()


def test_queryset_writes_of_several_authors_and_types_keep_the_summaries_exact(runner):
    other = UserFactory(username="sumother")
    for author in (runner, other):
        LogFactory.create_batch(4, user=author, type_id="run")
        LogFactory.create_batch(2, user=author, type_id="bike")
    Log.objects.bulk_create([Log(user=other, first="C", last="D", date=date(2021, 3, 9), type_id="swim", feel=4,
                                 miles=None)])
    assert_summaries_exact()
    Log.objects.filter(type_id="run").update(type_id="swim")  # every author's runs become swims
    assert_summaries_exact()
    assert not LogSummary.objects.filter(type_id="run").exists()
    Log.objects.filter(user=other).update(date=date(2019, 12, 31), feel=9)
    assert_summaries_exact()


def _create_through_the_api(client, user, **fields) -> int:
    body = {"username": user.username, "first": user.first, "last": user.last, "date": "2024-03-05", "type": "run",
            "distance": 4, "metric": "miles", "feel": 7, **fields}
    response = client.post(reverse("logs:log-list"), body, format="json")
    assert response.status_code == 200, response.content
    return response.json()["log"]["log_id"]


def test_a_log_write_costs_the_same_queries_whatever_the_history(auth_client, user, django_assert_num_queries):
    """Creating and soft deleting a log refreshes its summaries in a fixed number of queries: one history of a
    few logs, then years of logs of many types on many days."""
    counts = []
    for history in (2, 400):
        LogFactory.create_batch(history, user=user)
        # The write's transaction is a savepoint here (SAVEPOINT and RELEASE: 2 queries) inside the test's own.
        # caller, type, [lock, insert, upsert of its four rows with its values added] (the created log renders as
        # written)
        with django_assert_num_queries(2 + 5) as create:
            log_id = _create_through_the_api(auth_client, user)
        # caller, log, [comments, lock, the log as it is, log, stored summaries, delete of the day's, month's and
        # year's rows (it was their only log), upsert of all time]
        with django_assert_num_queries(2 + 9) as soft_delete:
            assert auth_client.delete(reverse("logs:log-soft", kwargs={"log_id": log_id})).status_code == 204
        counts.append((len(create.captured_queries), len(soft_delete.captured_queries)))
        assert_summaries_exact()
    assert counts[0] == counts[1]


def test_a_one_day_write_reads_what_the_general_path_reads():
    """The common write (one author, one day, one type) reads through queries compiled once
    (logs/summaries.py _read_one_day); they answer the general path's rows."""
    runner = UserFactory()
    for offset in range(0, 800, 7):
        LogFactory(user=runner, date=date(2022, 1, 3) + timedelta(days=offset), type_id="run" if offset % 2 else "bike")
    LogFactory.create_batch(3, user=runner, date=date(2023, 5, 17), type_id="run")
    LogFactory(user=UserFactory(), date=date(2023, 5, 17), type_id="run")
    for day, kind in [(date(2023, 5, 17), "run"), (date(2022, 12, 31), "bike"), (date(2024, 2, 29), "swim")]:
        day_rows, stored_rows = summaries._read_one_day(runner.username, day, kind)
        general = Q(user_id=runner.username, date__in=[day], type_id__in=[kind])
        assert day_rows == list(summaries._day_sums(general))
        expected = LogSummary.objects.filter(summaries._stored_scope(runner.username, {day}, {kind}))
        assert sorted(stored_rows, key=lambda row: row["id"]) == \
            sorted(expected.values(*summaries.STORED_FIELDS), key=lambda row: row["id"])
    assert len(summaries._read_one_day(runner.username, date(2023, 5, 17), "run")[1]) > 3  # days, months, years


def test_removals_take_their_values_out_of_a_crowded_day_exactly(runner):
    """A delete or soft delete subtracts the log from its summaries (logs/summaries.py `_subtract`): every way a
    subtraction could go wrong is on this day, removed in a shuffled order, one at a time: a log that alone holds
    the day's largest first or last name, names tied by several logs, the newest time held once and tied, null miles, zero miles, and another type and another day of the month."""
    day = date(2024, 6, 12)
    now = timezone.now()
    spec = [("Zed", "Aa", 1, 5.0), ("Mid", "Zz", 2, None), ("Mid", "Mid", 3, 0.0), ("Mid", "Mid", 3, 2.5),
            ("Aa", "Zz", 4, None), ("Zed", "Mid", 4, 1.25), ("Aa", "Aa", 5, 0.0), ("Mid", "Aa", 0, 3.0)]
    logs = [Log.objects.create(user=runner, date=day, type_id="run", first=first, last=last, feel=k % 10 + 1,
                               miles=miles, time_created=now - timedelta(minutes=minutes))
            for k, (first, last, minutes, miles) in enumerate(spec)]
    Log.objects.create(user=runner, date=day, type_id="bike", first="Zz", last="Zz", feel=3, miles=9.0)
    Log.objects.create(user=runner, date=day + timedelta(days=1), type_id="run", first="B", last="B", feel=3,
                       miles=None, time_created=now + timedelta(hours=1))
    assert_summaries_exact()
    random.Random(17).shuffle(logs)
    for k, log in enumerate(logs):
        (log_soft_delete if k % 2 else log_delete)(log=log)
        assert_summaries_exact()
        if k == 3:  # a restore in the middle adds a log back
            restored = Log.all_objects.filter(deleted=True).first()
            if restored is not None:
                log_restore(log=restored)
                log_soft_delete(log=restored)
                assert_summaries_exact()
    assert not LogSummary.objects.filter(period="d", start=day, type_id="run").exists()


def test_removing_a_log_already_removed_changes_no_summary(runner):
    """The summaries count what the log is under its author's lock, not the caller's copy: a second soft delete
    or a delete of a soft-deleted log takes nothing out, and an edit made after the caller read the log is what
    is taken out."""
    first, second = (LogFactory(user=runner, date=date(2024, 1, 9), feel=feel) for feel in (4, 9))
    stale = Log.objects.get(pk=first.pk)
    log_update(log=first, date=date(2024, 1, 9), type="run", feel=1, distance=7, metric="miles")
    log_soft_delete(log=stale)
    assert_summaries_exact()
    log_soft_delete(log=Log.all_objects.get(pk=first.pk))
    log_delete(log=Log.all_objects.get(pk=first.pk))
    assert_summaries_exact()
    assert LogSummary.objects.get(period="d", user=runner, type_id="run").feel == second.feel


def test_removing_a_log_moved_to_another_author_since_it_was_read_keeps_both_exact(runner):
    """The admin gives a log to another runner while its author's client still holds the old copy; the soft delete
    that follows updates the log as it is now, and the summaries of both runners stay exact."""
    other = UserFactory(username="sumother")
    log = LogFactory(user=runner, date=date(2024, 2, 3))
    LogFactory(user=other, date=date(2024, 2, 3))
    stale = Log.objects.get(pk=log.pk)
    Log.objects.filter(pk=log.pk).update(user=other)
    log_soft_delete(log=stale)
    assert Log.all_objects.get(pk=log.pk).deleted
    assert_summaries_exact()
    assert LogSummary.objects.get(period="a", user=other, type_id="run").logs == 1


def test_a_removal_costs_the_same_queries_however_crowded_its_day(auth_client, user, django_assert_num_queries):
    """A soft delete of a log on a day that holds other logs of its type reads no log of that day but itself: one
    read of the log as it is answers whether another log holds the MAX values it ties."""
    counts = []
    for crowd in (2, 300):
        log_id = _create_through_the_api(auth_client, user)
        LogFactory.create_batch(crowd, user=user, date=date(2024, 3, 5))  # newer: the log is not the day's newest
        # caller, log, [comments, lock, the log as it is (and whether others hold the names it ties), log, stored
        # summaries, upsert of its four rows]
        with django_assert_num_queries(2 + 8) as soft_delete:
            assert auth_client.delete(reverse("logs:log-soft", kwargs={"log_id": log_id})).status_code == 204
        assert not [query for query in soft_delete.captured_queries if "SUM(" in query["sql"].upper()]
        counts.append(len(soft_delete.captured_queries))
        assert_summaries_exact()
    assert counts[0] == counts[1]
