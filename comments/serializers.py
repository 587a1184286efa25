"""Comments as the contract shows them. The original rendered a comment's `time` two ways: with `str()`
("2021-05-30 12:05:00") in GET /v2/comments/<id> and inside GET /v2/logs (there with a `comment` link), and as RFC 1123 in the log feed,
GET /v2/comments/ and the bodies of POST/PUT. Each shape has its serializer; none holds logic."""

from rest_framework import serializers

from comments.models import Comment
from logs.models import Log
from saintsxctf.foundation.api.fields import HttpDateField, PlainDateTimeField
from saintsxctf.foundation.api.links import LinkField
from saintsxctf.foundation.api.serializers import ReadModelSerializer

# Formats a client may send a comment's time in: what the web client sends ("2021-05-30 12:05:00"), ISO 8601,
# and the RFC 1123 text the list and feed render (so a comment read from them can be sent back).
TIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "iso-8601", "%a, %d %b %Y %H:%M:%S GMT"]

COMMENT_FIELDS = ["comment_id", "content", "deleted", "first", "last", "log_id", "time", "username"]


class CommentSerializer(ReadModelSerializer):
    """A comment with its time as `str()` renders it (GET /v2/comments/<id>, comments inside a log)."""

    null_defaults = {"first": "", "last": "", "content": ""}  # the iOS app force-reads them (other-clients.md 5.4)

    log_id = serializers.IntegerField(read_only=True)
    time = PlainDateTimeField(read_only=True)
    username = serializers.CharField(source="user_id", read_only=True)

    class Meta:
        model = Comment
        fields = COMMENT_FIELDS
        read_only_fields = fields


class CommentInLogSerializer(CommentSerializer):
    """A comment inside GET /v2/logs/ and GET /v2/logs/<id>: with `comment`, its own link."""

    comment = LinkField("comments:comment-detail", "comment_id", attr="comment_id")

    class Meta(CommentSerializer.Meta):
        fields = ["comment", *COMMENT_FIELDS]
        read_only_fields = fields


class CommentHttpTimeSerializer(CommentSerializer):
    """A comment with its time in RFC 1123 (the log feed, and the bodies of POST and PUT)."""

    time = HttpDateField()


class CommentListSerializer(CommentHttpTimeSerializer):
    """A comment in GET /v2/comments/: RFC 1123 time and a link to its log."""

    log = LinkField("logs:log-detail", "log_id", attr="log_id")

    class Meta(CommentHttpTimeSerializer.Meta):
        fields = [*COMMENT_FIELDS, "log"]
        read_only_fields = fields


class CommentCreateSerializer(serializers.Serializer):
    """What POST /v2/comments/ takes. `username` must be the caller's; the comment's log must exist."""

    username = serializers.CharField(max_length=20)
    first = serializers.CharField(max_length=30, allow_blank=True)
    last = serializers.CharField(max_length=30, allow_blank=True)
    log_id = serializers.PrimaryKeyRelatedField(source="log", queryset=Log.objects.all())
    content = serializers.CharField(max_length=1000, required=False, allow_null=True, allow_blank=True, default=None)
    time = serializers.DateTimeField(input_formats=TIME_INPUT_FORMATS, required=False, allow_null=True, default=None)


class CommentUpdateSerializer(serializers.Serializer):
    """What PUT /v2/comments/<id> takes: a whole comment. Only `content` and `time` are written; the other
    keys only decide whether the body equals the stored comment (the original's equality check)."""

    content = serializers.CharField(max_length=1000, required=False, allow_null=True, allow_blank=True, default=None)
    time = serializers.DateTimeField(input_formats=TIME_INPUT_FORMATS, required=False, allow_null=True, default=None)
    username = serializers.CharField(source="user_id", required=False, allow_null=True, allow_blank=True, default=None)
    first = serializers.CharField(required=False, allow_null=True, allow_blank=True, default=None)
    last = serializers.CharField(required=False, allow_null=True, allow_blank=True, default=None)
    log_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    deleted = serializers.BooleanField(required=False, allow_null=True, default=None)

    WRITABLE = ("content", "time")
