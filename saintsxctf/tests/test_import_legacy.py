"""import_legacy: the original's test database into ours, reruns, interruptions, bad rows and a 100k-log run."""

import threading
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from comments.models import Comment
from groups.models import Group, GroupMember
from logs.models import Log
from notifications.models import Notification
from saintsxctf.operations.legacy.importer import LegacyImporter
from saintsxctf.operations.legacy.mapping import TABLES
from saintsxctf.tests.legacy_db import create_legacy_database
from teams.models import TeamGroup, TeamMember
from users.models import ActivationCode, Flair, ForgotPasswordCode, User

pytestmark = [pytest.mark.django_db, pytest.mark.mariadb]


@pytest.fixture(scope="session")
def legacy_to_drop():
    """Legacy databases to drop once every test is over. On MariaDB the set-based copy reads the legacy tables
    through the test's own connection, whose transaction holds their metadata locks until the test's rollback,
    after a function fixture's teardown: a DROP there would wait for ever."""
    databases = []
    yield databases
    for database in databases:
        database.drop()


@pytest.fixture
def legacy(legacy_to_drop):
    """The original's test database (schema + data), in a fresh legacy database."""
    database = create_legacy_database()
    database.load_test_data()
    legacy_to_drop.append(database)
    return database


def run_import(legacy, **kwargs):
    return LegacyImporter(legacy.url, **kwargs).run()


def snapshot() -> dict:
    """Every imported row of every mapped table, as plain values."""
    return {t.table: list(t.model._base_manager.order_by("pk").values()) for t in TABLES}


def test_import_copies_every_table_with_legacy_ids(legacy):
    legacy.execute("UPDATE logs SET deleted = 1, deleted_date = '2020-01-02 03:04:05', deleted_user = 'andy', "
                   "deleted_app = 'saints-xctf-api' WHERE log_id = 64")
    legacy.execute("UPDATE comments SET deleted = NULL, created_user = 'dotty', created_app = 'web' "
                   "WHERE comment_id = 2")

    report = run_import(legacy)

    assert report.counts_match, report.summary()
    assert report.rejections == []
    for table in ("users", "groups", "groupmembers", "teammembers", "teamgroups", "logs", "comments", "flair",
                  "codes", "forgotpassword", "notifications"):
        assert report.result(table).inserted == legacy.scalar(f"SELECT COUNT(*) FROM `{table}`"), table
    assert set(Log.all_objects.values_list("log_id", flat=True)) == set(range(1, 65))
    assert set(Group.all_objects.values_list("id", flat=True)) == set(range(1, 10))
    assert set(GroupMember.all_objects.values_list("id", flat=True)) == set(range(1, 10))
    assert set(Comment.all_objects.values_list("comment_id", flat=True)) == {1, 2}
    assert Notification.all_objects.get().notification_id == 1
    assert Flair.all_objects.get().flair_id == 1
    assert ActivationCode.all_objects.get().group_id == 1
    assert ForgotPasswordCode.all_objects.get().user_id == "andy"
    assert TeamMember.all_objects.count() == 6 and TeamGroup.all_objects.count() == 9

    andy = User.all_objects.get(username="andy")
    assert andy.password.startswith("$2a$10$")  # the raw legacy hash, kept as it is
    assert (andy.first, andy.last, andy.email, andy.class_year) == ("Andy", "Jarombek", "andrew@jarombek.com", 2017)
    admin_row = GroupMember.all_objects.get(id=1)
    assert (admin_row.group_id, admin_row.user_id, admin_row.status, admin_row.role) == (1, "andy", "accepted",
                                                                                         "admin")

    deleted_log = Log.all_objects.get(log_id=64)
    assert deleted_log.deleted is True
    assert (deleted_log.deleted_user, deleted_log.deleted_app) == ("andy", "saints-xctf-api")
    assert str(deleted_log.deleted_date) == "2020-01-02 03:04:05"
    assert not Log.objects.filter(log_id=64).exists()  # soft-deleted rows stay hidden
    comment = Comment.all_objects.get(comment_id=2)
    assert comment.deleted is False  # NULL means not deleted
    assert (comment.created_user, comment.created_app) == ("dotty", "web")

    timed = Log.all_objects.get(log_id=4)  # 12.79 miles in 1:36:06 at 7:30 per mile
    assert (timed.miles, str(timed.time), str(timed.pace)) == (12.79, "1:36:06", "0:07:30")


