"""The coach admin for groups and members: each coach sees and manages only their own groups."""

import csv
import io

import pytest
from django.urls import reverse

from groups.models import GroupMember
from groups.tests.coaching import squad, superuser_client
from groups.tests.factories import GroupMemberFactory
from logs.models import Log
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def xc():
    return squad("xc")


@pytest.fixture
def tf():
    return squad("tf")


def changelist(client, model, **params):
    return client.get(reverse(f"admin:groups_{model}_changelist"), params)


def test_each_coach_sees_only_their_own_groups(xc, tf):
    for mine, theirs in ((xc, tf), (tf, xc)):
        response = changelist(mine.client, "group")
        assert response.status_code == 200
        shown = set(response.context["cl"].result_list)
        assert shown == {mine.group}

        members = set(changelist(mine.client, "groupmember").context["cl"].result_list)
        assert {m.user_id for m in members} == {mine.coach.username, mine.runner.username, mine.pending.username}

        other = mine.client.get(reverse("admin:groups_group_change", args=[theirs.group.pk]))
        assert other.status_code == 302  # "doesn't exist": redirected to the admin index
        assert mine.client.get(reverse("admin:groups_group_change", args=[mine.group.pk])).status_code == 200


def test_admin_index_shows_a_coach_only_their_tools(xc):
    response = xc.client.get(reverse("admin:index"))

    assert response.status_code == 200
    models = {m["object_name"] for app in response.context["app_list"] for m in app["models"]}
    assert models == {"Group", "GroupMember", "Log", "User", "ActivationCode", "TrainingTarget"}
    assert "admin/coach_dashboard.html" in [t.name for t in response.templates]  # the coach's first page


def test_superuser_sees_everything(xc, tf):
    client = superuser_client()

    assert set(changelist(client, "group").context["cl"].result_list) == {xc.group, tf.group}
    assert changelist(client, "groupmember").context["cl"].result_count == 6


def test_staff_without_groups_and_runners_cannot_use_the_admin(xc):
    staff = UserFactory(username="helper", is_staff=True)
    GroupMemberFactory(group=xc.group, user=staff, status="accepted", role="user")
    xc.client.force_login(staff)

    assert changelist(xc.client, "group").status_code == 403
    runner = UserFactory(username="plain")
    xc.client.force_login(runner)
    assert changelist(xc.client, "group").status_code == 302  # to the login page


def test_a_pending_coach_request_is_not_coaching(xc, tf):
    GroupMemberFactory(group=tf.group, user=xc.coach, status="pending", role="admin")

    assert set(changelist(xc.client, "group").context["cl"].result_list) == {xc.group}


def act(client, action, members):
    return client.post(reverse("admin:groups_groupmember_changelist"),
                       {"action": action, "_selected_action": [m.pk for m in members]})


def test_coach_approves_declines_and_promotes_in_their_group(xc):
    second = GroupMemberFactory(group=xc.group, user=UserFactory(username="xcsecond"), status="pending")
    request = GroupMember.objects.get(group=xc.group, user=xc.pending)

    assert act(xc.client, "approve_members", [request]).status_code == 302
    request.refresh_from_db()
    assert request.status == "accepted"
    assert (request.modified_user, request.modified_app) == (xc.coach.username, "admin")

    act(xc.client, "decline_members", [second])
    second = GroupMember.all_objects.get(pk=second.pk)
    assert second.deleted and second.deleted_user == xc.coach.username

    act(xc.client, "promote_members", [request])
    request.refresh_from_db()
    assert request.role == "admin"


def test_coach_cannot_act_on_another_groups_members(xc, tf):
    theirs = GroupMember.objects.get(group=tf.group, user=tf.pending)

    act(xc.client, "approve_members", [theirs])
    act(xc.client, "promote_members", [theirs])

    theirs.refresh_from_db()
    assert (theirs.status, theirs.role) == ("pending", "user")
    response = xc.client.post(reverse("admin:groups_groupmember_change", args=[theirs.pk]),
                              {"status": "accepted", "role": "admin"})
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert (theirs.status, theirs.role) == ("pending", "user")


def test_coach_cannot_delete_rows_or_soft_delete_groups(xc):
    response = xc.client.get(reverse("admin:groups_group_delete", args=[xc.group.pk]))
    assert response.status_code == 403
    changelist_page = changelist(xc.client, "group")
    actions = dict(changelist_page.context["action_form"].fields["action"].choices)
    assert "delete_selected" not in actions and "soft_delete_selected" not in actions
    assert "export_group_logs" in actions


def test_coach_exports_their_groups_logs_and_mileage(xc, tf):
    response = xc.client.post(reverse("admin:groups_group_changelist"),
                              {"action": "export_group_logs", "_selected_action": [xc.group.pk, tf.group.pk]})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert {r["name"] for r in rows} == {"xc tempo", "xc spin"}  # not tf's, not the pending runner's
    assert {r["group"] for r in rows} == {"xc"}

    mileage = xc.client.post(reverse("admin:groups_group_changelist"),
                             {"action": "export_group_mileage", "_selected_action": [xc.group.pk]})
    dates = [log.date for log in Log.objects.filter(user=xc.runner)]
    rows = list(csv.DictReader(io.StringIO(b"".join(mileage.streaming_content).decode("utf-8-sig"))))
    assert rows == [{"group": "xc", "username": "xcrunner", "first": xc.runner.first, "last": xc.runner.last,
                     "logs": "2", "miles": "25.0", "run_miles": "5.0",
                     "first_date": str(min(dates)), "last_date": str(max(dates))}]
