"""Housekeeping behind `purge_deleted` and `expire_codes`: plain functions that return what they did."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models.deletion import Collector
from django.utils import timezone

from comments.models import Comment
from groups.models import Group, GroupMember
from logs.models import Log
from notifications.models import Notification
from teams.models import Team, TeamGroup, TeamMember
from users.models import ActivationCode, Flair, ForgotPasswordCode, User

# Children first, so most rows go as themselves rather than as another row's cascade.
PURGEABLE: list[type[models.Model]] = [
    Comment, Notification, Log, Flair, ActivationCode, ForgotPasswordCode, GroupMember, TeamMember, TeamGroup,
    Group, Team, User,
]
PURGE_BATCH = 1000
# Derived rows that go with purged ones (a purged user's log summaries): not counted as purged data.
DERIVED = {"logs.LogSummary"}


@dataclass
class MaintenanceReport:
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def add(self, label: str, count: int):
        if count and label not in DERIVED:
            self.counts[label] = self.counts.get(label, 0) + count

    def summary(self, verb: str) -> str:
        head = f"Would {verb}" if self.dry_run else verb.capitalize() + "d"
        lines = [f"{head} {self.total} row(s)" + (" (dry run: nothing changed)." if self.dry_run else ".")]
        lines += [f"  {label}: {count}" for label, count in sorted(self.counts.items())]
        lines += self.notes
        return "\n".join(lines)


def _label(model) -> str:
    return model._meta.label


def purge_deleted(*, older_than_days: int, dry_run: bool = False, batch_size: int = PURGE_BATCH, now=None,
                  out=None) -> MaintenanceReport:
    """Hard-delete rows soft-deleted more than `older_than_days` ago, in batches (one transaction each).

    Counts include the rows that go with them (a purged user's logs, a purged log's comments); the dry run
    collects the same cascades without deleting. Soft-deleted rows without a `deleted_date` (possible in
    imported legacy data) have no age, so they are kept and counted in a note.
    """
    cutoff = (now or timezone.now()) - timedelta(days=older_than_days)
    report = MaintenanceReport(dry_run=dry_run)
    seen: set[tuple[str, object]] = set()  # dry run: rows already counted as an earlier model's cascade
    for model in PURGEABLE:
        manager = model._base_manager
        expired = manager.filter(deleted=True, deleted_date__lt=cutoff).order_by("pk")
        undated = manager.filter(deleted=True, deleted_date__isnull=True).count()
        if undated:
            report.notes.append(f"  kept {undated} {_label(model)} row(s) soft-deleted without a deleted_date")
        if dry_run:
            last = None
            while True:
                page = expired if last is None else expired.filter(pk__gt=last)
                batch = list(page[:batch_size])
                if not batch:
                    break
                last = batch[-1].pk
                for label, count in _collect(batch, seen).items():
                    report.add(label, count)
        else:
            while pks := list(expired.values_list("pk", flat=True)[:batch_size]):
                with transaction.atomic():
                    _, per_model = manager.filter(pk__in=pks).delete()
                for label, count in per_model.items():
                    report.add(label, count)
        if out is not None:
            out.write(f"{_label(model)}: done")
    return report


def _collect(objs, seen: set) -> dict[str, int]:
    """What deleting `objs` would delete, per model (Django's own cascade collector, nothing deleted)."""
    collector = Collector(using=DEFAULT_DB_ALIAS)
    collector.collect(objs)
    counts: dict[str, int] = {}
    for model, instances in collector.data.items():
        for obj in instances:
            key = (_label(model), obj.pk)
            if key not in seen:
                seen.add(key)
                counts[_label(model)] = counts.get(_label(model), 0) + 1
    for qs in collector.fast_deletes:
        for pk in qs.values_list("pk", flat=True):
            key = (_label(qs.model), pk)
            if key not in seen:
                seen.add(key)
                counts[_label(qs.model)] = counts.get(_label(qs.model), 0) + 1
    return counts


def expire_codes(*, dry_run: bool = False, now: datetime | None = None) -> MaintenanceReport:
    """Soft-delete activation and forgot-password codes past their expiry.

    Soft, not hard: the rows keep who/when in their audit columns, no longer count as codes anywhere (every
    read hides deleted rows), and `purge_deleted` removes them after the retention period like any other row.
    """
    now = now or timezone.now()
    report = MaintenanceReport(dry_run=dry_run)
    for model, expired in (
        (ActivationCode, ActivationCode.objects.filter(expiration_date__lt=now)),
        (ForgotPasswordCode, ForgotPasswordCode.objects.filter(expires__lt=now)),
    ):
        report.add(_label(model), expired.count() if dry_run else expired.soft_delete())
    return report
