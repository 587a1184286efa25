"""The write path of logs: every create, update, soft delete, restore and delete a client asks for goes
through these services, each one transaction (the viewsets call them; the admin's forms and bulk actions write
through the model and its queryset, seed_demo and the importer in bulk past the ORM).

None of them writes a summary: the log's own write hooks hand every write, from here or anywhere else, to the
summary engine (logs/summaries.py), which locks the author, refreshes the touched days and marks the cached
aggregates stale inside the same transaction.
"""

from django.db import transaction
from django.utils import timezone

from comments.models import Comment
from logs.models import ExerciseType, Log
from users.models import User


@transaction.atomic(savepoint=False)
def log_create(
    *, author: User, date, type: ExerciseType | str, feel: int, first: str | None = None, last: str | None = None,
    name=None, location=None, distance=None, metric=None, time=None, description=None, miles=None,
) -> Log:
    """Create `author`'s log; miles and pace are derived from distance, metric and time (`miles` only counts
    when no distance is given: Log.set_distance)."""
    log = Log(
        user=author, first=author.first if first is None else first, last=author.last if last is None else last,
        name=name, location=location, date=date, feel=feel, description=description, time_created=timezone.now(),
    )
    log.type_id = type.pk if isinstance(type, ExerciseType) else type
    log.set_distance(distance, metric, time, miles)
    # The author and a type given as a row were just read: checking that they exist would cost a query each.
    log.full_clean(exclude=["user", "type"] if isinstance(type, ExerciseType) else ["user"])
    log.save()
    return log


# The columns an edit owns.
LOG_EDIT_FIELDS = ["name", "location", "date", "feel", "description", "type", "distance", "metric", "time", "miles",
                   "pace"]


@transaction.atomic(savepoint=False)
def log_update(
    *, log: Log, date, type: ExerciseType | str, feel: int, name=None, location=None, distance=None, metric=None,
    time=None, description=None, miles=None,
) -> Log:
    """Replace what a client may change on `log`; the author and `time_created` never change."""
    log.name, log.location, log.date, log.feel, log.description = name, location, date, feel, description
    log.type_id = type.pk if isinstance(type, ExerciseType) else type
    log.set_distance(distance, metric, time, miles)
    log.full_clean()
    # Only the columns an edit owns: a soft delete committed since the log was read stays (a full save would
    # write back the `deleted` the request read, and undelete it).
    log.save(update_fields=LOG_EDIT_FIELDS)
    return log


@transaction.atomic(savepoint=False)
def log_soft_delete(*, log: Log) -> None:
    """Soft delete `log` and its live comments, together."""
    Comment.objects.filter(log=log).soft_delete()
    log.soft_delete()


@transaction.atomic(savepoint=False)
def log_restore(*, log: Log) -> None:
    """Bring back a soft-deleted `log` (its comments stay as they are)."""
    log.deleted, log.deleted_date, log.deleted_user, log.deleted_app = False, None, None, None
    log.save(update_fields=["deleted", "deleted_date", "deleted_user", "deleted_app"])


@transaction.atomic(savepoint=False)
def log_delete(*, log: Log) -> None:
    """Delete `log` and every comment on it (soft-deleted ones too), together."""
    Comment.all_objects.filter(log=log).delete()
    log.delete()
