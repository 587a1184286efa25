"""Users, flair, activation codes and forgot-password codes in the contract's shapes.

Read serializers give the contract's fields in the examples' order; write serializers take only what a
client may send. No serializer outputs `salt`, and only OwnUserSerializer outputs `password` (deviations.md 1
and 13).
"""

import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from saintsxctf.foundation.api.fields import HttpDateField, PlainDateTimeField
from saintsxctf.foundation.api.links import LinkField
from saintsxctf.foundation.api.parameters import MAX_ID
from saintsxctf.foundation.api.serializers import ReadModelSerializer, ReadSerializer
from saintsxctf.foundation.auth.hashers import client_password_hash
from users.models import WEEK_START_CHOICES, ActivationCode, Flair, ForgotPasswordCode, User
from users.queries import STATISTIC_KEYS
from users.services import check_new_password

USER_FIELDS = [
    "activation_code", "class_year", "deleted", "description", "email", "favorite_event", "first",
    "last", "last_signin", "location", "member_since", "profilepic_name", "subscribed", "username",
    "week_start",
]

# Signup messages, in the order the original checks them (responses.md, user_post).
SIGNUP_REQUIRED = "'username', 'first', 'last', 'email', 'password', and 'activation_code' are required fields"
SIGNUP_PASSWORD = "Password must contain at least 6 characters."
SIGNUP_USERNAME = "Username can only contain Roman characters and numbers."
SIGNUP_EMAIL = "The email address is invalid."
USERNAME_PATTERN = re.compile(r"^[a-zA-Z0-9]+$")
EMAIL_PATTERN = re.compile(r"^(([a-zA-Z0-9_.-])+@([a-zA-Z0-9_.-])+\.([a-zA-Z])+([a-zA-Z])+)?$")


# -- users ------------------------------------------------------------------------------------------
class UserSerializer(ReadModelSerializer):
    """A user as GET/PUT/POST show one: `member_since` '2016-12-23', `last_signin` RFC 1123."""

    last_signin = HttpDateField(source="last_login", allow_null=True)
    member_since = serializers.DateField(read_only=True)

    class Meta:
        model = User
        fields = USER_FIELDS
        read_only_fields = fields


@extend_schema_field({"type": "string", "minLength": 60, "maxLength": 60,
                      "description": "Raw bcrypt hash of the runner's password; only in their own record, and "
                                     "absent when SERVE_OWN_PASSWORD_HASH is off (deviations.md 13)"})
class OwnPasswordHashField(serializers.Field):
    """The raw bcrypt hash inside the stored digest, or None (then left out). Output only; not read-only, so the
    schema shows it as optional."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_representation(self, value):
        return client_password_hash(value)


class OwnUserSerializer(UserSerializer):
    """A runner's own record, as GET /v2/users/<own username or email> shows it: with `password`, the raw
    bcrypt hash the web client checks the typed password against in the browser (deviations.md 13). The key
    is left out when the setting is off or the stored digest holds no raw bcrypt hash."""

    password = OwnPasswordHashField()

    class Meta(UserSerializer.Meta):
        fields = sorted([*USER_FIELDS, "password"])
        read_only_fields = [name for name in fields if name != "password"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if data["password"] is None:
            del data["password"]
        return data


class UserPlainDatesSerializer(UserSerializer):
    """A user with both dates as str() renders them ('2016-12-23', '2021-04-14 23:10:23'): list and snapshot."""

    last_signin = PlainDateTimeField(source="last_login", read_only=True, allow_null=True)


class UserListSerializer(UserPlainDatesSerializer):
    """A user in the list, with a link to itself."""

    this_user = LinkField("users:user-detail", "username", attr="username")

    class Meta(UserSerializer.Meta):
        fields = [*USER_FIELDS, "this_user"]
        read_only_fields = fields


class UserSignupSerializer(serializers.Serializer):
    """The signup body. Everything is optional here so the contract's checks run in the contract's order."""

    username = serializers.CharField(max_length=20, required=False, allow_null=True, allow_blank=True)
    first = serializers.CharField(max_length=30, required=False, allow_null=True, allow_blank=True)
    last = serializers.CharField(max_length=30, required=False, allow_null=True, allow_blank=True)
    email = serializers.CharField(max_length=50, required=False, allow_null=True, allow_blank=True)
    password = serializers.CharField(required=False, allow_null=True, allow_blank=True, trim_whitespace=False)
    activation_code = serializers.CharField(max_length=8, required=False, allow_null=True, allow_blank=True)
    description = serializers.CharField(max_length=255, required=False, allow_null=True, allow_blank=True)
    class_year = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=9999)
    location = serializers.CharField(max_length=50, required=False, allow_null=True, allow_blank=True)
    favorite_event = serializers.CharField(max_length=20, required=False, allow_null=True, allow_blank=True)
    week_start = serializers.ChoiceField(WEEK_START_CHOICES, required=False, allow_null=True, default="monday")
    subscribed = serializers.CharField(max_length=1, required=False, allow_null=True, allow_blank=True)
    profilepic_name = serializers.CharField(max_length=50, required=False, allow_null=True, allow_blank=True)

    def validate(self, attrs):
        required = ("username", "first", "last", "email", "password", "activation_code")
        missing = [name for name in required if not attrs.get(name)]
        if missing:
            raise body_error(SIGNUP_REQUIRED, **{name: "This field is required." for name in missing})
        if len(attrs["password"]) < 6:
            raise body_error(SIGNUP_PASSWORD, password=SIGNUP_PASSWORD)
        if not USERNAME_PATTERN.match(attrs["username"]):
            raise body_error(SIGNUP_USERNAME, username=SIGNUP_USERNAME)
        if not EMAIL_PATTERN.match(attrs["email"]):
            raise body_error(SIGNUP_EMAIL, email=SIGNUP_EMAIL)
        candidate = User(username=attrs["username"], email=attrs["email"], first=attrs["first"], last=attrs["last"])
        check_new_password(attrs["password"], candidate, error=lambda message: body_error(message, password=message))
        return attrs


def body_error(message: str, **fields: str) -> serializers.ValidationError:
    """A check of the whole body, in the contract's order: `message` is the body's error (the view answers it as
    `error`), and each field it is about carries its own message (the answer's `errors`)."""
    return serializers.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [message],
                                        **{name: [text] for name, text in fields.items()}})


