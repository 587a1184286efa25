"""Groups, memberships, statistics and leaderboards in the contract's shapes (examples/api/groups/)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from groups.models import ROLE_CHOICES, STATUS_CHOICES, Group, GroupMember
from saintsxctf.api.fields import HttpDateField
from saintsxctf.api.serializers import ReadModelSerializer, ReadSerializer


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
