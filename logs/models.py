"""Exercise logs and exercise types."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Prefetch
from django.utils import timezone

from saintsxctf.models import AliveManager, AliveQuerySet, AuditedModel

METRIC_CHOICES = [("miles", "Miles"), ("kilometers", "Kilometers"), ("meters", "Meters")]

# Distance of one unit of each metric, in miles (the only copy of these factors).
MILES_PER_UNIT = {"miles": 1.0, "kilometers": 0.621371, "meters": 0.000621371}


class ExerciseType(models.Model):
    """A kind of exercise (run, bike, swim, other, ...). The legacy `types` table."""

    type = models.CharField(max_length=15, primary_key=True)

    class Meta:
        ordering = ["type"]

    def __str__(self):
        return self.type


def compute_miles(distance: float | None, metric: str | None) -> float:
    """Distance converted to miles; 0 when the distance or metric is missing."""
    if not distance or metric not in MILES_PER_UNIT:
        return 0.0
    return round(distance * MILES_PER_UNIT[metric], 2)


def compute_pace(miles: float | None, time: timedelta | None) -> timedelta:
    """Time per mile, to the second; zero when the time or distance is missing."""
    if not miles or not time:
        return timedelta(0)
    return timedelta(seconds=round(time.total_seconds() / miles))


class LogQuerySet(AliveQuerySet):
    def with_comments(self):
        """Logs with their owners and their live comments (one query for the page's comments)."""
        from comments.models import Comment

        return self.select_related("user").prefetch_related(
            Prefetch("comments", queryset=Comment.objects.order_by("-time", "-comment_id"))
        )


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
        """Set distance and time, and keep miles and pace consistent with them."""
        self.distance, self.metric, self.time = distance, metric, time
        self.miles = compute_miles(distance, metric)
        self.pace = compute_pace(self.miles, time)
