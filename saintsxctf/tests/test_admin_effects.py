"""What the admin's actions do, seen where it matters: through the API after each bulk action (its cached reads
must follow at once), and the coach scoping at its edges (a runner who left, a deleted group, a soft-deleted
log in an export)."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from conftest import client_for
from groups.models import GroupMember
from groups.tests.coaching import squad, superuser_client
from groups.tests.factories import GroupMemberFactory
from logs.models import Log
from logs.tests.factories import LogFactory
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
MEMBERS = "admin:groups_groupmember_changelist"
LOGS = "admin:logs_log_changelist"


@pytest.fixture
def xc():
    return squad("xc")


def members(squad_):
    """The group's member list through the API (cached: saintsxctf/foundation/aggregates.py), as a runner of the group reads it."""
    resp = client_for(squad_.runner).get(reverse("groups:group-members", kwargs={"group_id": squad_.group.pk}))
    assert resp.status_code == 200
    return {row["username"]: (row["status"], row["user"]) for row in resp.json()["group_members"]}


def group_miles(squad_):
    resp = client_for(squad_.runner).get(reverse("groups:group-statistics", kwargs={"group_id": squad_.group.pk}))
    assert resp.status_code == 200
    return resp.json()["stats"]["miles_all_time"]


def act(client, changelist, action, rows):
    resp = client.post(reverse(changelist), {"action": action, "_selected_action": [row.pk for row in rows]})
    assert resp.status_code == 302, resp.content  # done, back to the list
    return resp


def membership(squad_, user):
    return GroupMember.all_objects.get(group=squad_.group, user=user)


# -- every bulk action, then the API ------------------------------------------------------------------------
def test_approving_members_shows_in_the_api_at_once(xc):
    assert members(xc)[xc.pending.username] == ("pending", "user")
    act(xc.client, MEMBERS, "approve_members", [membership(xc, xc.pending)])
    assert members(xc)[xc.pending.username] == ("accepted", "user")


def test_declining_members_shows_in_the_api_at_once(xc):
    assert xc.pending.username in members(xc)
    act(xc.client, MEMBERS, "decline_members", [membership(xc, xc.pending)])
    assert xc.pending.username not in members(xc)


def test_promoting_and_demoting_members_shows_in_the_api_at_once(xc):
    assert members(xc)[xc.runner.username] == ("accepted", "user")
    act(xc.client, MEMBERS, "promote_members", [membership(xc, xc.runner)])
    assert members(xc)[xc.runner.username] == ("accepted", "admin")
    act(xc.client, MEMBERS, "demote_members", [membership(xc, xc.runner)])
    assert members(xc)[xc.runner.username] == ("accepted", "user")


def test_soft_deleting_and_restoring_members_shows_in_the_api_at_once(xc):
    root = superuser_client()
    assert xc.runner.username in members_as(xc, xc.coach)
    act(root, MEMBERS, "soft_delete_selected", [membership(xc, xc.runner)])
    assert xc.runner.username not in members_as(xc, xc.coach)
    act(root, MEMBERS, "restore_selected", [membership(xc, xc.runner)])
    assert xc.runner.username in members_as(xc, xc.coach)


def members_as(squad_, user):
    resp = client_for(user).get(reverse("groups:group-members", kwargs={"group_id": squad_.group.pk}))
    assert resp.status_code == 200
    return {row["username"] for row in resp.json()["group_members"]}


def test_soft_deleting_and_restoring_logs_shows_in_the_statistics_at_once(xc):
    root = superuser_client()
    tempo = Log.objects.get(name="xc tempo")
    before = group_miles(xc)
    act(root, LOGS, "soft_delete_selected", [tempo])
    assert group_miles(xc) == before - tempo.miles
    act(root, LOGS, "restore_selected", [Log.all_objects.get(pk=tempo.pk)])
    assert group_miles(xc) == before


# -- coach scoping at its edges -------------------------------------------------------------------------
def log_names(client) -> set[str]:
    resp = client.get(reverse(LOGS))
    assert resp.status_code == 200
    return {log.name for log in resp.context["cl"].result_list}


def test_a_coach_no_longer_sees_a_runner_who_left(xc):
    leaver = UserFactory(username="xcleaver")
    GroupMemberFactory(group=xc.group, user=leaver, status="accepted", role="user")
    LogFactory(user=leaver, name="xc leaver run")
    assert "xc leaver run" in log_names(xc.client)
    membership(xc, leaver).soft_delete()
    assert "xc leaver run" not in log_names(xc.client)
    users = xc.client.get(reverse("admin:users_user_changelist"))
    assert users.status_code == 200
    assert leaver.username not in {u.username for u in users.context["cl"].result_list}


def test_a_coach_of_a_deleted_group_loses_the_admin(xc):
    xc.group.soft_delete()
    assert xc.client.get(reverse(LOGS)).status_code == 403
    assert xc.client.get(reverse("admin:groups_group_changelist")).status_code == 403
    assert xc.client.get(reverse("admin:users_user_changelist")).status_code == 403
    index = xc.client.get(reverse("admin:index"))
    assert index.status_code == 200 and index.context["app_list"] == []
    # Nor can the coach still export the group's logs.
    resp = xc.client.post(reverse(LOGS), {"action": "export_logs",
                                          "_selected_action": list(Log.objects.values_list("pk", flat=True))})
    assert resp.status_code == 403


def exported(resp, filename):
    assert resp.status_code == 200
    assert resp["Content-Type"] == "text/csv; charset=utf-8"
    assert resp["Content-Disposition"] == f'attachment; filename="{filename}"'
    return list(csv.DictReader(io.StringIO(b"".join(resp.streaming_content).decode("utf-8-sig"))))


def test_exports_leave_out_soft_deleted_logs(xc):
    gone = LogFactory(user=xc.runner, name="xc deleted run", type_id="run", distance=100.0)
    gone.soft_delete()
    ids = list(Log.all_objects.values_list("pk", flat=True))
    for client in (xc.client, superuser_client()):
        rows = exported(client.post(reverse(LOGS), {"action": "export_logs", "_selected_action": ids}), "logs.csv")
        assert "xc deleted run" not in {row["name"] for row in rows}
        mileage = exported(client.post(reverse(LOGS), {"action": "export_mileage", "_selected_action": ids}),
                           "mileage.csv")
        assert ("xcrunner", "2", "25.0") in [(r["username"], r["logs"], r["miles"]) for r in mileage]
        by_group = client.post(reverse("admin:groups_group_changelist"),
                               {"action": "export_group_logs", "_selected_action": [xc.group.pk]})
        assert {row["name"] for row in exported(by_group, "group-logs.csv")} == {"xc tempo", "xc spin"}


def test_a_staff_account_without_groups_sees_no_logs():
    nobody = UserFactory(username="staffonly", is_staff=True)
    client = Client()
    client.force_login(nobody)
    assert client.get(reverse(LOGS)).status_code == 403
