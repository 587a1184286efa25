"""Groups: the group itself, its team, its members, statistics, leaderboards and snapshot."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated

from groups import queries
from groups import services as group_services
from groups.dashboard import coach_dashboard
from groups.models import Group, GroupMember, TrainingTarget
from groups.serializers import (
    DashboardSerializer,
    GroupByNameSerializer,
    GroupMemberListSerializer,
    GroupMemberSerializer,
    GroupMemberWriteSerializer,
    GroupSerializer,
    GroupSnapshotSerializer,
    GroupStatisticsSerializer,
    GroupWriteSerializer,
    LeaderboardRowSerializer,
    TargetSerializer,
    TargetWriteSerializer,
)
from groups.services import group_member_remove, group_member_update, group_update
from logs.cached import cached
from saintsxctf.foundation.api.links import link
from saintsxctf.foundation.api.parameters import PathParameter, parse_id
from saintsxctf.foundation.api.permissions import IsGroupAdmin
from saintsxctf.foundation.api.schema import envelope_schema
from saintsxctf.foundation.api.viewsets import ContractViewSet, ListMixin
from teams.models import Team
from teams.serializers import TeamSerializer

# Fields whose equality with the stored group makes a PUT "unchanged" (as the original compared them).
GROUP_EQUALITY_FIELDS = ("id", "group_name", "group_title", "grouppic_name", "week_start", "description")
GROUP_UPDATE_FAILED = "The group failed to update."
MEMBERSHIP_UPDATE_FAILED = "The group membership failed to update."
NO_LEADERBOARD = "No leaderboard data was found within this group and time interval."
TARGET_CREATE_FAILED = "The target failed to create."

# The two-segment member path means team/group for GET and group id/username for PUT and DELETE
# (one URL pattern serves all three verbs, so its parameters are named for both meanings).
MEMBER_A, MEMBER_B = "team_name_or_group_id", "group_name_or_username"


def rendered_members(parts: tuple, rows) -> list[dict]:
    """A group's member list as GroupMemberListSerializer renders `rows()`, cached as rendered until a user,
    group, team or membership changes (logs/cached.py; log writes leave it): rendering a 130-member group cost
    more than the rest of the request."""
    return cached("group_members", parts, lambda: list(GroupMemberListSerializer(rows(), many=True).data),
                  reads_logs=False, keep=bool)  # no entry for a path that names no group (security probe F13)


class GroupViewSet(ListMixin, ContractViewSet):
    """Groups of runners inside a team."""

    key, plural = "group", "groups"
    queryset = Group.objects.order_by("id")
    serializer_class = GroupSerializer
    write_serializer_class = GroupWriteSerializer
    lookup_url_kwarg = "group_id"
    unparseable_body_is_empty = True
    permission_classes = [IsAuthenticated, IsGroupAdmin]
    # The admin-only actions and the URL kwarg naming their group (IsGroupAdmin checks it before anything else,
    # as the original refused updates: a refusal never tells which groups exist). `by_name_put` checks the group it
    # finds by name; `membership_delete` also lets a member leave.
    descriptions = {"list": "Get all the groups in the database."}
    path_parameters = {
        "interval": PathParameter("`year`, `month` or `week` (from the start of the current one, in the group's week "
                                  "start); any other value means all time.", example="week"),
        MEMBER_A: PathParameter("GET: the team's name; PUT and DELETE: the group's id (a whole number).",
                                example="saintsxctf"),
        MEMBER_B: PathParameter("GET: the group's name inside the team; PUT and DELETE: the member's username.",
                                example="alumni"),
    }
    group_admin_kwargs = {"update": "group_id", "membership_put": MEMBER_A, "dashboard": "group_id",
                          "targets": "group_id", "targets_post": "group_id", "target_delete": "group_id"}
    messages = {
        "retrieve.not_found": "there is no group with this id",
        "update.forbidden": "User {user} is not authorized to update a group with id {group_id}.",
        "update.not_found": "There is no existing group with this id.",
        "update.unchanged": "The group submitted is equal to the existing group with the same id.",
        "update.invalid": GROUP_UPDATE_FAILED,
        "update.empty": GROUP_UPDATE_FAILED,
        "by_name.not_found": "there is no group with this name",
        "by_name_put.not_found": "there is no existing group with this name",
        "by_name_put.forbidden":
            "User {user} is not authorized to update a group with name {group_name} in team {team_name}.",
        "by_name_put.unchanged": "the group submitted is equal to the existing group with the same name",
        "by_name_put.invalid": "the group failed to update",
        "by_name_put.empty": "the group failed to update",
        "team.not_found": "No team exists that has a group with this id.",
        "members.not_found": "a group does not exist with this id or the group has no members",
        "membership.not_found": "the group does not exist or there are no members in the group",
        "membership_put.forbidden": "User {user} is not authorized to update the group membership for user "
                                    f"{{{MEMBER_B}}} in group with id {{{MEMBER_A}}}.",
        "membership_put.not_found": MEMBERSHIP_UPDATE_FAILED,
        "membership_put.invalid": MEMBERSHIP_UPDATE_FAILED,
        "membership_put.empty": MEMBERSHIP_UPDATE_FAILED,
        "membership_delete.not_found": "Failed to delete the group membership.",
        "membership_delete.forbidden": "User {user} is not authorized to delete the group membership for user "
                                       f"{{{MEMBER_B}}} in group with id {{{MEMBER_A}}}.",
        "statistics.not_found": "there is no group with this id",
        "leaderboard.not_found": "there is no group with this id",
        "leaderboard_interval.not_found": "there is no group with this id",
        "snapshot.not_found": "the group does not exist",
        "dashboard.forbidden": "User {user} is not authorized to view the dashboard of group with id {group_id}.",
        "targets.forbidden": "User {user} is not authorized to view the targets of group with id {group_id}.",
        "targets_post.forbidden": "User {user} is not authorized to create a target in group with id {group_id}.",
        "targets_post.empty": TARGET_CREATE_FAILED,
        "targets_post.invalid": TARGET_CREATE_FAILED,
        "target_delete.forbidden":
            "User {user} is not authorized to delete target {target_id} of group with id {group_id}.",
        "target_delete.not_found": "There is no target with this id in this group.",
    }

    def error_fields(self) -> dict:
        """The endpoint's own error envelope (some carry a link to the group)."""
        kwargs = self.kwargs
        by_name = {"team_name": kwargs.get("team_name"), "group_name": kwargs.get("group_name")}
        bodies = {
            "by_name": lambda: {"group": None},
            "by_name_put": lambda: {"updated": False, "group": None},
            "team": lambda: {"team": None},
            "members": lambda: {"group": link("groups:group-detail", group_id=kwargs["group_id"]),
                                "group_members": None},
            "membership": lambda: {"group": link("groups:group-by-name", team_name=kwargs[MEMBER_A],
                                                 group_name=kwargs[MEMBER_B]),
                                   "group_members": None},
            "membership_put": lambda: {"updated": False, "group_member": None},
            "membership_delete": lambda: {"deleted": False},
            "statistics": lambda: {"stats": None},
            "leaderboard": lambda: {"leaderboard": None},
            "leaderboard_interval": lambda: {"leaderboard": None},
            "snapshot": lambda: {"group": link("groups:group-by-name", **by_name), "group_snapshot": None},
            "dashboard": lambda: {"dashboard": None},
            "targets": lambda: {"targets": None},
            "targets_post": lambda: {"added": False, "target": None},
            "target_delete": lambda: {"deleted": False},
        }
        body = bodies.get(self.action)
        return body() if body else super().error_fields()

    # -- helpers ----------------------------------------------------------------------------------
    @property
    def caller(self) -> str:
        return self.request.user.get_username()

    def permission_denied(self, request, message=None, code=None):
        # The admin of a group deleted since is told that it no longer exists (the original checked the admin
        # membership, then the live group); everyone else gets the action's refusal.
        if self.action == "update" and request.user.is_authenticated and \
                queries.administered_before_deletion(self.caller, self.kwargs["group_id"]):
            self.fail("not_found")
        super().permission_denied(request, message, code)

    def group_or_fail(self, group: Group | None) -> Group:
        if group is None:
            self.fail("not_found")
        return group

    def put_group(self, group: Group, serializer_class):
        """Shared by both group PUTs: refuse an unchanged body, validate, update this group only."""
        body = self.body()
        if all(body.get(name) == getattr(group, name) for name in GROUP_EQUALITY_FIELDS):
            self.fail("unchanged")
        data = self.validated(group)
        group = group_update(group=group, **data)
        return self.envelope(updated=True, group=serializer_class(Group.objects.get(pk=group.pk)).data)

    # -- the group by id ------------------------------------------------------------------------
    @extend_schema(responses=envelope_schema("GroupEnvelope", group=GroupSerializer()))
    def retrieve(self, request, *args, **kwargs):
        """Retrieve a single group based on its id."""
        group = self.group_or_fail(queries.group_by_id(kwargs["group_id"]))
        return self.envelope(group=GroupSerializer(group).data)

    @extend_schema(request=GroupWriteSerializer, responses=envelope_schema(
        "GroupUpdated", updated=serializers.BooleanField(), group=GroupSerializer()))
    def update(self, request, *args, **kwargs):
        """Update a group based on its id."""
        # Only its admins get here (IsGroupAdmin, before existence: the original refused id 0 so).
        return self.put_group(self.group_or_fail(queries.group_by_id(kwargs["group_id"])), GroupSerializer)

    # -- the group by team and group name ---------------------------------------------------------
    @extend_schema(operation_id="v2_groups_by_name_retrieve",
                   responses=envelope_schema("GroupByName", group=GroupByNameSerializer()))
    @action(detail=False, methods=["get"], url_path=r"(?P<team_name>[^/]+)/(?P<group_name>[^/]+)")
    def by_name(self, request, team_name, group_name):
        """Retrieve a single group based on the group name and team name."""
        group = self.group_or_fail(queries.group_by_name(team_name, group_name))
        return self.envelope(group=GroupByNameSerializer(group).data)

    @extend_schema(operation_id="v2_groups_by_name_update", request=GroupWriteSerializer, responses=envelope_schema(
        "GroupByNameUpdated", updated=serializers.BooleanField(), group=GroupByNameSerializer()))
    @by_name.mapping.put
    def by_name_put(self, request, team_name, group_name):
        """Update a group based on the group name and team name."""
        group = self.group_or_fail(queries.group_by_name(team_name, group_name))
        self.check_object_permissions(request, group)  # its admins only (IsGroupAdmin)
        # Only the group in the path changes, whatever group the body names (deviations.md 4).
        return self.put_group(group, GroupByNameSerializer)

    # -- the group's team -----------------------------------------------------------------------
    @extend_schema(responses=envelope_schema("GroupTeam", team=TeamSerializer()))
    @action(detail=True, methods=["get"], url_path="team")
    def team(self, request, group_id):
        """Retrieve team information about a group."""
        pk = parse_id(group_id)
        team = None if pk is None else Team.objects.filter(
            team_groups__group_id=pk, team_groups__deleted=False, team_groups__group__deleted=False,
        ).order_by("name").first()
        if team is None:
            self.fail("not_found")
        return self.envelope(team=TeamSerializer(team).data)

    # -- members --------------------------------------------------------------------------------
    @extend_schema(responses=envelope_schema(
        "GroupMembersById", group=serializers.CharField(), group_members=GroupMemberListSerializer(many=True)))
    @action(detail=True, methods=["get"], url_path="members")
    def members(self, request, group_id):
        """Get the members of a group based on the group id."""
        pk = parse_id(group_id)  # the cache key: "01" and "1" are one group, "abc" none
        members = pk is not None and rendered_members(("id", pk), lambda: queries.group_members_by_id(pk))
        if not members:
            self.fail("not_found")
        return self.envelope(group=link("groups:group-detail", group_id=group_id), group_members=members)

    @extend_schema(operation_id="v2_groups_members_by_name_retrieve", responses=envelope_schema(
        "GroupMembersByName", group=serializers.CharField(), group_members=GroupMemberListSerializer(many=True)))
    @action(detail=False, methods=["get"], url_path=rf"members/(?P<{MEMBER_A}>[^/]+)/(?P<{MEMBER_B}>[^/]+)")
    def membership(self, request, **kwargs):
        """Get the members of a group based on the group name and team name."""
        team_name, group_name = kwargs[MEMBER_A], kwargs[MEMBER_B]
        members = rendered_members(("name", team_name, group_name),
                                   lambda: queries.group_members_by_name(team_name, group_name))
        if not members:
            self.fail("not_found")
        return self.envelope(group=link("groups:group-by-name", team_name=team_name, group_name=group_name),
                             group_members=members)

    @extend_schema(request=GroupMemberWriteSerializer, responses=envelope_schema(
        "GroupMembershipUpdated", updated=serializers.BooleanField(), group_member=GroupMemberSerializer()))
    @membership.mapping.put
    def membership_put(self, request, **kwargs):
        """Update a group membership for a user."""
        group_id, username = parse_id(kwargs[MEMBER_A]), kwargs[MEMBER_B]  # its admins only (IsGroupAdmin)
        membership = GroupMember.objects.select_related("group").filter(
            group_id=group_id, user_id=username).order_by("id").first()
        if membership is None:
            self.fail("not_found")
        data = self.checked(GroupMemberWriteSerializer(data=self.body()))
        membership = group_member_update(membership=membership, status=data["status"], role=data["user"])
        if membership is None:  # removed while this request was on its way
            self.fail("not_found")
        return self.envelope(updated=True, group_member=GroupMemberSerializer(membership).data)

    @extend_schema(responses={204: envelope_schema("GroupMembershipDeleted", deleted=serializers.BooleanField())})
    @membership.mapping.delete
    def membership_delete(self, request, **kwargs):
        """Delete a users group membership."""
        group_id, username = parse_id(kwargs[MEMBER_A]), kwargs[MEMBER_B]
        leaving = group_id is not None and username == self.caller
        if not leaving and not request.user.administers(group_id):
            self.refuse()
        if not group_member_remove(group_id=group_id, username=username):
            # No such membership: 400, never a 204 that says something was deleted (the original's UPDATE of
            # no rows answered 204; its failure message, as a 400 per deviations.md 2).
            self.fail("not_found")
        return self.envelope(204, deleted=True)

    # -- statistics, leaderboards, snapshot -----------------------------------------------------
    @extend_schema(responses=envelope_schema("GroupStatistics", stats=GroupStatisticsSerializer()))
    @action(detail=True, methods=["get"], url_path="statistics")
    def statistics(self, request, group_id):
        """Get the statistics of a group based on the group id."""
        group = self.group_or_fail(queries.group_by_id(group_id))
        return self.envelope(stats=queries.group_statistics(group))

    def leaderboard_response(self, group_id, interval=None):
        group = self.group_or_fail(queries.group_by_id(group_id))
        rows = queries.group_leaderboard(group, interval)  # as rendered: LeaderboardRowSerializer is its schema
        if not rows:
            return self.envelope(leaderboard=[], warning=NO_LEADERBOARD)
        return self.envelope(leaderboard=rows)

    @extend_schema(responses=envelope_schema(
        "GroupLeaderboard", leaderboard=LeaderboardRowSerializer(many=True),
        warning=serializers.CharField(required=False)))
    @action(detail=True, methods=["get"], url_path="leaderboard")
    def leaderboard(self, request, group_id):
        """Get group leaderboard information.  There is no time constraint on this data."""
        return self.leaderboard_response(group_id)

    @extend_schema(
        operation_id="v2_groups_leaderboard_interval_retrieve",
        responses=envelope_schema(
            "GroupLeaderboardInterval", leaderboard=LeaderboardRowSerializer(many=True),
            warning=serializers.CharField(required=False)),
    )
    @action(detail=False, methods=["get"], url_path=r"leaderboard/(?P<group_id>[^/]+)/(?P<interval>[^/]+)")
    def leaderboard_interval(self, request, group_id, interval):
        """Get group leaderboard information during a certain time interval."""
        return self.leaderboard_response(group_id, interval)

    @extend_schema(responses=envelope_schema(
        "GroupSnapshot", group=serializers.CharField(), group_snapshot=GroupSnapshotSerializer()))
    @action(detail=False, methods=["get"], url_path=r"snapshot/(?P<team_name>[^/]+)/(?P<group_name>[^/]+)")
    def snapshot(self, request, team_name, group_name):
        """Get a snapshot about a group based on the group name and team name."""
        group = self.group_or_fail(queries.group_by_name(team_name, group_name))
        group.member_list = list(queries.group_members_by_name(team_name, group_name))
        group.statistics = queries.group_statistics(group)
        return self.envelope(group=link("groups:group-by-name", team_name=team_name, group_name=group_name),
                             group_snapshot=GroupSnapshotSerializer(group).data)

    # -- the coach's view: dashboard and targets (group admins only; groups/dashboard.py) ------------------
    def admin_group_or_fail(self, group_id) -> Group:
        """The group of an admin-only action (its admins got here: IsGroupAdmin), or the action's not-found error."""
        return self.group_or_fail(queries.group_by_id(group_id))

    @extend_schema(
        parameters=[OpenApiParameter("weeks", OpenApiTypes.INT, description="weeks up to this one (1-52, 12)"),
                    OpenApiParameter("quiet", OpenApiTypes.INT, description="days without a log to flag")],
        responses=envelope_schema("GroupDashboard", group=serializers.CharField(), dashboard=DashboardSerializer()))
    @action(detail=True, methods=["get"], url_path="dashboard")
    def dashboard(self, request, group_id):
        """Get the coach dashboard of a group: weekly miles per runner, flags, join requests and targets."""
        group = self.admin_group_or_fail(group_id)
        data = coach_dashboard(group, weeks=_bounded(request.query_params.get("weeks"), 12, 1, 52),
                               quiet_days=_bounded(request.query_params.get("quiet"), None, 1, 365))
        return self.envelope(group=link("groups:group-detail", group_id=group.pk),
                             dashboard=DashboardSerializer(data).data)

    @extend_schema(responses=envelope_schema("GroupTargets", group=serializers.CharField(),
                                             targets=TargetSerializer(many=True)))
    @action(detail=True, methods=["get"], url_path="targets")
    def targets(self, request, group_id):
        """Get the training targets of a group (current and past)."""
        group = self.admin_group_or_fail(group_id)
        rows = TrainingTarget.objects.filter(group=group).order_by("-start", "id")
        return self.envelope(group=link("groups:group-detail", group_id=group.pk),
                             targets=TargetSerializer(rows, many=True).data)

    @extend_schema(request=TargetWriteSerializer, responses=envelope_schema(
        "GroupTargetAdded", added=serializers.BooleanField(), target=TargetSerializer()))
    @targets.mapping.post
    def targets_post(self, request, group_id):
        """Set a weekly mileage target for a group or one of its runners."""
        group = self.admin_group_or_fail(group_id)
        data = {"username": None, **self.checked(TargetWriteSerializer(data=self.body()))}
        try:
            target = group_services.target_create(group=group, **data)
        except DjangoValidationError as error:  # e.g. the runner is not an accepted member of the group
            # The model names the runner `user`; the body calls it `username`.
            self.fail("invalid", errors={"username" if field == "user" else field: messages
                                         for field, messages in error.message_dict.items()})
        return self.envelope(added=True, target=TargetSerializer(target).data)

    @extend_schema(responses={204: envelope_schema("GroupTargetDeleted", deleted=serializers.BooleanField())})
    @action(detail=False, methods=["delete"], url_path=r"targets/(?P<group_id>[^/]+)/(?P<target_id>[^/]+)")
    def target_delete(self, request, group_id, target_id):
        """Soft delete a training target of a group."""
        group = self.admin_group_or_fail(group_id)
        pk = parse_id(target_id)
        target = None if pk is None else TrainingTarget.objects.filter(group=group, pk=pk).first()
        if target is None:
            self.fail("not_found")
        group_services.target_soft_delete(target=target)
        return self.envelope(204, deleted=True)


def _bounded(value, default, low: int, high: int):
    """A query parameter as an int within [low, high]; `default` when absent or not a number."""
    try:
        return max(low, min(high, int(value)))
    except (TypeError, ValueError):
        return default
