"""Serializer fields that render values the way the original (Flask) rendered them."""

from datetime import date, datetime, timedelta

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def http_date(value: date | datetime | None) -> str | None:
    """RFC 1123, as Flask renders date objects: 'Fri, 17 Dec 2021 22:56:40 GMT'."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return (
        f"{_DAYS[value.weekday()]}, {value.day:02d} {_MONTHS[value.month - 1]} {value.year:04d} "
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d} GMT"
    )


def duration_text(value: timedelta | None) -> str | None:
    """'H:MM:SS', as Python's str() renders a MySQL TIME value: '0:07:10'."""
    if value is None:
        return None
    seconds = int(value.total_seconds())
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


@extend_schema_field(OpenApiTypes.STR)
class HttpDateField(serializers.Field):
    """A date or datetime rendered as RFC 1123 (read-only)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return http_date(value)


@extend_schema_field(OpenApiTypes.STR)
class PlainDateTimeField(serializers.DateTimeField):
    """A datetime rendered as str() renders it: '2021-05-30 18:42:42'."""

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d %H:%M:%S")
        super().__init__(**kwargs)


@extend_schema_field({"type": "string", "example": "0:31:47", "nullable": True})
class DurationTextField(serializers.Field):
    """A duration as 'H:MM:SS'; accepts 'H:MM:SS', 'MM:SS' or seconds, from 0 up to (not including) `max_value`
    when given."""

    default_error_messages = {"invalid": "Enter a time as H:MM:SS.", "max_value": "Enter a time under {max_value}."}

    def __init__(self, *, max_value: timedelta | None = None, **kwargs):
        self.max_value = max_value
        super().__init__(**kwargs)

    def to_representation(self, value):
        return duration_text(value)

    def to_internal_value(self, data):
        if data in (None, ""):
            return None
        if isinstance(data, (int, float)) and not isinstance(data, bool):
            if not 0 <= data < 10**9:  # NaN too; larger numbers overflow timedelta
                self.fail("invalid" if self.max_value is None or not data >= 0 else "max_value",
                          max_value=self.max_value)
            return self.bounded(timedelta(seconds=data))
        if not isinstance(data, str):
            self.fail("invalid")
        parts = data.strip().split(":")
        if not 1 <= len(parts) <= 3:
            self.fail("invalid")
        try:
            numbers = [float(part) for part in parts]
        except ValueError:
            self.fail("invalid")
        if any(n < 0 or n != n for n in numbers):
            self.fail("invalid")
        while len(numbers) < 3:
            numbers.insert(0, 0.0)
        hours, minutes, seconds = numbers
        try:
            return self.bounded(timedelta(hours=hours, minutes=minutes, seconds=seconds))
        except OverflowError:
            self.fail("invalid")

    def bounded(self, value: timedelta) -> timedelta:
        if self.max_value is not None and value >= self.max_value:
            self.fail("max_value", max_value=self.max_value)
        return value
