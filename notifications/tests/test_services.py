"""notification_create: the one writer of notifications, with optional duplicate suppression."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Notification
from notifications.services import notification_create, notification_recent_duplicate

pytestmark = pytest.mark.django_db


def test_create_takes_a_user_or_a_username(user):
    first = notification_create(user=user, description="a")
    second = notification_create(user="andy", description="a")
    assert first.pk != second.pk
    assert (second.user_id, second.viewed, second.link) == ("andy", "N", None)


def test_deduplicate_returns_the_recent_identical_notification(user):
    first = notification_create(user=user, description="a", link="x")
    assert notification_create(user=user, description="a", link="y", deduplicate=True) == first
    assert Notification.objects.count() == 1


def test_recent_duplicate_window(user):
    first = notification_create(user=user, description="a")
    now = timezone.now()
    assert notification_recent_duplicate(username="andy", description="a", now=now + timedelta(minutes=4)) == first
    assert notification_recent_duplicate(username="andy", description="a", now=now + timedelta(minutes=6)) is None
    assert notification_recent_duplicate(username="andy", description="b", now=now) is None
