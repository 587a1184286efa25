"""Teams: the team itself, its members, its groups and the team search."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from saintsxctf.foundation.api.links import link
from saintsxctf.foundation.api.pagination import MAX_LIMIT
from saintsxctf.foundation.api.parameters import MAX_ID, PathParameter, parse_whole_number
from saintsxctf.foundation.api.schema import envelope_schema
from saintsxctf.foundation.api.viewsets import ContractViewSet, ListMixin, RetrieveMixin
from teams import queries
from teams.models import Team
from teams.serializers import TeamGroupSerializer, TeamMemberSerializer, TeamSerializer

NO_MATCH = "no teams were found with the provided text"
BAD_LIMIT = "the limit must be a non-negative integer"


class TeamViewSet(ListMixin, RetrieveMixin, ContractViewSet):
    """Teams, their members and their groups. Any runner may read any team."""

    key, plural = "team", "teams"
    queryset = Team.objects.order_by("name")
    serializer_class = TeamSerializer
    lookup_field = "name"
    lookup_url_kwarg = "name"
    messages = {
        "retrieve.not_found": "there is no team with this name",
        "members.not_found": "the team does not exist or it has no members",
        "groups.not_found": "the team does not exist or it has no groups",
    }
    descriptions = {"list": "Get all the teams in the database.", "retrieve": "Retrieve a single team with a given name."}
    path_parameters = {
        "text": PathParameter("Text the team's name or title contains (any letter case).", example="saint"),
        "limit": PathParameter(f"The most teams to answer: a whole number (at most {MAX_LIMIT} are answered).",
                               {"type": "integer", "minimum": 0, "maximum": MAX_ID}, 6),
    }

    def error_fields(self) -> dict:
        """Members and groups errors carry a link to the team; the search's bad limit has no teams."""
        if self.action in ("members", "groups"):
            return {"team": link("teams:team-detail", name=self.kwargs["name"]),
                    f"team_{self.action}": None}
        if self.action == "search":
            return {"teams": None}
        return super().error_fields()

    # The success bodies below really name the team link `group` (an original bug clients rely on).
    @extend_schema(responses=envelope_schema(
        "TeamMembers", group=serializers.CharField(), team_members=TeamMemberSerializer(many=True)))
    @action(detail=True, methods=["get"], url_path="members")
    def members(self, request, name):
        """Retrieve the members of a team with a given name."""
        members = list(queries.team_members(name))
        if not members:
            self.fail("not_found")
        return self.envelope(group=link("teams:team-detail", name=name),
                             team_members=TeamMemberSerializer(members, many=True).data)

    @extend_schema(responses=envelope_schema(
        "TeamGroups", group=serializers.CharField(), team_groups=TeamGroupSerializer(many=True)))
    @action(detail=True, methods=["get"], url_path="groups")
    def groups(self, request, name):
        """Retrieve the groups in a team based on the team name."""
        groups = list(queries.team_groups(name))
        if not groups:
            self.fail("not_found")
        return self.envelope(group=link("teams:team-detail", name=name),
                             team_groups=TeamGroupSerializer(groups, many=True).data)

    @extend_schema(responses=envelope_schema(
        "TeamSearch", teams=TeamSerializer(many=True), message=serializers.CharField(required=False)))
    @action(detail=False, methods=["get"], url_path=r"search/(?P<text>[^/]+)/(?P<limit>[^/]+)")
    def search(self, request, text, limit):
        """Text search for teams."""
        count = parse_whole_number(limit)
        if count is None:
            self.fail("invalid", BAD_LIMIT)
        # At most API_MAX_PAGE_SIZE teams, whatever the limit (the web client asks for 6).
        teams = TeamSerializer(queries.team_search(text, min(count, MAX_LIMIT)), many=True).data
        if not teams:
            return self.envelope(teams=[], message=NO_MATCH)
        return self.envelope(teams=teams)