def test_missing_miles_and_pace_are_derived_and_recorded_ones_kept(legacy):
    legacy.execute("UPDATE logs SET miles = NULL, pace = NULL, distance = 5, metric = 'kilometers', "
                   "time = '00:25:00' WHERE log_id = 3")
    legacy.execute("UPDATE logs SET miles = 9.99 WHERE log_id = 4")

    run_import(legacy)

    derived = Log.all_objects.get(log_id=3)
    assert derived.miles == pytest.approx(5 * 0.621317)  # the original's kilometre factor
    assert str(derived.pace) == "0:08:02"
    assert Log.all_objects.get(log_id=4).miles == 9.99


def test_legacy_password_works_through_auth_token_and_a_rerun_keeps_the_upgrade(legacy, api_client):
    run_import(legacy)

    response = api_client.post(reverse("auth:token"), {"clientId": "andy", "clientSecret": "apitest"},
                               format="json")

    assert response.status_code == 200
    assert isinstance(response.json()["result"], str)
    wrong = api_client.post(reverse("auth:token"), {"clientId": "andy", "clientSecret": "nope"}, format="json")
    assert wrong.json() == {"result": ""}
    upgraded = User.all_objects.get(username="andy").password
    assert not upgraded.startswith("$2a$")

    run_import(legacy)

    assert User.all_objects.get(username="andy").password == upgraded


def test_second_import_adds_and_changes_nothing(legacy):
    run_import(legacy)
    before = snapshot()

    report = run_import(legacy)

    assert report.inserted == 0
    assert report.counts_match
    assert snapshot() == before


@pytest.mark.parametrize("set_based", [False, None], ids=["streamed", "set-based-when-shared"])
def test_interrupted_import_resumes_where_it_stopped(legacy, monkeypatch, set_based):
    class Interrupted(Exception):
        pass

    # The step that writes logs: a batch of streamed rows, or (on a shared MariaDB server) one INSERT ... SELECT
    # of a key range.
    shared = set_based is None and connection.vendor == "mysql"
    step = "copy_chunk" if shared else "write_batch"
    original = getattr(LegacyImporter, step)
    calls = {"logs": 0}

    def interrupting(*args):
        table_map = args[0].table_map if shared else args[1]  # copy_chunk(plan, ...), write_batch(self, map, ...)
        if table_map.table == "logs":
            calls["logs"] += 1
            if calls["logs"] == 3:
                raise Interrupted
        return original(*args)

    monkeypatch.setattr(LegacyImporter, step, staticmethod(interrupting) if shared else interrupting)
    with pytest.raises(Interrupted):
        run_import(legacy, batch_size=10, chunk_size=10, set_based=set_based)
    assert Log.all_objects.count() == 20  # two finished batches survive
    assert not Comment.all_objects.exists()

    monkeypatch.undo()
    report = run_import(legacy, batch_size=10, chunk_size=10, set_based=set_based)

    assert report.counts_match, report.summary()
    assert report.result("logs").inserted == 44
    assert report.result("logs").present == 20
    assert report.result("users").inserted == 0
    assert set(Log.all_objects.values_list("log_id", flat=True)) == set(range(1, 65))


