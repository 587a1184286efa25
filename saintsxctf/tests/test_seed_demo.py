"""seed_demo: realistic, deterministic, rerunnable and resumable demo data."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q, Sum
from django.urls import reverse
from rest_framework.test import APIClient

from comments.models import Comment
from groups.models import Group, GroupMember
from logs.models import ExerciseType, Log
from notifications.models import Notification
from saintsxctf.operations import demo
from saintsxctf.operations.demo import remove_demo_data, seed_demo
from teams.models import Team
from users.models import Flair, User

pytestmark = pytest.mark.django_db
TODAY = date(2024, 6, 1)
IGNORED = {"id", "password", "log_id", "comment_id", "notification_id", "created_date", "modified_date"}


def content() -> dict:
    """The data set without its surrogate ids and wall-clock audit dates (those differ between runs)."""
    def rows(qs, order):
        return [{k: v for k, v in row.items() if k not in IGNORED} for row in qs.order_by(*order).values()]
    return {
        "users": rows(User.all_objects.exclude(username="admin"), ["username"]),
        "members": [(m.group.group_name, m.user_id, m.status, m.role)
                    for m in GroupMember.objects.select_related("group").order_by("group__group_name", "user_id")],
        "logs": rows(Log.all_objects, ["user_id", "date", "time_created", "name", "feel", "miles"]),
        "comments": rows(Comment.all_objects, ["user_id", "time", "content"]),
        "notifications": rows(Notification.all_objects, ["user_id", "time", "description"]),
    }


def test_small_data_set_is_realistic():
    report = seed_demo(users=30, groups=6, logs=3000, today=TODAY, batch_size=1000)

    assert report.created
    assert Log.objects.count() == 3000
    assert set(Log.objects.values_list("type_id", flat=True)) == set(ExerciseType.objects.values_list("type", flat=True))
    assert Team.objects.get().description == demo.COMPLETE_MARKER
    assert Group.objects.count() == 6
    coach = User.objects.get(username="coach")
    assert coach.is_staff and not coach.is_superuser
    assert GroupMember.objects.filter(user=coach, role="admin", status="accepted").count() == 6
    assert GroupMember.objects.filter(user_id="assistant", role="admin").count() == 1
    assert GroupMember.objects.filter(status="pending").exists()
    assert GroupMember.objects.filter(role="admin", user__is_staff=False).exists()  # runners who help run groups
    assert Comment.objects.count() == 300 and Notification.objects.exists() and Flair.objects.exists()
    span = Log.objects.order_by("date").values_list("date", flat=True)
    assert (span.last() - span.first()).days > 700  # years of history
    assert User.objects.get(username="admin").is_superuser
    assert "coach" in report.summary() and "saintsxctf" in report.summary()


def test_big_group_holds_about_a_quarter_of_the_logs():
    seed_demo(users=40, groups=5, logs=4000, today=TODAY, batch_size=1000)

    big = Group.objects.get(group_name="alumni")
    members = GroupMember.objects.filter(group=big, user__is_staff=False).values_list("user_id", flat=True)
    assert len(members) == 26  # 130 wanted, capped at two thirds of the 40 runners
    share = Log.objects.filter(user_id__in=list(members)).count() / Log.objects.count()
    assert 0.2 < share < 0.3
    largest = Group.objects.annotate(n=Count("members")).order_by("-n").first()
    assert largest == big


def test_benchmark_scale_plans_have_a_130_member_group():
    large = demo.Plan(users=500, groups=20, logs=1_000_000, days=1000, seed=1, today=TODAY, batch_size=5000)
    assert large.big_group_size == 130
    assert large.batches == 200


def test_same_seed_same_data():
    seed_demo(users=10, groups=3, logs=500, today=TODAY, batch_size=200)
    first = content()
    remove_demo_data()

    seed_demo(users=10, groups=3, logs=500, today=TODAY, batch_size=200)

    assert content() == first


def test_rerun_changes_nothing():
    seed_demo(users=10, groups=3, logs=500, today=TODAY)
    before = content()

    report = seed_demo(users=10, groups=3, logs=500, today=TODAY)

    assert not report.created
    assert content() == before


def test_interrupted_run_is_finished_by_a_rerun_with_the_same_data(monkeypatch):
    seed_demo(users=10, groups=3, logs=1000, today=TODAY, batch_size=200)
    expected = content()
    remove_demo_data()

    class Interrupted(Exception):
        pass

    original = demo._write_log_batch

    def write(plan, k, *args):
        if k == 3:
            raise Interrupted
        return original(plan, k, *args)

    monkeypatch.setattr(demo, "_write_log_batch", write)
    with pytest.raises(Interrupted):
        seed_demo(users=10, groups=3, logs=1000, today=TODAY, batch_size=200)
    assert Log.objects.count() == 600
    assert Team.objects.get().description == demo.IN_PROGRESS

    monkeypatch.setattr(demo, "_write_log_batch", original)
    out = StringIO()
    report = seed_demo(users=10, groups=3, logs=1000, today=TODAY, batch_size=200, out=out)

    assert report.created
    assert "interrupted" in out.getvalue()
    assert content() == expected


def test_command_prints_progress_and_credentials():
    out = StringIO()

    call_command("seed_demo", "--users", "8", "--groups", "3", "--logs", "400", "--seed", "5", stdout=out)

    text = out.getvalue()
    assert "logs: 400/400" in text
    assert "coach" in text and "password for every demo account" in text
    assert Log.objects.count() == 400

    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert "already present; nothing changed" in again.getvalue()


def test_default_command_is_small():
    call_command("seed_demo", stdout=StringIO())

    assert User.objects.filter(is_staff=False).count() == 12
    assert Log.objects.count() == 480
    assert not Log.objects.filter(~Q(user__team_memberships__team_id=demo.TEAM)).exists()


def test_with_teams_the_demo_team_holds_half_the_runners_and_their_all_feed_lists_only_them():
    """The legacy data's shape (bench scales): one big team, several small clubs."""
    from logs.models import LogSummary
    from teams.models import TeamMember

    seed_demo(users=20, groups=3, logs=600, today=TODAY, teams=4)

    sizes = dict(TeamMember.objects.filter(user__is_staff=False).values_list("team").annotate(n=Count("id")))
    assert sizes == {demo.TEAM: 10, f"{demo.TEAM}-1": 4, f"{demo.TEAM}-2": 3, f"{demo.TEAM}-3": 3}
    on_team = set(TeamMember.objects.filter(team_id=demo.TEAM).values_list("user_id", flat=True))
    assert {demo.COACH, demo.ASSISTANT} <= on_team
    # Every runner's logs are summarized (the rebuild covers the clubs), exactly: all-time counts match.
    totals = dict(LogSummary.objects.filter(period=LogSummary.ALL).values_list("user").annotate(n=Sum("logs")))
    counted = dict(Log.objects.values_list("user").annotate(n=Count("log_id")))
    assert totals == counted and len(counted) > 15

    client = APIClient()
    runner = User.objects.get(username=sorted(on_team - {demo.COACH, demo.ASSISTANT})[0])
    client.force_authenticate(runner)
    body = client.get(reverse("log_feed:log-feed", kwargs={"filter_by": "all", "bucket": "all", "limit": 50,
                                                          "offset": 0})).json()
    assert body["logs"] and {log["username"] for log in body["logs"]} <= on_team
    assert body["pages"] == -(-Log.objects.filter(user_id__in=on_team).count() // 50)

    remove_demo_data()
    assert not Team.all_objects.exists() and not User.all_objects.filter(username__in=counted).exists()


@pytest.mark.parametrize("args", [["--users", "0"], ["--groups", "21"], ["--logs", "-1"], ["--teams", "0"]])
def test_command_refuses_bad_scales(args):
    with pytest.raises(CommandError):
        call_command("seed_demo", *args, stdout=StringIO())


def test_member_lists_read_before_seeding_are_fresh_after_it():
    """Member lists are cached (groups/views.py rendered_members()). The seeder writes memberships with bulk
    creates, which announce themselves like any queryset write (saintsxctf/foundation/aggregates.py)."""
    client = APIClient()
    client.force_authenticate(User(username="reader"))
    url = reverse("groups:group-membership",
                  kwargs={"team_name_or_group_id": "saintsxctf", "group_name_or_username": "alumni"})
    assert client.get(url).status_code == 400  # no such group yet; the empty list is cached
    seed_demo(users=10, groups=3, logs=200, today=TODAY)
    response = client.get(url)
    assert response.status_code == 200 and len(response.json()["group_members"]) > 1