class UserSignupRequestSerializer(UserSignupSerializer):
    """The signup body as the schema documents it: the six fields the contract requires are required (the view
    reads the body with UserSignupSerializer, so it can answer the contract's message for a missing one)."""

    def get_fields(self):
        fields = super().get_fields()
        for name in ("username", "first", "last", "email", "password", "activation_code"):
            fields[name].required = True
        return fields


class ClassYearField(serializers.IntegerField):
    """A class year: a number, or the text of one ("2017"), as the iOS app sends it; "" means none."""

    def validate_empty_values(self, data):
        if data == "":
            return True, None
        return super().validate_empty_values(data)


class UserWriteSerializer(serializers.ModelSerializer):
    """What a runner may change in their profile. A PUT replaces: an omitted field becomes null, except
    `class_year`, which stays as it is when omitted (two of the iOS app's three profile writes leave it out:
    other-clients.md 5.8). `password`, `salt`, `profilepic`, `groups` and other keys a client echoes are
    not fields here, so they change nothing."""

    class_year = ClassYearField(allow_null=True, required=False, min_value=0, max_value=9999)
    week_start = serializers.ChoiceField(WEEK_START_CHOICES, allow_null=True, default="monday")

    def validate_email(self, value):
        # The signup's rule (an address, never a bare name: sign-in looks accounts up by username or email).
        if value and not EMAIL_PATTERN.match(value):
            raise serializers.ValidationError(SIGNUP_EMAIL)
        return value

    class Meta:
        model = User
        fields = ["first", "last", "email", "profilepic_name", "description", "class_year", "location",
                  "favorite_event", "week_start"]
        extra_kwargs = {
            name: {"default": None, "allow_null": True, "allow_blank": True}
            for name in ["email", "profilepic_name", "description", "location", "favorite_event"]
        }


class GroupJoinSerializer(serializers.Serializer):
    team_name = serializers.CharField(max_length=31)
    group_name = serializers.CharField(max_length=20)


class MembershipsWriteSerializer(serializers.Serializer):
    """Teams and groups to join and to leave; a missing list is empty."""

    teams_joined = serializers.ListField(child=serializers.CharField(max_length=31), default=list)
    teams_left = serializers.ListField(child=serializers.CharField(max_length=31), default=list)
    groups_joined = GroupJoinSerializer(many=True, default=list)
    groups_left = GroupJoinSerializer(many=True, default=list)


class ChangePasswordSerializer(serializers.Serializer):
    """A forgot-password code and the new password it allows."""

    forgot_password_code = serializers.CharField(max_length=8)
    new_password = serializers.CharField(trim_whitespace=False, max_length=128)


