"""Notifications in the contract's shape (`time` as str() rendered it: 'YYYY-MM-DD HH:MM:SS')."""

from urllib.parse import urlsplit

from rest_framework import serializers

from notifications.models import VIEWED_CHOICES, Notification
from saintsxctf.foundation.api.fields import PlainDateTimeField
from saintsxctf.foundation.api.serializers import ReadModelSerializer

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class NotificationSerializer(ReadModelSerializer):
    """A notification."""

    username = serializers.CharField(source="user_id", read_only=True)
    time = PlainDateTimeField(format=TIME_FORMAT, read_only=True)

    class Meta:
        model = Notification
        fields = ["deleted", "description", "link", "notification_id", "time", "username", "viewed"]
        read_only_fields = fields


class NotificationWriteSerializer(serializers.Serializer):
    """A new notification: who it is for, what it says, and optionally where it points."""

    username = serializers.CharField(max_length=20)
    description = serializers.CharField(max_length=1000)
    link = serializers.CharField(max_length=127, required=False, allow_null=True, allow_blank=True)

    def validate_link(self, value):
        if value and not is_safe_link(value):
            raise serializers.ValidationError("A link is a path on this site (/log/view/1) or an http(s) URL.")
        return value


def is_safe_link(link: str) -> bool:
    """A path of this site ('/log/view/1', not '//host/...') or an absolute http(s) URL: never `javascript:`,
    `data:` or another scheme a client would run when the runner clicks it (security probe F11)."""
    if any(ord(c) < 32 or c == "\\" for c in link):
        return False
    if link.startswith("/"):
        return not link.startswith("//")
    parts = urlsplit(link)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class NotificationUpdateSerializer(serializers.Serializer):
    """A notification change: only `viewed` is persisted (swagger NotificationPutBody)."""

    viewed = serializers.ChoiceField(choices=VIEWED_CHOICES)
