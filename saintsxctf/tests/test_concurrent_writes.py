"""Two clients writing the same rows at once, through the real HTTP stack (MariaDB; skipped on SQLite).

Each request runs in its own thread with its own database connection, released together (`race`). Every
race is repeated a few rounds: an interleaving that breaks the rows shows up in one of them.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import client_for
from groups.models import GroupMember
from groups.tests.factories import GroupFactory, GroupMemberFactory
from logs.models import ExerciseType, Log
from logs.tests.factories import LogFactory
from notifications.models import Notification
from notifications.tests.factories import NotificationFactory
from saintsxctf.tests.concurrency import needs_server_db, race
from teams.models import TeamMember
from teams.tests.factories import TeamFactory, TeamGroupFactory, TeamMemberFactory
from users.models import ActivationCode, User
from users.tests.factories import ActivationCodeFactory, UserFactory

pytestmark = [needs_server_db, pytest.mark.django_db(transaction=True)]
ROUNDS = 5


@pytest.fixture
def alumni(transactional_db):
    """The team saintsxctf with two groups, and a runner in the team (not in any group)."""
    team = TeamFactory(name="saintsxctf")
    group = GroupFactory(group_name="alumni")
    TeamGroupFactory(team=team, group=group)
    other = GroupFactory(group_name="mensxc")
    TeamGroupFactory(team=team, group=other)
    runner = UserFactory(username="racer")
    TeamMemberFactory(team=team, user=runner, status="accepted")
    return {"team": team, "group": group, "other": other, "runner": runner}


def put_memberships(user, **body):
    client = client_for(user)  # the token is issued here, before the race
    url = reverse("users:user-memberships", kwargs={"username": user.username})
    return lambda: client.put(url, body, format="json")


def member_url(group_id, username):
    return reverse("groups:group-membership",
                   kwargs={"team_name_or_group_id": group_id, "group_name_or_username": username})


def live_group_memberships(username, group):
    return GroupMember.objects.filter(user_id=username, group=group).count()


# -- memberships ---------------------------------------------------------------------------------------
def test_joining_the_same_group_twice_at_once_adds_one_membership(alumni):
    runner, group = alumni["runner"], alumni["group"]
    joined = {"groups_joined": [{"team_name": "saintsxctf", "group_name": "alumni"}]}
    for _ in range(ROUNDS):
        answers = race(*[put_memberships(runner, **joined) for _ in range(3)])
        assert all(answer.status_code < 300 for answer in answers)
        assert live_group_memberships("racer", group) == 1
        assert GroupMember.objects.get(user=runner, group=group).status == "pending"
        GroupMember.objects.filter(user=runner).soft_delete()  # leave, and race again


def test_joining_the_same_team_twice_at_once_adds_one_membership(alumni):
    runner = UserFactory(username="newcomer")
    for _ in range(ROUNDS):
        answers = race(*[put_memberships(runner, teams_joined=["saintsxctf"]) for _ in range(3)])
        assert all(answer.status_code < 300 for answer in answers)
        assert TeamMember.objects.filter(user=runner, team=alumni["team"]).count() == 1
        TeamMember.objects.filter(user=runner).soft_delete()


def test_joining_two_groups_at_once_keeps_both(alumni):
    """Two requests joining different groups: neither is lost."""
    runner = alumni["runner"]
    for _ in range(ROUNDS):
        race(put_memberships(runner, groups_joined=[{"team_name": "saintsxctf", "group_name": "alumni"}]),
             put_memberships(runner, groups_joined=[{"team_name": "saintsxctf", "group_name": "mensxc"}]))
        assert sorted(GroupMember.objects.filter(user=runner).values_list("group__group_name", flat=True)) == [
            "alumni", "mensxc"]
        GroupMember.objects.filter(user=runner).soft_delete()


def test_an_admin_accepting_while_the_runner_leaves(alumni):
    """Either the acceptance came first (and the leave removed it) or the leave did (and the acceptance is
    refused): never an acceptance answered 200 and written onto a membership that was already gone."""
    runner, group = alumni["runner"], alumni["group"]
    coach = UserFactory(username="coach")
    GroupMemberFactory(group=group, user=coach, status="accepted", role="admin")
    admin, leaver = client_for(coach), client_for(runner)
    url = member_url(group.id, "racer")
    outcomes = set()
    for _ in range(ROUNDS * 2):
        TeamMember.objects.filter(user=runner).update(status="pending")
        membership = GroupMemberFactory(group=group, user=runner, status="pending")
        accepted, left = race(lambda: admin.put(url, {"status": "accepted", "user": "user"}, format="json"),
                              lambda: leaver.delete(url))
        assert left.status_code == 204
        assert live_group_memberships("racer", group) == 0
        row = GroupMember.all_objects.get(pk=membership.pk)
        if accepted.status_code == 200:
            outcomes.add("accept first")
            assert row.status == "accepted" and row.modified_date <= row.deleted_date
        else:
            outcomes.add("leave first")
            assert accepted.status_code == 400
            assert accepted.json()["error"] == "The group membership failed to update."
            assert row.status == "pending"
        # The runner left the team's last group they were in: they left the team too, whoever came first.
        assert not TeamMember.objects.filter(user=runner).exists()
        TeamMemberFactory(team=alumni["team"], user=runner, status="pending")
    # Which orders happened is up to the scheduler; each one that did was checked above.


def test_two_admins_changing_one_membership_leave_one_of_the_two(alumni):
    runner, group = alumni["runner"], alumni["group"]
    admins = [UserFactory(username=name) for name in ("coach", "assistant")]
    for admin in admins:
        GroupMemberFactory(group=group, user=admin, status="accepted", role="admin")
    membership = GroupMemberFactory(group=group, user=runner, status="pending")
    first, second = (client_for(admin) for admin in admins)
    url = member_url(group.id, "racer")
    for _ in range(ROUNDS):
        answers = race(lambda: first.put(url, {"status": "accepted", "user": "admin"}, format="json"),
                       lambda: second.put(url, {"status": "pending", "user": "user"}, format="json"))
        assert [answer.status_code for answer in answers] == [200, 200]
        row = GroupMember.objects.get(pk=membership.pk)
        assert (row.status, row.role) in {("accepted", "admin"), ("pending", "user")}
        assert live_group_memberships("racer", group) == 1


# -- signup --------------------------------------------------------------------------------------------
def signup(username, code):
    from rest_framework.test import APIClient

    body = {"username": username, "first": "New", "last": "Runner", "email": f"{username}@example.com",
            "password": "run-fast-77", "activation_code": code, "class_year": 2021}
    return lambda: APIClient().post(reverse("users:user-list"), body, format="json")


def test_two_signups_with_one_activation_code(alumni):
    """One signup succeeds; the other is refused and creates nothing (no user, no membership)."""
    for round_ in range(ROUNDS):
        code = f"RACE{round_:02d}"
        ActivationCodeFactory(activation_code=code, group=alumni["group"])
        answers = race(signup(f"first{round_}", code), signup(f"second{round_}", code))
        assert sorted(answer.status_code for answer in answers) == [201, 400]
        refused = next(answer for answer in answers if answer.status_code == 400)
        assert refused.json()["error"] == "The activation code is invalid or expired."
        created = User.objects.filter(username__in=[f"first{round_}", f"second{round_}"])
        assert created.count() == 1
        winner = created.get()
        assert GroupMember.objects.filter(user=winner).count() == 1
        assert TeamMember.objects.filter(user=winner).count() == 1
        assert not ActivationCode.all_objects.filter(activation_code=code).exists()


def test_two_signups_of_one_username_with_two_codes(alumni):
    """The loser is refused like a taken username: nothing written, its code still usable."""
    for round_ in range(ROUNDS):
        codes = [f"ONE{round_:03d}", f"TWO{round_:03d}"]
        for code in codes:
            ActivationCodeFactory(activation_code=code, group=alumni["group"])
        answers = race(*[signup(f"twin{round_}", code) for code in codes])
        assert sorted(answer.status_code for answer in answers) == [201, 400]
        refused = next(answer for answer in answers if answer.status_code == 400)
        assert refused.json()["error"] == "An unexpected error occurred creating the user."
        assert GroupMember.objects.filter(user_id=f"twin{round_}").count() == 1
        assert TeamMember.objects.filter(user_id=f"twin{round_}").count() == 1
        assert ActivationCode.objects.filter(activation_code__in=codes).count() == 1


# -- one log, one notification ---------------------------------------------------------------------------
@pytest.fixture
def types(transactional_db):
    for name in ("run", "bike"):
        ExerciseType.objects.get_or_create(type=name)


LOG_BODIES = [
    {"name": "Track", "location": "Canton, NY", "date": "2024-05-01", "type": "run", "distance": 5,
     "metric": "miles", "time": "0:35:00", "feel": 7, "description": "Intervals."},
    {"name": "River Loop", "location": "Boston, MA", "date": "2024-05-02", "type": "bike", "distance": 20,
     "metric": "kilometers", "time": "0:50:00", "feel": 4, "description": "Easy spin."},
]
LOG_COLUMNS = ("name", "location", "date", "type_id", "distance", "metric", "time", "feel", "description", "miles",
               "pace")


def test_two_edits_of_one_log_leave_one_of_the_two(types):
    runner = UserFactory(username="racer")
    log = LogFactory(user=runner)
    clients = [client_for(runner), client_for(runner)]
    url = reverse("logs:log-detail", kwargs={"log_id": log.log_id})
    expected = []
    for body in LOG_BODIES:  # each body alone, to know the whole row it leaves
        clients[0].put(url, body, format="json")
        expected.append(Log.objects.values_list(*LOG_COLUMNS).get(pk=log.pk))
    for _ in range(ROUNDS):
        Log.objects.filter(pk=log.pk).update(name="Before", description="Before")
        answers = race(*[lambda c=c, b=b: c.put(url, b, format="json") for c, b in zip(clients, LOG_BODIES, strict=True)])
        assert [answer.status_code for answer in answers] == [200, 200]
        assert Log.objects.values_list(*LOG_COLUMNS).get(pk=log.pk) in expected  # never a mix of the two


def test_an_edit_while_the_log_is_soft_deleted_does_not_undelete_it(types):
    runner = UserFactory(username="racer")
    editor, deleter = client_for(runner), client_for(runner)
    for _ in range(ROUNDS):
        log = LogFactory(user=runner)
        edit = reverse("logs:log-detail", kwargs={"log_id": log.log_id})
        soft = reverse("logs:log-soft", kwargs={"log_id": log.log_id})
        edited, deleted = race(lambda edit=edit: editor.put(edit, LOG_BODIES[0], format="json"),
                               lambda soft=soft: deleter.delete(soft))
        assert deleted.status_code == 204 and edited.status_code in (200, 400)
        assert Log.all_objects.get(pk=log.pk).deleted
        assert not Log.objects.filter(pk=log.pk).exists()


def test_marking_one_notification_viewed_twice_at_once(transactional_db):
    runner = UserFactory(username="racer")
    clients = [client_for(runner), client_for(runner)]
    for _ in range(ROUNDS):
        note = NotificationFactory(user=runner, time=timezone.now() - timedelta(minutes=1))
        url = reverse("notifications:notification-detail", kwargs={"notification_id": note.pk})
        answers = race(*[lambda c=c, url=url: c.put(url, {"viewed": "Y"}, format="json") for c in clients])
        assert [answer.status_code for answer in answers] == [200, 200]
        row = Notification.objects.get(pk=note.pk)
        assert (row.viewed, row.description, row.user_id) == ("Y", note.description, "racer")


def test_marking_viewed_while_soft_deleting_one_notification(transactional_db):
    runner = UserFactory(username="racer")
    viewer, deleter = client_for(runner), client_for(runner)
    for _ in range(ROUNDS):
        note = NotificationFactory(user=runner, time=timezone.now() - timedelta(minutes=1))
        url = reverse("notifications:notification-detail", kwargs={"notification_id": note.pk})
        soft = reverse("notifications:notification-soft", kwargs={"notification_id": note.pk})
        viewed, deleted = race(lambda url=url: viewer.put(url, {"viewed": "Y"}, format="json"),
                               lambda soft=soft: deleter.delete(soft))
        assert deleted.status_code == 204 and viewed.status_code in (200, 400)
        assert Notification.all_objects.get(pk=note.pk).deleted


# -- summaries -----------------------------------------------------------------------------------------
def test_first_logs_of_a_day_created_at_once_keep_the_summaries_exact(alumni):
    """Concurrent first logs of one author on one day: no duplicate summary row (a 500), and exact sums."""
    from logs.models import ExerciseType, LogSummary
    from logs.rebuild import rebuild_summaries

    ExerciseType.objects.get_or_create(type="run")  # an earlier transactional test's flush removed it
    client = client_for(alumni["runner"])
    for n in range(ROUNDS):
        body = {"username": "racer", "first": "Andy", "last": "Jarombek", "name": "Run", "location": "Riverside, CT",
                "date": (timezone.now().date() - timedelta(days=10 + n)).isoformat(), "type": "run",
                "distance": 5, "metric": "miles", "time": "0:40:00", "feel": 6, "description": ""}
        answers = race(*[lambda body=body: client.post(reverse("logs:log-list"), body, format="json")
                         for _ in range(3)])
        assert all(answer.status_code < 300 for answer in answers), [a.content for a in answers]
    rows = ("period", "start", "type_id", "logs", "miles")
    live = sorted(LogSummary.objects.filter(user_id="racer").values_list(*rows))
    rebuild_summaries(usernames=["racer"])
    assert sorted(LogSummary.objects.filter(user_id="racer").values_list(*rows)) == live
    assert LogSummary.objects.get(user_id="racer", period=LogSummary.ALL).logs == 3 * ROUNDS


def innodb_deadlocks() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'")
        return int(cursor.fetchone()[1])


def test_one_runners_soft_deletes_at_once_queue_instead_of_deadlocking(alumni):
    """Updating `deleted` rewrites the (user, deleted, date) index entry, whose foreign key check share-locks
    the author's row; two writers holding that share lock would deadlock on the summaries' lock (and be
    retried). The author's lock comes first (logs/models.py), so they queue."""
    client = client_for(alumni["runner"])
    logs = LogFactory.create_batch(3 * ROUNDS, user=alumni["runner"])
    before = innodb_deadlocks()
    for n in range(ROUNDS):
        answers = race(*[lambda log=log: client.delete(reverse("logs:log-soft", kwargs={"log_id": log.log_id}))
                         for log in logs[3 * n:3 * n + 3]])
        assert [answer.status_code for answer in answers] == [204] * 3
    assert innodb_deadlocks() == before
    assert not Log.objects.filter(user=alumni["runner"]).exists()
