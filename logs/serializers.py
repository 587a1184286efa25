"""Logs, feed logs, range view days and exercise types as the contract shows them (fields in the order the
original's sorted JSON gives them). Serializers only shape data: the arithmetic is in `logs.models`."""

from django.utils.encoding import smart_str
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from comments.serializers import CommentHttpTimeSerializer, CommentInLogSerializer
from logs.models import (
    FIRST_LOG_DATE,
    LAST_LOG_DATE,
    MAX_MILES,
    MAX_TIME,
    METERS_PER_MILE,
    METRIC_CHOICES,
    ExerciseType,
    Log,
    compute_miles,
)
from logs.queries import exercise_type
from saintsxctf.foundation.api.fields import DurationTextField, HttpDateField
from saintsxctf.foundation.api.serializers import ReadModelSerializer, ReadSerializer

LOG_FIELDS = [
    "date", "deleted", "description", "distance", "feel", "first", "last", "location", "log_id", "metric",
    "miles", "name", "pace", "time", "time_created", "type", "username",
]
FEED_LOG_FIELDS = [
    "comments", "date", "description", "distance", "feel", "first", "last", "location", "log_id", "metric",
    "miles", "name", "pace", "time", "type", "username",
]


class LogSerializer(ReadModelSerializer):
    """An exercise log (GET /v2/logs/<id>, and the bodies of POST and PUT).

    A log without a distance, metric, time or name (the iOS app leaves them out when blank; legacy rows) shows
    0, 'miles', '0:00:00' and '': both clients force-read them (other-clients.md 5.3, 5.4, 5.6; the web
    client's edit form calls distance.toFixed)."""

    null_defaults = {"distance": 0.0, "miles": 0.0, "metric": "miles", "time": "0:00:00", "pace": "0:00:00",
                     "name": "", "first": "", "last": ""}

    pace = DurationTextField(read_only=True)
    time = DurationTextField(read_only=True)
    time_created = HttpDateField()
    type = serializers.CharField(source="type_id", read_only=True)
    username = serializers.CharField(source="user_id", read_only=True)

    class Meta:
        model = Log
        fields = LOG_FIELDS
        read_only_fields = fields


class LogWithCommentsSerializer(LogSerializer):
    """A log in GET /v2/logs/, with its comments (`live_comments`, set for the page by logs.queries.with_comments():
    no query per log)."""

    comments = CommentInLogSerializer(source="live_comments", many=True, read_only=True)

    class Meta(LogSerializer.Meta):
        fields = [*LOG_FIELDS, "comments"]
        read_only_fields = fields


class FeedLogSerializer(LogSerializer):
    """A log in the log feed: its comments (`live_comments`, as above) with RFC 1123 times, and no `time_created` or
    `deleted`."""

    comments = CommentHttpTimeSerializer(source="live_comments", many=True, read_only=True)

    class Meta(LogSerializer.Meta):
        fields = FEED_LOG_FIELDS
        read_only_fields = fields


class ExerciseTypeField(serializers.SlugRelatedField):
    """An exercise type by its name, as DRF's SlugRelatedField finds it (same errors), through a query compiled once
    (every log write names one)."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="type", queryset=ExerciseType.objects.all(), **kwargs)

    def to_internal_value(self, data):
        # Any other JSON value is looked up as its text, as the ORM's lookup of a text column would.
        found = exercise_type(data if isinstance(data, str) else str(data))
        if found is None:
            self.fail("does_not_exist", slug_name=self.slug_field, value=smart_str(data))
        return found


class LogWriteSerializer(serializers.Serializer):
    """The fields of a log a client sets. Miles and pace are derived on the server (miles are taken only in
    place of a missing distance)."""

    name = serializers.CharField(max_length=40, required=False, allow_null=True, allow_blank=True, default=None)
    location = serializers.CharField(max_length=50, required=False, allow_null=True, allow_blank=True, default=None)
    date = serializers.DateField()
    type = ExerciseTypeField()
    # The largest number any metric allows (meters); validate() bounds the distance in miles.
    distance = serializers.FloatField(min_value=0, max_value=MAX_MILES * METERS_PER_MILE, required=False,
                                      allow_null=True, default=None)
    # Older clients (iOS) send miles and no distance when the distance is blank: then they are the distance.
    # With a distance, miles are derived and a sent value (a stale echo) is ignored. Bounded as a distance is
    # (a stale echo of an old log's miles above it is refused too).
    miles = serializers.FloatField(min_value=0, max_value=MAX_MILES, required=False, allow_null=True, default=None)
    metric = serializers.ChoiceField(
        choices=METRIC_CHOICES, required=False, allow_null=True, allow_blank=True, default=None
    )
    time = DurationTextField(required=False, allow_null=True, default=None, max_value=MAX_TIME)
    feel = serializers.IntegerField(min_value=1, max_value=10)
    description = serializers.CharField(
        max_length=1000, required=False, allow_null=True, allow_blank=True, default=None
    )

    def validate_date(self, value):
        if not FIRST_LOG_DATE <= value <= LAST_LOG_DATE:
            raise serializers.ValidationError(f"Enter a date from {FIRST_LOG_DATE} to {LAST_LOG_DATE}.")
        return value

    def validate(self, attrs):
        if compute_miles(attrs.get("distance"), attrs.get("metric")) > MAX_MILES:
            raise serializers.ValidationError({"distance": f"Enter a distance of at most {MAX_MILES:g} miles."})
        return attrs


class LogCreateSerializer(LogWriteSerializer):
    """What POST /v2/logs/ takes: the log, and the author's names as the log shows them."""

    username = serializers.CharField(max_length=20)
    first = serializers.CharField(max_length=30, allow_blank=True)
    last = serializers.CharField(max_length=30, allow_blank=True)


class LogUpdateSerializer(LogWriteSerializer):
    """What PUT /v2/logs/<id> takes. The author keys are never written: they only decide whether the body
    equals the stored log (the original's equality check; a body without them is never equal)."""

    username = serializers.CharField(source="user_id", required=False, allow_null=True, allow_blank=True, default=None)
    first = serializers.CharField(required=False, allow_null=True, allow_blank=True, default=None)
    last = serializers.CharField(required=False, allow_null=True, allow_blank=True, default=None)
    deleted = serializers.BooleanField(required=False, allow_null=True, default=None)

    ECHOED = ("user_id", "first", "last", "deleted")


class RangeViewDaySerializer(ReadSerializer):
    """One day of a range view: total miles and the rounded average feel of that day's logs."""

    date = HttpDateField()
    feel = serializers.SerializerMethodField()
    miles = serializers.FloatField(read_only=True, allow_null=True)

    @extend_schema_field(OpenApiTypes.INT)
    def get_feel(self, day) -> int | None:
        # The database rounds the average (half away from zero); only its type differs (Decimal/float).
        return None if day["feel"] is None else int(day["feel"])


class ExerciseTypeSerializer(serializers.BaseSerializer):
    """An exercise type, as the contract lists them: its name."""

    def to_representation(self, instance):
        return instance.type
