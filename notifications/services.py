"""The one place notifications are created. Other apps call these services; nothing else writes rows."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from notifications.models import Notification

# Old clients post the notification of an event the API now creates itself (e.g. a comment on a log):
# an identical notification created this recently is that same event.
DUPLICATE_WINDOW = timedelta(minutes=5)


def notification_recent_duplicate(*, username: str, description: str, now=None) -> Notification | None:
    """A live notification to `username` with this description created within DUPLICATE_WINDOW, if any."""
    since = (now or timezone.now()) - DUPLICATE_WINDOW
    return (
        Notification.objects.filter(user_id=username, description=description, time__gte=since)
        .order_by("-time", "-notification_id")
        .first()
    )


@transaction.atomic
def notification_create(
    *, user, description: str, link: str | None = None, viewed: str = "N", deduplicate: bool = False
) -> Notification:
    """Notify `user` (a User or a username). Returns the new notification.

    With `deduplicate`, an identical notification (same user and description) created in the last
    five minutes is returned instead of creating another one.
    """
    username = user if isinstance(user, str) else user.username
    if deduplicate:
        existing = notification_recent_duplicate(username=username, description=description)
        if existing is not None:
            return existing
    notification = Notification(user_id=username, description=description, link=link, viewed=viewed)
    notification.full_clean()
    notification.save()
    return notification


@transaction.atomic
def notification_soft_delete(*, notification: Notification) -> Notification:
    """Hide a notification from every read; the row records who deleted and last modified it."""
    notification.soft_delete()
    notification.save(update_fields=[])  # AuditedModel.save stamps and writes the modified_* columns
    return notification
