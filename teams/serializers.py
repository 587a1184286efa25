"""Teams, team members and team groups in the contract's shapes (examples/api/teams/)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from groups.models import Group
from groups.serializers import MemberSerializer
from saintsxctf.foundation.api.serializers import ReadModelSerializer
from teams.models import Team, TeamMember


@extend_schema_field(OpenApiTypes.INT)
class LegacyFlagField(serializers.BooleanField):
    """A soft-delete flag as the original's raw rows carried it: the integer 0 or 1."""

    def to_representation(self, value):
        return int(bool(value))


class TeamSerializer(ReadModelSerializer):
    """A team."""

    class Meta:
        model = Team
        fields = ["deleted", "description", "name", "picture_name", "title", "week_start"]
        read_only_fields = fields


class TeamMemberSerializer(MemberSerializer):
    """A member of a team (`deleted` is the raw 0/1 of the original's row)."""

    deleted = LegacyFlagField(read_only=True)

    class Meta:
        model = TeamMember
        fields = ["deleted", "first", "last", "member_since", "status", "user", "username"]
        read_only_fields = fields


class TeamGroupSerializer(ReadModelSerializer):
    """A group of a team (`deleted` is the raw 0/1 of the original's row)."""

    deleted = LegacyFlagField(read_only=True)

    class Meta:
        model = Group
        fields = ["deleted", "description", "group_name", "group_title", "grouppic_name", "id", "week_start"]
        read_only_fields = fields