def test_next_created_rows_get_fresh_ids(legacy, user):
    run_import(legacy)

    log = Log.objects.create(user=user, first="A", last="J", date="2024-01-01", type_id="run", feel=5)
    group = Group.objects.create(group_name="fresh")
    member = GroupMember.objects.create(group=group, user=user)

    # Above every legacy id (MariaDB counters never go back after a rollback, so not necessarily max + 1).
    assert log.log_id > 64
    assert group.id > 9
    assert member.id > 9


def test_rows_that_break_our_rules_are_reported_by_id_and_the_rest_imported(legacy):
    legacy.execute("SET foreign_key_checks = 0")
    legacy.execute("INSERT INTO logs (log_id, username, first, last, date, type, feel, time_created) VALUES "
                   "(100, 'ghost', 'G', 'H', '2020-01-01', 'run', 5, NOW()), "
                   "(101, 'andy', 'A', 'J', '2020-01-01', 'zumba-dance-party', 5, NOW()), "
                   "(102, 'andy', 'A', 'J', '2020-01-01', 'run', -3, NOW())")
    legacy.execute("INSERT INTO comments (comment_id, username, first, last, log_id, time) VALUES "
                   "(50, 'andy', 'A', 'J', 100, NOW())")
    legacy.execute("INSERT INTO groupmembers (id, group_id, username, status, user) VALUES "
                   "(60, 1, 'dotty', 'maybe', 'user')")
    out = StringIO()

    report = LegacyImporter(legacy.url, out=out).run()

    rejected = {(r.table, r.key) for r in report.rejections}
    assert rejected == {("logs", 100), ("logs", 101), ("logs", 102), ("comments", 50), ("groupmembers", 60)}
    reasons = {r.key: r.reason for r in report.rejections}
    assert "'ghost'" in reasons[100] and "user" in reasons[100]
    assert "'zumba-dance-party'" in reasons[101]
    assert "negative" in reasons[102]
    assert "'maybe'" in reasons[60]
    assert not report.counts_match
    assert report.result("logs").imported == 64 and report.result("logs").rejected == 3
    assert "rejected logs 100" in out.getvalue()
    assert "MISMATCH" in report.summary()
    assert Log.all_objects.count() == 64


def test_command_prints_progress_and_the_count_table(legacy):
    out = StringIO()

    call_command("import_legacy", legacy.url, stdout=out)

    text = out.getvalue()
    assert "logs: 64/64 imported" in text
    assert "Counts match." in text and "Import complete." in text


def test_command_exits_non_zero_when_counts_differ(legacy):
    legacy.execute("SET foreign_key_checks = 0")
    legacy.execute("INSERT INTO flair (flair_id, username, flair) VALUES (9, 'ghost', 'Boo')")
    out = StringIO()

    with pytest.raises(CommandError, match="Row counts differ"):
        call_command("import_legacy", legacy.url, stdout=out)

    assert "flair 9" in out.getvalue()


def test_command_refuses_a_url_that_is_not_mysql():
    with pytest.raises(CommandError, match="not a mysql://"):
        call_command("import_legacy", "postgres://x/y", stdout=StringIO())


@pytest.mark.slow
def test_import_of_a_generated_100k_log_database_reports_rows_per_second(legacy, capsys):
    legacy.add_logs(100_000)
    total = legacy.scalar("SELECT COUNT(*) FROM logs")

    started = time.monotonic()
    report = run_import(legacy)
    seconds = time.monotonic() - started

    assert report.counts_match, report.summary()
    assert Log.all_objects.count() == total
    assert Log.all_objects.filter(deleted=True).count() == legacy.scalar("SELECT COUNT(*) FROM logs WHERE deleted")
    with capsys.disabled():
        print(f"\nimport_legacy: {total} logs in {seconds:.1f}s = {total / seconds:,.0f} rows/s "
              f"(logs table alone {report.result('logs').seconds:.1f}s)")


