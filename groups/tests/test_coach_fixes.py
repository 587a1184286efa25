"""The coach admin's broken items of issue 15, each tested through the real admin (session login, forms, CSRF-less
test client): spreadsheet injection, invites, keeping an admin, declined requests, deleted logs, branding,
admin history and notifications."""

import csv
import io

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from groups.models import GroupMember
from groups.tests.coaching import squad, superuser_client
from groups.tests.factories import GroupMemberFactory
from logs.models import Log
from logs.tests.factories import LogFactory
from notifications.models import Notification
from ops.harness import free_port
from saintsxctf.foundation.models import OutgoingMail
from saintsxctf.operations.admin import spreadsheet_safe
from saintsxctf.tests.mailbox import sent_mail
from users.models import ActivationCode
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("http://x.io","Go")', "+1+2", "-3+4", "@SUM(A1)", "\t=1+2", "\r=1"]


@pytest.fixture
def xc():
    return squad("xc")


@pytest.fixture
def tf():
    return squad("tf")


def streamed(response) -> str:
    assert response.streaming, "CSV exports are streamed"
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff"), "a byte-order mark, so spreadsheets read accented names"
    return body[1:]


def test_spreadsheet_safe_neutralises_formula_leads_only():
    assert [spreadsheet_safe(v) for v in FORMULAS] == ["'" + v for v in FORMULAS]
    assert [spreadsheet_safe(v) for v in ["Tempo", "5 x 1k", -3.5, 0, None, "a=b"]] == \
        ["Tempo", "5 x 1k", -3.5, 0, None, "a=b"]


@pytest.mark.parametrize("action, model", [("export_logs", "logs_log"), ("export_group_logs", "groups_group")])
def test_every_log_export_neutralises_formulas(xc, action, model):
    for text in FORMULAS:
        LogFactory(user=xc.runner, name=text[:40], description=text, location=text)
    ids = [xc.group.pk] if model == "groups_group" else list(Log.objects.values_list("pk", flat=True))
    response = xc.client.post(reverse(f"admin:{model}_changelist"), {"action": action, "_selected_action": ids})

    rows = list(csv.DictReader(io.StringIO(streamed(response))))
    cells = [value for row in rows for key, value in row.items() if key in ("name", "description", "location")]
    assert cells and not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert {r["name"] for r in rows} >= {"'" + text[:40] for text in FORMULAS}


def test_invite_validates_the_address_and_uses_the_apis_email(xc):
    url = reverse("admin:users_activationcode_add")
    bad = xc.client.post(url, {"email": "not-an-email", "group": xc.group.pk})
    assert bad.status_code == 200 and "email" in bad.context["adminform"].form.errors
    taken = xc.client.post(url, {"email": xc.runner.email, "group": xc.group.pk})
    assert "already has a SaintsXCTF account" in str(taken.context["adminform"].form.errors)
    assert not ActivationCode.objects.exists() and not sent_mail()

    done = xc.client.post(url, {"email": "nina@example.com", "group": xc.group.pk})
    assert done.status_code == 302
    code = ActivationCode.objects.get()
    assert (code.email, code.group_id) == ("nina@example.com", xc.group.pk)
    message = sent_mail()[-1]
    assert message.subject == "Request to Join SaintsXCTF"  # users/emails.py, as the API sends it
    assert code.activation_code in message.body and "Xc Group" in message.body
    assert message.alternatives and code.activation_code in message.alternatives[0][0]


