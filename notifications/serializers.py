"""Notifications in the contract's shape (`time` as str() rendered it: 'YYYY-MM-DD HH:MM:SS')."""

from rest_framework import serializers

from notifications.models import VIEWED_CHOICES, Notification
from saintsxctf.api.fields import PlainDateTimeField
from saintsxctf.api.serializers import ReadModelSerializer

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

    username = serializers.CharField()
    description = serializers.CharField(max_length=1000)
    link = serializers.CharField(max_length=127, required=False, allow_null=True, allow_blank=True)


class NotificationUpdateSerializer(serializers.Serializer):
    """A notification change: only `viewed` is persisted (swagger NotificationPutBody)."""

    viewed = serializers.ChoiceField(choices=VIEWED_CHOICES)
