"""Exercise logs and exercise types."""

from datetime import date, timedelta
from functools import partial

from django.conf import settings
from django.db import models
from django.utils import timezone

from saintsxctf.foundation.models import AliveManager, AliveQuerySet, AuditedModel

METRIC_CHOICES = [("miles", "Miles"), ("kilometers", "Kilometers"), ("meters", "Meters")]

# The original's conversions, kept as they are so stored and new logs agree: kilometers are multiplied by
# 0.621317 (sic, not 0.621371) and meters divided by 1609.344. The only copy of these factors.
MILES_PER_KILOMETER = 0.621317
METERS_PER_MILE = 1609.344

# What a runner can log (README, "Security and reliability"): the write serializers and the range views refuse
# anything outside with the contract's 400. Unbounded values overflowed the columns and the summaries
# (a distance of 1e308 made a month's sum infinite), or dates past 9999 (the summaries' next year).
FIRST_LOG_DATE = date(1900, 1, 1)
LAST_LOG_DATE = date(2099, 12, 31)
MAX_MILES = 1000.0  # any distance, converted to miles
MAX_TIME = timedelta(hours=100)  # exclusive


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


def given_distance(distance: float | None, metric: str | None, miles: float | None) -> tuple:
    """The (distance, metric) a write means. Older clients (the iOS app) send `miles` and no distance when the
    distance field is blank; the original then stored those miles: they become a distance in miles."""
    if distance is None and miles is not None:
        return miles, "miles"
    return distance, metric


def exercise_totals(distance: float | None, metric: str | None, time: timedelta | None) -> tuple[float, timedelta]:
    """(miles, pace) to store for a log. Pace comes from the unrounded miles, as in the original."""
    miles = compute_miles(distance, metric)
    return stored_float(miles), compute_pace(miles, time)


# A log a coach should look at (the coach's dashboard, groups/dashboard.py): it felt this bad or worse, or its notes
# mention pain. Words (stems) matched anywhere in the notes, as the database's LIKE matches them (its collation:
# case-insensitive, and accent-insensitive on MariaDB).
LOW_FEEL = 3
PAIN_WORDS = ("pain", "hurt", "injur", "sore", "ache", "aching", "sprain", "strain", "limp", "tendon", "tendin",
              "fractur", "shin splint", "swollen", "swelling", "tweak", "pulled")


def flag_condition() -> models.Q:
    """Whether a log is flagged, as SQL: the definition of `Log.flagged`."""
    words = models.Q()
    for word in PAIN_WORDS:
        words |= models.Q(description__icontains=word)
    # Notes that are null match no word (and the flag is false, not null).
    return models.Q(feel__lte=LOW_FEEL) | (models.Q(description__isnull=False) & words)


# Fields whose change alters a log's summaries (logs/summaries.py: a queryset update of none of them skips the engine).
SUMMARIZED_FIELDS = {"deleted", "user", "user_id", "date", "type", "type_id", "miles", "feel", "first", "last",
                     "time_created", "distance", "metric"}