def test_an_invite_while_the_mail_server_fails_is_kept_and_its_mail_queued(xc, settings):
    """The invite's mail is queued with the code (saintsxctf/foundation/mail.py): a failing mail server delays it (the worker
    retries), it never undoes the invite."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 1
    response = xc.client.post(reverse("admin:users_activationcode_add"),
                              {"email": "nina@example.com", "group": xc.group.pk}, follow=True)
    assert response.status_code == 200
    code = ActivationCode.objects.get(email="nina@example.com")
    assert sent_mail() == []  # the worker's attempt failed
    queued = OutgoingMail.objects.get(to="nina@example.com")
    assert queued.status == "queued" and queued.attempts == 1 and code.activation_code in queued.body


def member_form(member, **changes):
    return {"status": member.status, "role": member.role, **changes}


def test_a_coach_cannot_demote_themselves_nor_leave_a_group_without_admin(xc):
    mine = GroupMember.objects.get(group=xc.group, user=xc.coach)
    url = reverse("admin:groups_groupmember_change", args=[mine.pk])
    response = xc.client.post(url, member_form(mine, role="user"))
    assert response.status_code == 200 and "cannot remove your own admin role" in response.content.decode()
    mine.refresh_from_db()
    assert mine.is_admin

    # Through the group page's member rows, too.
    rows = list(GroupMember.objects.filter(group=xc.group).order_by("id"))
    data = {"group_title": xc.group.group_title, "week_start": "sunday", "members-TOTAL_FORMS": len(rows),
            "members-INITIAL_FORMS": len(rows), "members-MIN_NUM_FORMS": 0, "members-MAX_NUM_FORMS": 1000}
    for i, row in enumerate(rows):
        data |= {f"members-{i}-id": row.pk, f"members-{i}-group": xc.group.pk, f"members-{i}-status": row.status,
                 f"members-{i}-role": "user" if row.pk == mine.pk else row.role}
    page = xc.client.post(reverse("admin:groups_group_change", args=[xc.group.pk]), data)
    assert page.status_code == 200 and "cannot remove your own admin role" in page.content.decode()
    mine.refresh_from_db()
    assert mine.is_admin

    # The superuser may demote a coach, but not the group's last admin.
    root = superuser_client()
    refused = root.post(url, member_form(mine, role="user", group=xc.group.pk, user=xc.coach.pk))
    assert "at least one admin" in refused.content.decode()
    helper = GroupMember.objects.get(group=xc.group, user=xc.runner)
    root.post(reverse("admin:groups_groupmember_changelist"),
              {"action": "promote_members", "_selected_action": [helper.pk]})
    assert root.post(url, member_form(mine, role="user", group=xc.group.pk, user=xc.coach.username)).status_code \
        == 302
    mine.refresh_from_db()
    assert not mine.is_admin


def test_demote_action_keeps_an_admin(xc):
    peer = GroupMemberFactory(group=xc.group, user=UserFactory(username="xcpeer"), role="admin")
    coach_row = GroupMember.objects.get(group=xc.group, user=xc.coach)
    url = reverse("admin:groups_groupmember_changelist")
    xc.client.post(url, {"action": "demote_members", "_selected_action": [coach_row.pk, peer.pk]})
    assert GroupMember.objects.filter(group=xc.group, role="admin").count() == 2  # nobody: it held the coach
    xc.client.post(url, {"action": "demote_members", "_selected_action": [peer.pk]})
    peer.refresh_from_db()
    assert peer.role == "user"
    assert LogEntry.objects.filter(object_id=str(peer.pk), change_message="Made a regular member.").exists()


def test_approve_and_decline_notify_the_runner_and_leave_history(xc):
    other = GroupMemberFactory(group=xc.group, user=UserFactory(username="xcother"), status="pending")
    pending = GroupMember.objects.get(group=xc.group, user=xc.pending)
    url = reverse("admin:groups_groupmember_changelist")

    xc.client.post(url, {"action": "approve_members", "_selected_action": [pending.pk]})
    xc.client.post(url, {"action": "decline_members", "_selected_action": [other.pk]})

    pending.refresh_from_db()
    assert pending.status == "accepted"
    assert GroupMember.all_objects.get(pk=other.pk).deleted
    notes = dict(Notification.objects.values_list("user_id", "description"))
    assert "approved your request to join Xc Group" in notes[xc.pending.username]
    assert "declined your request to join Xc Group" in notes["xcother"]
    history = LogEntry.objects.filter(user=xc.coach).values_list("object_id", "change_message")
    assert set(history) == {(str(pending.pk), "Approved the request to join."),
                            (str(other.pk), "Declined the request to join.")}
    assert xc.client.get(reverse("admin:groups_groupmember_history", args=[pending.pk])).status_code == 200


def test_a_declined_request_cannot_be_half_restored(xc):
    pending = GroupMember.objects.get(group=xc.group, user=xc.pending)
    url = reverse("admin:groups_groupmember_changelist")
    xc.client.post(url, {"action": "decline_members", "_selected_action": [pending.pk]})

    listed = xc.client.get(url, {"status__exact": "pending"})
    assert pending.pk not in [m.pk for m in listed.context["cl"].result_list]  # declined rows leave the list
    shown = xc.client.get(url, {"deleted": "all"})
    assert ">deleted</strong>" in shown.content.decode()

    again = xc.client.post(url + "?deleted=all", {"action": "approve_members", "_selected_action": [pending.pk]}, follow=True)
    assert "declined request(s) left alone" in again.content.decode()
    page = xc.client.get(reverse("admin:groups_groupmember_change", args=[pending.pk]))
    assert "cannot be restored" in page.content.decode()
    xc.client.post(reverse("admin:groups_groupmember_change", args=[pending.pk]),
                   {"status": "accepted", "role": "user"})
    row = GroupMember.all_objects.get(pk=pending.pk)
    assert (row.status, row.deleted) == ("pending", True)


def test_deleted_logs_are_hidden_by_default_and_marked_when_shown(xc):
    gone = LogFactory(user=xc.runner, name="Oops duplicate")
    gone.soft_delete()
    url = reverse("admin:logs_log_changelist")
    default = xc.client.get(url)
    assert "Oops duplicate" not in default.content.decode()
    everything = xc.client.get(url, {"deleted": "all"}).content.decode()
    assert "Oops duplicate" in everything and ">deleted</strong>" in everything


def test_group_filter_refuses_other_groups(xc, tf):
    response = xc.client.get(reverse("admin:logs_log_changelist"), {"group": tf.group.pk})
    assert not list(response.context["cl"].result_list)


def test_admin_is_branded_and_reachable_without_slash(xc, settings):
    settings.WEB_APP_URL = "https://web.example"
    response = xc.client.get("/admin")
    assert response.status_code in (301, 302) and response["Location"] == reverse("admin:index")
    page = xc.client.get(reverse("admin:index")).content.decode()
    assert "SaintsXCTF coaching" in page and "Django administration" not in page
    assert 'href="https://web.example"' in page


def test_coach_comments_on_a_runners_log_and_the_runner_is_notified(xc, tf):
    log = Log.objects.get(name="xc tempo")
    page = xc.client.get(reverse("admin:logs_log_change", args=[log.pk])).content.decode()
    assert 'id="coach-comment"' in page and reverse("admin:logs_log_comment", args=[log.pk]) in page

    done = xc.client.post(reverse("admin:logs_log_comment", args=[log.pk]), {"content": "Great tempo, rest up"},
                          follow=True)
    assert "they have been notified" in done.content.decode()
    comment = log.comments.get()
    assert (comment.user_id, comment.content) == (xc.coach.username, "Great tempo, rest up")
    note = Notification.objects.get(user=xc.runner)
    assert "commented on your exercise log" in note.description and str(log.pk) in note.link
    assert "Great tempo, rest up" in xc.client.get(reverse("admin:logs_log_change", args=[log.pk])).content.decode()
    assert LogEntry.objects.filter(object_id=str(log.pk), change_message__startswith="Commented").exists()

    # Another group's runner's log, a missing log, an empty comment, a GET: nothing is posted.
    theirs = Log.objects.get(name="tf tempo")
    assert xc.client.post(reverse("admin:logs_log_comment", args=[theirs.pk]), {"content": "x"}).status_code == 404
    assert xc.client.post(reverse("admin:logs_log_comment", args=[999999]), {"content": "x"}).status_code == 404
    xc.client.post(reverse("admin:logs_log_comment", args=[log.pk]), {"content": ""})
    assert xc.client.get(reverse("admin:logs_log_comment", args=[log.pk])).status_code == 405
    assert log.comments.count() == 1 and not theirs.comments.exists()


def test_accepting_in_the_member_form_is_an_approval(xc):
    """The form path approves through the same service as the buttons: notification, team membership."""
    from teams.models import Team, TeamGroup, TeamMember

    team = Team.objects.create(name="saints", title="Saints")
    TeamGroup.objects.create(team=team, group=xc.group)
    TeamMember.objects.create(team=team, user=xc.pending, status="pending")
    pending = GroupMember.objects.get(group=xc.group, user=xc.pending)
    response = xc.client.post(reverse("admin:groups_groupmember_change", args=[pending.pk]),
                              {"status": "accepted", "role": "user"})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "accepted"
    assert TeamMember.objects.get(team=team, user=xc.pending).status == "accepted"
    assert Notification.objects.filter(user=xc.pending, description__contains="approved").exists()