@pytest.mark.django_db
def test_reset_sequence_raises_a_lagging_sqlite_counter(user):
    from django.db import connection

    from saintsxctf.operations.legacy.importer import reset_sequence

    if connection.vendor != "sqlite":
        pytest.skip("sqlite_sequence is SQLite's; MariaDB's counter is covered by test_next_created_rows_get_fresh_ids")
    with connection.cursor() as cur:
        cur.execute("DELETE FROM sqlite_sequence WHERE name = %s", [Log._meta.db_table])

    reset_sequence(Log, 500)

    assert Log.objects.create(user=user, first="A", last="J", date="2024-01-01", type_id="run", feel=5).log_id == 501


def test_import_leaves_exact_log_summaries(legacy):
    from logs.tests.test_summaries import assert_summaries_exact

    legacy.execute("UPDATE logs SET deleted = 1 WHERE log_id = 64")
    run_import(legacy)
    assert_summaries_exact()


@pytest.mark.django_db(transaction=True)
def test_the_summaries_are_rebuilt_alongside_the_tables_after_the_logs(legacy, monkeypatch):
    """On MariaDB, outside a caller's transaction, the summary rebuild runs on a connection of its own once the logs
    are in, while comments and notifications are copied: the same exact summaries; what fails there fails the run."""
    from logs.tests.test_summaries import assert_summaries_exact
    from saintsxctf.operations.legacy import importer

    if connection.vendor != "mysql":
        pytest.skip("SQLite has one writer: the rebuild runs after the tables (test_import_leaves_exact_log_summaries)")
    legacy.add_logs(3000)
    seen = []
    rebuild = importer.rebuild_summaries

    def spy():
        seen.append(threading.current_thread().name)
        return rebuild()

    monkeypatch.setattr(importer, "rebuild_summaries", spy)
    report = run_import(legacy)
    assert report.counts_match, report.summary()
    assert seen == ["import-alongside"]
    assert report.summary_rows > 0
    assert_summaries_exact()

    def broken():
        raise RuntimeError("the rebuild's connection went away")

    monkeypatch.setattr(importer, "rebuild_summaries", broken)
    with pytest.raises(RuntimeError, match="went away"):
        run_import(legacy)


def test_member_lists_read_before_the_import_are_fresh_after_it(legacy):
    """Member lists are cached (groups/views.py rendered_members()). The importer writes people with bulk
    inserts, which announce themselves (saintsxctf/foundation/bulk.py, saintsxctf/foundation/aggregates.py)."""
    client = APIClient()
    client.force_authenticate(User(username="reader"))
    url = reverse("groups:group-members", kwargs={"group_id": 1})
    assert client.get(url).status_code == 400  # no group 1 yet; the empty list is cached
    run_import(legacy)
    response = client.get(url)
    assert response.status_code == 200
    assert len(response.json()["group_members"]) == GroupMember.objects.filter(group_id=1, user__deleted=False).count()


def wipe_imported():
    """Empty every table the importer writes (and the summaries), past the model layer."""
    from django.db import connection as ours

    from logs.models import LogSummary

    with ours.cursor() as cur:
        for model in [LogSummary, *(t.model for t in reversed(TABLES))]:
            cur.execute(f"DELETE FROM {ours.ops.quote_name(model._meta.db_table)}")


def comparable(rows: dict) -> dict:
    """A snapshot without the ids our database numbers itself (the legacy tables have none to keep)."""
    numbered = {t.table for t in TABLES if t.model._meta.pk.attname not in t.natural_key}
    return {table: [{k: v for k, v in row.items() if not (table in numbered and k == "id")} for row in values]
            for table, values in rows.items()}