class LogQuerySet(AliveQuerySet):
    # Every write below, and Log's own, hands its write to the summary engine (logs/summaries.py), which keeps
    # LogSummary exact in the same transaction. It reads this module's models, so instead of being imported here
    # it plugs itself in as `Log.summaries` (LogsConfig.ready()).

    def update(self, **kwargs):
        """UPDATE, and refresh the summaries of the days it touched (before and after)."""
        return self.model.summaries.update(self, kwargs, partial(super().update, **kwargs))

    update.queryset_only = True

    def bulk_create(self, objs, *args, **kwargs):
        """INSERT many logs, and refresh the summaries of their authors' days."""
        objs = list(objs)
        return self.model.summaries.create_many(self, objs, kwargs, partial(super().bulk_create, objs, *args, **kwargs))

    def delete(self):
        """DELETE, and refresh the summaries of the days it touched."""
        return self.model.summaries.delete_many(self, super().delete)

    delete.queryset_only = True


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
    # Computed by the database from feel and description on every write, whoever writes (the API, the admin, the
    # importer's INSERT ... SELECT, seed_demo): read by the coach's dashboard through the index below.
    flagged = models.GeneratedField(expression=flag_condition(), output_field=models.BooleanField(), db_persist=True)

    objects = AliveManager.from_queryset(LogQuerySet)()
    all_objects = models.Manager.from_queryset(LogQuerySet)()
    # The summary engine, logs/summaries.py, plugged in by LogsConfig.ready() (see LogQuerySet).
    summaries = None

    class Meta:
        ordering = ["-date", "-log_id"]
        indexes = [
            # A runner's logs, newest first (`log_id` named: InnoDB's implicit trailing key would come after
            # `flagged`, and the feeds' ORDER BY date, log_id would sort); with `flagged` last, the dashboard's
            # flagged logs of a group's runners are found in the index alone (no row read for each recent log).
            models.Index(fields=["user", "deleted", "date", "log_id", "flagged"], name="log_user_deleted_date_flag"),
            models.Index(fields=["deleted", "date", "log_id"], name="log_deleted_date_id"),
        ]

    def __str__(self):
        return f"{self.log_id}: {self.user_id} {self.type_id} {self.date}"

    def save(self, *args, **kwargs):
        """Save, and refresh the author's summaries of the old and new day (logs/summaries.py)."""
        self.summaries.save(self, partial(super().save, *args, **kwargs))

    def soft_delete(self):
        """Flag the log deleted, and refresh the summaries of its day (logs/summaries.py)."""
        self.summaries.delete(self, super().soft_delete)

    def delete(self, *args, **kwargs):
        """Delete the row, and refresh the summaries of its day (logs/summaries.py)."""
        return self.summaries.delete(self, partial(super().delete, *args, **kwargs))

    def set_distance(self, distance, metric, time, miles=None):
        """Set distance, metric and time, and keep miles and pace consistent with them.

        Every write path (services, seed_demo, the importer) goes through here: the only copy of this
        arithmetic. Distance is kept as the original's FLOAT column kept it. `miles` counts only when no
        distance is given (`given_distance`).
        """
        distance, metric = given_distance(distance, metric, miles)
        self.distance, self.metric, self.time = stored_float(distance), metric or None, time
        self.miles, self.pace = exercise_totals(distance, metric, time)

    def matches(self, **values) -> bool:
        """Whether writing `values` (field name -> value, miles and pace derived) would change nothing."""
        if {"distance", "metric", "time"} <= values.keys():
            values["distance"], values["metric"] = given_distance(values["distance"], values["metric"],
                                                                  values.pop("miles", None))
            values["miles"], values["pace"] = exercise_totals(values["distance"], values["metric"], values["time"])
            values["distance"], values["metric"] = stored_float(values["distance"]), values["metric"] or None
        for name, value in values.items():
            field = self._meta.get_field(name)
            if isinstance(value, models.Model):
                value = value.pk
            if getattr(self, field.attname) != value:
                return False
        return True


class LogSummary(models.Model):
    """A user's live logs of one exercise type summed over a day, a month, a year or all time.

    Kept exact by `logs.summaries` in the same transaction as every log write, and rebuilt in bulk after
    imports and seeding (`manage.py rebuild_summaries`). Statistics, leaderboards, range views and page
    counts read these rows, a few per member, instead of every log of a group.
    """

    DAY, MONTH, YEAR, ALL = "d", "m", "y", "a"
    PERIOD_CHOICES = [(DAY, "Day"), (MONTH, "Month"), (YEAR, "Year"), (ALL, "All time")]

    id = models.BigAutoField(primary_key=True)
    period = models.CharField(max_length=1, choices=PERIOD_CHOICES)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, to_field="username", db_column="username",
        on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False,
    )
    # The first day of the period (a fixed early date for all time).
    start = models.DateField()
    type = models.ForeignKey(ExerciseType, db_column="type", on_delete=models.PROTECT, related_name="+",
                             db_index=False, db_constraint=False)
    logs = models.PositiveIntegerField()
    miles = models.FloatField(null=True)  # SUM(miles): null when no log of the period has miles
    feel = models.PositiveIntegerField()  # SUM(feel)
    first = models.CharField(max_length=30)  # MAX(first) and MAX(last) of the logs (leaderboard names)
    last = models.CharField(max_length=30)
    newest = models.DateTimeField(null=True)  # MAX(time_created)

    # No foreign key constraints and no default ordering: the one index is the key below, and MySQL would
    # otherwise add an index per foreign key that its optimizer prefers (and order by the related tables).
    # Django still cascades a deleted user to their summaries.
    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "user", "start", "type"], name="logsummary_key"),
        ]
        # The key again with every summed column: statistics, leaderboards and range views read only this
        # index (MySQL has no INCLUDE; InnoDB would otherwise fetch each row from the clustered index).
        indexes = [
            models.Index(fields=["period", "user", "start", "type", "logs", "miles", "feel", "first", "last"],
                         name="logsummary_covering"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.period} {self.start} {self.type_id}: {self.logs} logs"