# -- memberships, notifications, statistics -------------------------------------------------------
class UserGroupSerializer(ReadSerializer):
    """One of a user's group memberships (`user` is the role)."""

    group_name = serializers.CharField(source="group.group_name")
    group_title = serializers.CharField(source="group.group_title", allow_null=True)
    id = serializers.IntegerField(source="group_id")
    status = serializers.CharField()
    user = serializers.CharField(source="role")


class SnapshotGroupSerializer(UserGroupSerializer):
    """A group membership in a snapshot, with the time of the group's newest log."""

    newest_log = HttpDateField(allow_null=True)


class UserTeamSerializer(ReadSerializer):
    """One of a user's team memberships (`user` is the role)."""

    status = serializers.CharField()
    team_name = serializers.CharField(source="team_id")
    title = serializers.CharField(source="team.title")
    user = serializers.CharField(source="role")


class MembershipGroupSerializer(ReadSerializer):
    """A group membership inside a team membership."""

    group_id = serializers.IntegerField()
    group_name = serializers.CharField(source="group.group_name")
    group_title = serializers.CharField(source="group.group_title", allow_null=True)
    status = serializers.CharField()
    user = serializers.CharField(source="role")


class MembershipSerializer(UserTeamSerializer):
    """A team membership with the user's groups in that team."""

    groups = MembershipGroupSerializer(source="group_memberships", many=True)

    class Meta:
        fields = ["groups", "status", "team_name", "title", "user"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        return {key: data[key] for key in self.Meta.fields}


class UserNotificationSerializer(ReadSerializer):
    """A notification as a user's list shows it."""

    description = serializers.CharField(allow_null=True)
    link = serializers.CharField(allow_null=True)
    notification_id = serializers.IntegerField()
    time = HttpDateField()
    username = serializers.CharField(source="user_id")
    viewed = serializers.CharField()


class StatisticsSerializer(ReadSerializer):
    """Miles, run miles and average feel, all time / past year / past month / past week."""

    def get_fields(self):
        return {key: serializers.FloatField() for key in sorted(STATISTIC_KEYS)}


# -- flair ------------------------------------------------------------------------------------------
class FlairSerializer(ReadModelSerializer):
    """A flair item."""

    username = serializers.CharField(source="user_id", read_only=True)

    class Meta:
        model = Flair
        fields = ["deleted", "flair", "flair_id", "username"]
        read_only_fields = fields


class FlairWriteSerializer(serializers.Serializer):
    """A new flair: for whom, and what it says."""

    username = serializers.CharField(max_length=20)
    flair = serializers.CharField(max_length=50)


# -- codes ------------------------------------------------------------------------------------------
class ActivationCodeSerializer(ReadModelSerializer):
    """An activation code."""

    group_id = serializers.IntegerField(read_only=True, allow_null=True)
    expiration_date = HttpDateField(allow_null=True)

    class Meta:
        model = ActivationCode
        fields = ["activation_code", "email", "group_id", "expiration_date", "deleted"]
        read_only_fields = fields


class ActivationCodeWriteSerializer(serializers.Serializer):
    """A new activation code: the group it joins and the address it is mailed to."""

    group_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    email = serializers.EmailField(max_length=50)


class ForgotPasswordCodeSerializer(ReadModelSerializer):
    """A forgot-password code; `deleted` is an integer, as the original's raw SQL row had it."""

    username = serializers.CharField(source="user_id", read_only=True)
    expires = HttpDateField()
    deleted = serializers.SerializerMethodField()

    class Meta:
        model = ForgotPasswordCode
        fields = ["deleted", "expires", "forgot_code", "username"]
        read_only_fields = fields

    @extend_schema_field(int)
    def get_deleted(self, obj) -> int:
        return int(obj.deleted)


class UserSnapshotSerializer(UserPlainDatesSerializer):
    """A user with their groups, forgot-password codes, flair, notifications and statistics."""

    groups = SnapshotGroupSerializer(source="snapshot_groups", many=True, read_only=True)
    forgotpassword = ForgotPasswordCodeSerializer(source="live_forgot_password_codes", many=True, read_only=True)
    flair = FlairSerializer(source="live_flair", many=True, read_only=True)
    notifications = UserNotificationSerializer(source="recent_notifications", many=True, read_only=True)
    statistics = StatisticsSerializer(read_only=True)

    class Meta(UserSerializer.Meta):
        fields = [*USER_FIELDS, "flair", "forgotpassword", "groups", "notifications", "statistics"]
        read_only_fields = fields
