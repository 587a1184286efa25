"""The write path of logs: every create, update and delete of a log goes through these services."""

from django.db import transaction
from django.utils import timezone

from comments.models import Comment
from logs.models import ExerciseType, Log
from users.models import User


@transaction.atomic
def log_create(
    *, author: User, date, type: ExerciseType | str, feel: int, first: str | None = None, last: str | None = None,
    name=None, location=None, distance=None, metric=None, time=None, description=None,
) -> Log:
    """Create `author`'s log; miles and pace are derived from distance, metric and time."""
    log = Log(
        user=author, first=author.first if first is None else first, last=author.last if last is None else last,
        name=name, location=location, date=date, feel=feel, description=description, time_created=timezone.now(),
    )
    log.type_id = type.pk if isinstance(type, ExerciseType) else type
    log.set_distance(distance, metric, time)
    log.full_clean()
    log.save()
    return log


# The columns an edit owns.
LOG_EDIT_FIELDS = ["name", "location", "date", "feel", "description", "type", "distance", "metric", "time", "miles",
                   "pace"]


@transaction.atomic
def log_update(
    *, log: Log, date, type: ExerciseType | str, feel: int, name=None, location=None, distance=None, metric=None,
    time=None, description=None,
) -> Log:
    """Replace what a client may change on `log`; the author and `time_created` never change."""
    log.name, log.location, log.date, log.feel, log.description = name, location, date, feel, description
    log.type_id = type.pk if isinstance(type, ExerciseType) else type
    log.set_distance(distance, metric, time)
    log.full_clean()
    # Only the columns an edit owns: a soft delete committed since the log was read stays (a full save would
    # write back the `deleted` the request read, and undelete it).
    log.save(update_fields=LOG_EDIT_FIELDS)
    return log


@transaction.atomic
def log_soft_delete(*, log: Log) -> None:
    """Soft delete `log` and its live comments, together."""
    Comment.objects.filter(log=log).soft_delete()
    log.soft_delete()


@transaction.atomic
def log_delete(*, log: Log) -> None:
    """Delete `log` and every comment on it (soft-deleted ones too), together."""
    Comment.all_objects.filter(log=log).delete()
    log.delete()
