"""Groups, memberships, statistics and leaderboards in the contract's shapes (examples/api/groups/)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from groups.models import ROLE_CHOICES, STATUS_CHOICES, TARGET_KIND_CHOICES, Group, GroupMember, TrainingTarget
from saintsxctf.foundation.api.fields import HttpDateField
from saintsxctf.foundation.api.links import link
from saintsxctf.foundation.api.serializers import ReadModelSerializer, ReadSerializer


@extend_schema_field({"type": "string", "nullable": True})
class PictureField(serializers.Field):
    """A legacy picture blob as UTF-8 text (how the original returned it), or null."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        if value is None:
            return None
        return bytes(value).decode("utf-8", errors="replace")


class GroupSerializer(ReadModelSerializer):
    """A group, as GET /v2/groups/<id> and the list show it."""

    grouppic = PictureField()

    class Meta:
        model = Group
        fields = ["deleted", "description", "group_name", "group_title", "grouppic", "grouppic_name", "id",
                  "week_start"]
        read_only_fields = fields


class GroupByNameSerializer(ReadModelSerializer):
    """A group found by team and group name: the original returned its six-column row as is."""

    class Meta:
        model = Group
        fields = ["description", "group_name", "group_title", "grouppic_name", "id", "week_start"]
        read_only_fields = fields


class GroupWriteSerializer(serializers.ModelSerializer):
    """What a group admin may change (swagger GroupPutBody: all three required, each may be null)."""

    class Meta:
        model = Group
        fields = ["grouppic_name", "description", "week_start"]
        extra_kwargs = {name: {"required": True, "allow_null": True} for name in fields}
        # sunday or monday (the original's foreign key to `weekstart`): a blank one is refused like any other.
        extra_kwargs["week_start"]["allow_blank"] = False


class MemberSerializer(ReadModelSerializer):
    """The runner of a group's or a team's membership row: username, name, member-since date and role (`user`).
    A base: each member list declares its model and fields."""

    username = serializers.CharField(source="user_id", read_only=True)
    first = serializers.CharField(source="user.first", read_only=True)
    last = serializers.CharField(source="user.last", read_only=True)
    member_since = HttpDateField(source="user.member_since")
    user = serializers.CharField(source="role", read_only=True)


class GroupMemberListSerializer(MemberSerializer):
    """A member in a group's member list (no `deleted`: the original's tests assert it is absent)."""

    class Meta:
        model = GroupMember
        fields = ["first", "last", "member_since", "status", "user", "username"]
        read_only_fields = fields


class GroupMemberSerializer(ReadModelSerializer):
    """A group membership, as PUT /v2/groups/members/<group_id>/<username> answers it."""

    group_name = serializers.CharField(source="group.group_name", read_only=True)
    username = serializers.CharField(source="user_id", read_only=True)
    user = serializers.CharField(source="role", read_only=True)

    class Meta:
        model = GroupMember
        fields = ["deleted", "group_id", "group_name", "id", "status", "user", "username"]
        read_only_fields = fields


class GroupMemberWriteSerializer(serializers.Serializer):
    """A membership change: its status and its role (swagger GroupMembershipPutBody)."""

    status = serializers.ChoiceField(choices=STATUS_CHOICES)
    user = serializers.ChoiceField(choices=ROLE_CHOICES)


class GroupStatisticsSerializer(ReadSerializer):
    """Miles, run miles and average feel of a group's accepted members over four intervals."""

    miles_all_time = serializers.FloatField()
    miles_past_year = serializers.FloatField()
    miles_past_month = serializers.FloatField()
    miles_past_week = serializers.FloatField()
    run_miles_all_time = serializers.FloatField()
    run_miles_past_year = serializers.FloatField()
    run_miles_past_month = serializers.FloatField()
    run_miles_past_week = serializers.FloatField()
    feel_all_time = serializers.FloatField()
    feel_past_year = serializers.FloatField()
    feel_past_month = serializers.FloatField()
    feel_past_week = serializers.FloatField()


class LeaderboardRowSerializer(ReadSerializer):
    """One member's miles in a leaderboard: the schema of the rows `groups.queries.group_leaderboard` answers
    as they are rendered (and their rendering from the query's columns, for tests)."""

    username = serializers.CharField()
    first = serializers.CharField(source="first_name")
    last = serializers.CharField(source="last_name")
    miles = serializers.FloatField(source="total")
    miles_run = serializers.FloatField(source="run_total")
    miles_biked = serializers.FloatField(source="bike_total")
    miles_swam = serializers.FloatField(source="swim_total")
    miles_other = serializers.FloatField(source="other_total")


