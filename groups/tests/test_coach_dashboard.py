"""The coach dashboard in the admin: what it shows, its buttons and forms, its exports, its scoping and its
constant query count (groups/dashboard.py, groups/admin_dashboard.py)."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from groups.dashboard import coach_dashboard, week_start_date
from groups.models import GroupMember, TrainingTarget
from groups.queries import current_date
from groups.tests.coaching import squad
from groups.tests.factories import GroupMemberFactory
from logs.tests.factories import LogFactory
from notifications.models import Notification
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def xc():
    s = squad("xc")
    today = current_date()
    LogFactory(user=s.runner, date=today, distance=6.0, feel=2, name="Intervals", description="left knee sore")
    LogFactory(user=s.runner, date=today - timedelta(days=1), distance=4.0, type_id="bike", feel=7)
    quiet = UserFactory(username="xcquiet", first="Quinn", last="Quiet")
    GroupMemberFactory(group=s.group, user=quiet)
    LogFactory(user=quiet, date=today - timedelta(days=20), distance=3.0)
    return s


@pytest.fixture
def tf():
    return squad("tf")


def test_coach_lands_on_their_dashboard(xc, tf):
    page = xc.client.get(reverse("admin:index"))
    html = page.content.decode()
    data = page.context["data"]
    assert data["group"] == xc.group
    assert [p["username"] for p in data["pending"]] == [xc.pending.username]
    assert {r["username"] for r in data["runners"]} == {xc.runner.username, "xcquiet"}  # not the coach, not pending
    kinds = {(f["username"], f["kind"]) for f in data["flags"]}
    assert {(xc.runner.username, "low_feel"), (xc.runner.username, "pain"), ("xcquiet", "quiet")} <= kinds
    this_week = data["runners"][[r["username"] for r in data["runners"]].index(xc.runner.username)]["weeks"][-1]
    assert this_week["run_miles"] >= 6.0 and this_week["miles"] >= this_week["run_miles"]
    assert len(data["weeks"]) == 12 and data["weeks"][-1]["current"]
    assert data["weeks"][-1]["start"] == week_start_date(current_date(), xc.group.week_start)
    assert "<svg" in html and "http://" not in html.split("<svg", 1)[1].split("</svg>")[0].replace(
        "http://www.w3.org", "")
    assert tf.group.group_title not in html  # the picker lists only the coach's groups
    assert reverse("admin:logs_log_changelist") + f"?user__exact={xc.runner.username}" in html


def test_flag_links_open_the_runners_logs(xc):
    data = xc.client.get(reverse("admin:index")).context["data"]
    quiet = next(f for f in data["flags"] if f["kind"] == "quiet")
    listing = xc.client.get(quiet["url"])
    assert listing.status_code == 200
    assert {log.user_id for log in listing.context["cl"].result_list} == {"xcquiet"}
    pain = next(f for f in data["flags"] if f["kind"] == "pain")
    assert xc.client.get(pain["url"]).status_code == 200


def test_other_groups_dashboard_is_not_found(xc, tf):
    assert xc.client.get(reverse("admin:coach-dashboard-group", args=[tf.group.pk])).status_code == 404
    assert xc.client.get(reverse("admin:coach-weekly-csv", args=[tf.group.pk])).status_code == 404
    pending = GroupMember.objects.get(group=tf.group, user=tf.pending)
    refused = xc.client.post(reverse("admin:coach-decide", args=[tf.group.pk, pending.pk, "approve"]))
    assert refused.status_code == 404
    # The coach's own group id with another group's member id is no better.
    assert xc.client.post(reverse("admin:coach-decide", args=[xc.group.pk, pending.pk, "approve"])).status_code \
        == 404
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_approve_from_the_dashboard(xc):
    pending = GroupMember.objects.get(group=xc.group, user=xc.pending)
    response = xc.client.post(reverse("admin:coach-decide", args=[xc.group.pk, pending.pk, "approve"]), follow=True)
    assert response.status_code == 200 and "they have been notified" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == "accepted"
    assert Notification.objects.filter(user=xc.pending, description__contains="approved").exists()
    assert LogEntry.objects.filter(object_id=str(pending.pk)).exists()
    assert xc.client.get(reverse("admin:coach-decide", args=[xc.group.pk, pending.pk, "approve"])).status_code == 405


def test_set_a_target_and_see_progress(xc):
    today = current_date()
    url = reverse("admin:coach-target-add", args=[xc.group.pk])
    bad = xc.client.post(url, {"user": "", "kind": "run", "weekly_miles": "30", "start": today, "end": today
                               - timedelta(days=3)})
    assert bad.status_code == 200 and not TrainingTarget.objects.exists()
    outsider = xc.client.post(url, {"user": xc.pending.username, "kind": "run", "weekly_miles": "30",
                                    "start": today, "end": today})
    assert outsider.status_code == 200 and not TrainingTarget.objects.exists()

    start = today - timedelta(days=today.weekday())
    done = xc.client.post(url, {"user": "", "kind": "run", "weekly_miles": "30", "start": start,
                                "end": start + timedelta(weeks=8), "note": "Base"})
    assert done.status_code == 302
    target = TrainingTarget.objects.get()
    assert (target.group, target.user, target.weekly_miles) == (xc.group, None, 30.0)
    data = xc.client.get(reverse("admin:index")).context["data"]
    progress = {r["username"]: r["target"] for r in data["runners"]}
    assert progress["xcquiet"]["week_miles"] == 0.0 and progress["xcquiet"]["week_status"] in ("under", "on")
    assert progress[xc.runner.username]["weekly_miles"] == 30.0
    own = xc.client.post(url, {"user": xc.runner.username, "kind": "all", "weekly_miles": "5", "start": start,
                               "end": start + timedelta(weeks=8)})
    assert own.status_code == 302
    data = xc.client.get(reverse("admin:index")).context["data"]
    mine = next(r["target"] for r in data["runners"] if r["username"] == xc.runner.username)
    assert (mine["scope"], mine["kind"], mine["weekly_miles"]) == ("runner", "all", 5.0)


def test_weekly_exports_read_back(xc):
    LogFactory(user=xc.runner, date=current_date(), distance=1.0, name="=HYPERLINK(1)")
    xc.runner.first = "=cmd|' /C calc'!A0"
    xc.runner.save()
    response = xc.client.get(reverse("admin:coach-weekly-csv", args=[xc.group.pk]))
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    header, data = rows[0], {r[0]: r for r in rows[1:]}
    assert header[:3] == ["username", "first", "last"] and len(header) == 3 + 2 * 12 + 4
    assert data[xc.runner.username][1] == "'=cmd|' /C calc'!A0"
    assert float(data[xc.runner.username][-6]) >= 7.0  # this week's run miles: 6 + 1
    assert "xcquiet" in data  # runners without logs are rows too

    season = xc.client.get(reverse("admin:coach-weekly-xlsx", args=[xc.group.pk]),
                           {"start": current_date() - timedelta(weeks=3), "end": current_date()})
    book = load_workbook(io.BytesIO(season.content))
    sheet = book.active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["username", "first", "last"] and len(values[0]) == 3 + 2 * 4 + 4
    names = {row[0]: row for row in values[1:]}
    assert names[xc.runner.username][1].startswith("'=")
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_dashboard_reads_in_constant_queries(xc):
    def count():
        with CaptureQueriesContext(connection) as queries:
            coach_dashboard(xc.group)
        return len(queries)

    TrainingTarget.objects.create(group=xc.group, kind="run", weekly_miles=20, start=current_date(),
                                  end=current_date() + timedelta(days=30))
    small = count()
    for n in range(15):
        runner = UserFactory(username=f"extra{n}")
        GroupMemberFactory(group=xc.group, user=runner)
        LogFactory(user=runner, date=current_date() - timedelta(days=n), feel=2 + n % 5, description="sore calf")
        TrainingTarget.objects.create(group=xc.group, user=runner, kind="all", weekly_miles=10 + n,
                                      start=current_date() - timedelta(days=7), end=current_date())
    assert count() == small <= 7


def test_superuser_reaches_every_groups_dashboard_from_the_index(xc, tf):
    from groups.tests.coaching import superuser_client

    client = superuser_client()
    index = client.get(reverse("admin:index"))
    assert "admin/coach_dashboard.html" not in [t.name for t in index.templates]
    assert reverse("admin:coach-dashboard") in index.content.decode()
    page = client.get(reverse("admin:coach-dashboard-group", args=[tf.group.pk]))
    assert page.status_code == 200 and {g.pk for g in page.context["groups"]} == {xc.group.pk, tf.group.pk}
    listing = client.get(reverse("admin:groups_group_changelist")).content.decode()
    assert reverse("admin:coach-dashboard-group", args=[tf.group.pk]) + "#pending" in listing


def test_runner_without_staff_cannot_open_the_dashboard(xc):
    from django.test import Client

    client = Client()
    client.force_login(xc.runner)
    response = client.get(reverse("admin:coach-dashboard-group", args=[xc.group.pk]))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
