"""purge_deleted and expire_codes: batched, dry-runnable, and only touching what they should."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from comments.models import Comment
from comments.tests.factories import CommentFactory
from logs.models import Log
from logs.tests.factories import LogFactory
from notifications.models import Notification
from notifications.tests.factories import NotificationFactory
from users.models import ActivationCode, ForgotPasswordCode, User
from users.tests.factories import ActivationCodeFactory, ForgotPasswordCodeFactory, UserFactory

pytestmark = pytest.mark.django_db


def soft_deleted(model, pks, *, days_ago, field="pk"):
    model._base_manager.filter(**{f"{field}__in": pks}).update(deleted=True,
                                                   deleted_date=timezone.now() - timedelta(days=days_ago))


@pytest.fixture
def rows():
    """Old and recent soft-deleted logs, a live log with a comment, and a long-deleted user with live logs."""
    old = LogFactory.create_batch(3)
    recent = LogFactory()
    live = LogFactory()
    CommentFactory(log=old[0])
    CommentFactory(log=live)
    gone = UserFactory(username="gone")
    LogFactory.create_batch(2, user=gone)
    NotificationFactory(user=gone)
    soft_deleted(Log, [log.pk for log in old], days_ago=100)
    soft_deleted(Log, [recent.pk], days_ago=5)
    soft_deleted(User, ["gone"], days_ago=400, field="username")
    return {"old": old, "recent": recent, "live": live}


def test_dry_run_reports_counts_and_changes_nothing(rows):
    before = (Log.all_objects.count(), Comment.all_objects.count(), User.all_objects.count())
    out = StringIO()

    call_command("purge_deleted", "--older-than", "30", "--dry-run", stdout=out)

    text = out.getvalue()
    assert "Would purge 8 row(s) (dry run: nothing changed)." in text
    assert "logs.Log: 5" in text  # 3 old soft-deleted logs + the purged user's 2
    assert "comments.Comment: 1" in text and "users.User: 1" in text and "notifications.Notification: 1" in text
    assert (Log.all_objects.count(), Comment.all_objects.count(), User.all_objects.count()) == before


def test_purge_removes_only_rows_past_retention_in_batches(rows):
    out = StringIO()

    call_command("purge_deleted", "--older-than", "30", "--batch-size", "2", stdout=out)

    assert "Purged 8 row(s)." in out.getvalue()
    remaining = set(Log.all_objects.values_list("pk", flat=True))
    assert remaining == {rows["recent"].pk, rows["live"].pk}
    assert Comment.all_objects.filter(log=rows["live"]).exists()
    assert not User.all_objects.filter(username="gone").exists()
    assert not Notification.all_objects.exists()


def test_purge_keeps_undated_soft_deleted_rows_and_says_so():
    log = LogFactory()
    Log.all_objects.filter(pk=log.pk).update(deleted=True, deleted_date=None)
    out = StringIO()

    call_command("purge_deleted", "--older-than", "0", stdout=out)

    assert Log.all_objects.filter(pk=log.pk).exists()
    assert "kept 1 logs.Log row(s) soft-deleted without a deleted_date" in out.getvalue()


def test_purge_needs_a_retention():
    with pytest.raises(CommandError):
        call_command("purge_deleted", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("purge_deleted", "--older-than", "-1", stdout=StringIO())


@pytest.fixture
def codes():
    now = timezone.now()
    return {
        "expired": ActivationCodeFactory(expiration_date=now - timedelta(days=1)),
        "valid": ActivationCodeFactory(expiration_date=now + timedelta(days=1)),
        "open": ActivationCodeFactory(expiration_date=None),
        "forgot_expired": ForgotPasswordCodeFactory(expires=now - timedelta(minutes=1)),
        "forgot_valid": ForgotPasswordCodeFactory(expires=now + timedelta(hours=1)),
    }


def test_expire_codes_dry_run_changes_nothing(codes):
    out = StringIO()

    call_command("expire_codes", "--dry-run", stdout=out)

    assert "Would expire 2 row(s)" in out.getvalue()
    assert ActivationCode.objects.count() == 3 and ForgotPasswordCode.objects.count() == 2


def test_expire_codes_soft_deletes_expired_codes_only(codes):
    out = StringIO()

    call_command("expire_codes", stdout=out)

    assert "Expired 2 row(s)." in out.getvalue()
    assert set(ActivationCode.objects.values_list("pk", flat=True)) == {codes["valid"].pk, codes["open"].pk}
    assert list(ForgotPasswordCode.objects.values_list("pk", flat=True)) == [codes["forgot_valid"].pk]
    gone = ActivationCode.all_objects.get(pk=codes["expired"].pk)
    assert gone.deleted and gone.deleted_user == "expire_codes" and gone.deleted_date is not None

    again = StringIO()
    call_command("expire_codes", stdout=again)
    assert "Expired 0 row(s)." in again.getvalue()
