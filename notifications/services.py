"""The one place notifications are created. Other apps call these services; nothing else writes rows."""

from django.db import transaction

from notifications.models import Notification


@transaction.atomic
def notification_create(*, user, description: str, link: str | None = None, viewed: str = "N") -> Notification:
    """Notify `user` (a User or a username). Returns the new notification."""
    username = user if isinstance(user, str) else user.username
    notification = Notification(user_id=username, description=description, link=link, viewed=viewed)
    notification.full_clean()
    notification.save()
    return notification