def test_the_set_based_copy_leaves_what_the_streamed_path_leaves(legacy):
    """On a shared MariaDB server: the same rows, values, rejections and summaries as row by row, with rows to
    fix, rows to reject (one the checks let through and the database refuses) and values that change in SQL."""
    if connection.vendor != "mysql":
        pytest.skip("the set-based copy runs on a shared MariaDB server")
    legacy.execute("SET foreign_key_checks = 0")
    cur = legacy.conn.cursor()
    cur.execute("SELECT table_name, constraint_name FROM information_schema.referential_constraints "
                "WHERE constraint_schema = DATABASE() AND referenced_table_name = 'users'")
    for table, constraint in cur.fetchall():
        legacy.execute(f"ALTER TABLE `{table}` DROP FOREIGN KEY `{constraint}`")
    legacy.execute("ALTER TABLE users MODIFY username VARCHAR(20) COLLATE utf8mb4_bin NOT NULL")
    legacy.execute("INSERT INTO users (username, first, last, password, member_since, activation_code, last_signin) "
                   "SELECT 'ANDY', first, last, password, member_since, activation_code, last_signin FROM users "
                   "WHERE username = 'andy'")  # a duplicate to our case-insensitive usernames
    legacy.execute("UPDATE logs SET miles = NULL, pace = NULL, distance = 5, metric = 'kilometers', "
                   "time = '00:25:00' WHERE log_id = 7")
    legacy.execute("UPDATE logs SET miles = 12.79, distance = 0.000621371, deleted = NULL WHERE log_id = 6")
    legacy.execute("UPDATE logs SET username = 'dotty' WHERE log_id BETWEEN 6 AND 10")
    legacy.execute("INSERT INTO logs (log_id, username, first, last, date, type, feel, miles, pace, metric, "
                   "time_created) VALUES "
                   "(100, 'ghost', 'G', 'H', '2020-01-01', 'run', 5, 1, '00:07:00', NULL, NOW()), "
                   "(101, 'dotty', 'D', 'F', '2020-01-01', 'run', 70000, 1, '00:07:00', NULL, NOW()), "
                   "(102, 'dotty', 'D', 'F', '0000-00-00', 'run', 5, 1, '00:07:00', NULL, NOW()), "
                   "(103, 'dotty', 'D', 'F', '2020-01-01', 'run', 5, 1, '00:07:00', 'Miles', NOW()), "
                   "(104, 'dotty', 'D', 'F', '2020-01-01', 'run', 5, NULL, NULL, 'meters', NOW())")
    legacy.execute("INSERT INTO notifications (notification_id, username, time, viewed) VALUES "
                   "(7, 'dotty', NOW(), 'y'), (8, 'dotty', NOW(), 'Y')")

    streamed = LegacyImporter(legacy.url, set_based=False).run()
    expected, expected_summaries = snapshot(), summary_rows()
    wipe_imported()
    out = StringIO()
    copied = LegacyImporter(legacy.url, set_based=True, chunk_size=7, out=out, verbosity=2).run()

    assert "Copying in SQL" in out.getvalue()
    assert "copy of a key range refused" in out.getvalue()  # the users' range with ANDY: row by row
    assert comparable(snapshot()) == comparable(expected)
    assert summary_rows() == expected_summaries
    reasons = {(r.table, r.key, r.reason.split(":")[0]) for r in streamed.rejections}
    assert {(r.table, r.key, r.reason.split(":")[0]) for r in copied.rejections} == reasons
    assert {key for table, key, _ in reasons if table == "logs"} >= {100, 101, 102, 103}
    assert ("notifications", 7) in {(table, key) for table, key, _ in reasons}
    assert [(t.table, t.legacy, t.imported, t.rejected) for t in copied.tables] == \
        [(t.table, t.legacy, t.imported, t.rejected) for t in streamed.tables]
    assert Log.all_objects.get(log_id=6).miles == 12.79  # not the FLOAT widened in SQL (12.789999961853027)
    assert Log.all_objects.get(log_id=7).miles == pytest.approx(5 * 0.621317)  # fixed row by row


def summary_rows() -> list[tuple]:
    from logs.models import LogSummary

    return sorted(LogSummary.objects.values_list("period", "user_id", "start", "type_id", "logs", "miles", "feel",
                                                 "first", "last", "newest"))
