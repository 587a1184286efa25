"""Exercise logs and exercise types."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Prefetch
from django.utils import timezone

from saintsxctf.models import AliveManager, AliveQuerySet, AuditedModel

METRIC_CHOICES = [("miles", "Miles"), ("kilometers", "Kilometers"), ("meters", "Meters")]

# The original's conversions, kept as they are so stored and new logs agree: kilometers are multiplied by
# 0.621317 (sic, not 0.621371) and meters divided by 1609.344. The only copy of these factors.
MILES_PER_KILOMETER = 0.621317
METERS_PER_MILE = 1609.344


class ExerciseType(models.Model):
    """A kind of exercise (run, bike, swim, other, ...). The legacy `types` table."""

    type = models.CharField(max_length=15, primary_key=True)

    class Meta:
        ordering = ["type"]

    def __str__(self):
        return self.type


def stored_float(value: float | None) -> float | None:
    """`value` as the original's MySQL FLOAT column gave it back: 6 significant digits (1 m -> 0.000621371)."""
    if value is None:
        return None
    return float(f"{value:.6g}")


def compute_miles(distance: float | None, metric: str | None) -> float:
    """Distance converted to miles, unrounded; 0 when the distance or metric is missing (README: arithmetic).

    Raises ValueError for a metric the contract does not list.
    """
    if not distance or not metric:
        return 0.0
    if metric == "miles":
        return float(distance)
    if metric == "kilometers":
        return distance * MILES_PER_KILOMETER
    if metric == "meters":
        return distance / METERS_PER_MILE
    raise ValueError(f"unknown metric {metric!r}")


def compute_pace(miles: float | None, time: timedelta | None) -> timedelta:
    """Time per mile, floored to the whole second (the original never rounds up).

    A missing time counts as 0 seconds, and missing or zero miles give a zero pace (README: pace is
    "00:00:00" when time or distance is missing), so this never fails.
    """
    if not miles or miles < 0 or not time:
        return timedelta(0)
    return timedelta(seconds=int(time.total_seconds() // miles))


def exercise_totals(distance: float | None, metric: str | None, time: timedelta | None) -> tuple[float, timedelta]:
    """(miles, pace) to store for a log. Pace comes from the unrounded miles, as in the original."""
    miles = compute_miles(distance, metric)
    return stored_float(miles), compute_pace(miles, time)


class LogQuerySet(AliveQuerySet):
    def with_comments(self):
        """Logs with their live comments, newest first (one query for a whole page's comments).

        A log carries its author's names itself, so the user row is not needed.
        """
        from comments.models import Comment

        return self.prefetch_related(Prefetch("comments", queryset=Comment.objects.order_by("-time", "-comment_id")))


class Log(AuditedModel):
    """One exercise: what, when, how far, how long, how it felt."""

    log_id = models.AutoField(primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, to_field="username", db_column="username",
        on_delete=models.CASCADE, related_name="logs",
    )
    # Names as written on the log (the original copies them from the author at write time).
    first = models.CharField(max_length=30)
    last = models.CharField(max_length=30)
    name = models.CharField(max_length=40, null=True, blank=True)
    location = models.CharField(max_length=50, null=True, blank=True)
    date = models.DateField()
    type = models.ForeignKey(ExerciseType, db_column="type", on_delete=models.PROTECT, related_name="+")
    distance = models.FloatField(null=True, blank=True)
    metric = models.CharField(max_length=15, null=True, blank=True, choices=METRIC_CHOICES)
    miles = models.FloatField(null=True, blank=True)
    time = models.DurationField(null=True, blank=True)
    pace = models.DurationField(null=True, blank=True)
    feel = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=1000, null=True, blank=True)
    time_created = models.DateTimeField(default=timezone.now)

    objects = AliveManager.from_queryset(LogQuerySet)()
    all_objects = models.Manager.from_queryset(LogQuerySet)()

    class Meta:
        ordering = ["-date", "-log_id"]
        indexes = [
            models.Index(fields=["user", "deleted", "date"], name="log_user_deleted_date"),
            models.Index(fields=["deleted", "date", "log_id"], name="log_deleted_date_id"),
        ]

    def __str__(self):
        return f"{self.log_id}: {self.user_id} {self.type_id} {self.date}"

    def set_distance(self, distance, metric, time):
        """Set distance, metric and time, and keep miles and pace consistent with them.

        Every write path (services, seed_demo, the importer) goes through here: the only copy of this
        arithmetic. Distance is kept as the original's FLOAT column kept it.
        """
        self.distance, self.metric, self.time = stored_float(distance), metric or None, time
        self.miles, self.pace = exercise_totals(distance, metric, time)

    def matches(self, **values) -> bool:
        """Whether writing `values` (field name -> value, miles and pace derived) would change nothing."""
        if {"distance", "metric", "time"} <= values.keys():
            values["miles"], values["pace"] = exercise_totals(values["distance"], values["metric"], values["time"])
            values["distance"], values["metric"] = stored_float(values["distance"]), values["metric"] or None
        for name, value in values.items():
            field = self._meta.get_field(name)
            if isinstance(value, models.Model):
                value = value.pk
            if getattr(self, field.attname) != value:
                return False
        return True