class GroupSnapshotSerializer(GroupSerializer):
    """A group with its members and statistics (GET /v2/groups/snapshot/<team_name>/<group_name>)."""

    members = GroupMemberListSerializer(many=True, read_only=True, source="member_list")
    statistics = GroupStatisticsSerializer(read_only=True)

    class Meta(GroupSerializer.Meta):
        fields = [*GroupSerializer.Meta.fields, "members", "statistics"]
        read_only_fields = fields


# -- the coach's view (groups/dashboard.py): training targets and the dashboard -----------------------------------
class TargetSerializer(serializers.ModelSerializer):
    """A weekly mileage target of a group (`username` null) or of one runner in it."""

    username = serializers.CharField(source="user_id", allow_null=True)
    group_id = serializers.IntegerField()

    class Meta:
        model = TrainingTarget
        fields = ["id", "group_id", "username", "kind", "weekly_miles", "start", "end", "note"]


class TargetWriteSerializer(serializers.Serializer):
    """What a group admin sends to set a target: `username` omitted or null means the whole group."""

    username = serializers.CharField(required=False, allow_null=True, max_length=20)
    kind = serializers.ChoiceField(choices=TARGET_KIND_CHOICES, default="run")
    weekly_miles = serializers.FloatField(min_value=0.1, max_value=500)
    start = serializers.DateField()
    end = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")

    def validate(self, attrs):
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": "The end of the range is before its start."})
        return attrs


class TargetProgressSerializer(serializers.Serializer):
    """A runner against a target: this week so far and the target's range so far, with the miles expected by
    today (pro rata) and on/under/over."""

    target_id = serializers.IntegerField()
    scope = serializers.ChoiceField(choices=["group", "runner"])
    kind = serializers.ChoiceField(choices=TARGET_KIND_CHOICES)
    weekly_miles = serializers.FloatField()
    start = serializers.DateField()
    end = serializers.DateField()
    week_miles = serializers.FloatField()
    week_expected = serializers.FloatField()
    week_status = serializers.ChoiceField(choices=["under", "on", "over"])
    range_miles = serializers.FloatField()
    range_expected = serializers.FloatField()
    range_status = serializers.ChoiceField(choices=["under", "on", "over"])


class RunnerTargetSerializer(TargetProgressSerializer):
    """One of a runner's own targets (one per group they are in, where the group or the runner has one)."""

    group_id = serializers.IntegerField()
    group_name = serializers.CharField()
    group_title = serializers.CharField(allow_null=True)
    week_start = serializers.DateField()
    note = serializers.CharField(allow_blank=True)


class DashboardWeekSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    current = serializers.BooleanField()


class DashboardCellSerializer(serializers.Serializer):
    run_miles = serializers.FloatField()
    miles = serializers.FloatField()
    logs = serializers.IntegerField()


class DashboardFlagSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["quiet", "low_feel", "feel_falling", "pain"])
    text = serializers.CharField()
    date = serializers.DateField(allow_null=True)
    log_id = serializers.IntegerField(allow_null=True)
    log = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_log(self, flag) -> str | None:
        return link("logs:log-detail", log_id=flag["log_id"]) if flag["log_id"] else None


class DashboardRunnerSerializer(serializers.Serializer):
    username = serializers.CharField()
    first = serializers.CharField()
    last = serializers.CharField()
    last_log = serializers.DateField(allow_null=True)
    days_since_log = serializers.IntegerField(allow_null=True)
    weeks = DashboardCellSerializer(many=True)
    target = TargetProgressSerializer(allow_null=True)
    flags = DashboardFlagSerializer(many=True)


class DashboardGroupWeekSerializer(DashboardCellSerializer):
    runners = serializers.IntegerField(help_text="How many runners logged that week.")


class DashboardPendingSerializer(serializers.Serializer):
    username = serializers.CharField()
    first = serializers.CharField()
    last = serializers.CharField()


class DashboardSerializer(serializers.Serializer):
    """A group's coach dashboard: weeks (oldest first, the group's week start), runners with a cell per week,
    the group's totals per week, flags, pending join requests, targets in force and who is on/under/over."""

    today = serializers.DateField()
    quiet_days = serializers.IntegerField()
    weeks = DashboardWeekSerializer(many=True)
    runners = DashboardRunnerSerializer(many=True)
    group_weeks = DashboardGroupWeekSerializer(many=True)
    pending = DashboardPendingSerializer(many=True)
    targets = TargetSerializer(many=True)
    target_summary = serializers.DictField(child=serializers.IntegerField())
