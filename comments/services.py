"""The write path of comments. A comment on someone else's log notifies the log's owner."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from comments.models import Comment
from logs.models import Log
from notifications.services import notification_create
from users.models import User

# The web client's page for one log (a web app path, not an API path).
WEB_LOG_PATH = "/log/view/{log_id}"


def web_log_link(log_id: int) -> str:
    """Link to a log in the web app, as notifications carry it."""
    return settings.WEB_APP_URL.rstrip("/") + WEB_LOG_PATH.format(log_id=log_id)


@transaction.atomic
def comment_create(
    *, author: User, log: Log, first: str | None = None, last: str | None = None, content: str | None = None,
    time=None,
) -> Comment:
    """Comment on `log` as `author`; the log's owner is notified unless they wrote the comment."""
    comment = Comment(
        user=author, log=log, first=author.first if first is None else first,
        last=author.last if last is None else last, content=content,
        time=(time or timezone.now()).replace(microsecond=0),
    )
    comment.full_clean()
    comment.save()
    if log.user_id != author.username:
        notification_create(
            user=log.user_id,
            description=f"{author.first} {author.last} commented on your exercise log.",
            link=web_log_link(log.log_id),
        )
    return comment


@transaction.atomic
def comment_update(*, comment: Comment, content: str | None, time=None) -> Comment:
    """Replace a comment's content, and its time when one is given (the time is never emptied)."""
    comment.content = content
    if time is not None:
        comment.time = time.replace(microsecond=0)
    comment.full_clean()
    comment.save(update_fields=["content", "time"])  # never writes back a `deleted` read before a soft delete
    return comment


@transaction.atomic
def comment_soft_delete(*, comment: Comment) -> None:
    """Soft delete a comment."""
    comment.soft_delete()


@transaction.atomic
def comment_delete(*, comment: Comment) -> None:
    """Delete a comment."""
    comment.delete()
