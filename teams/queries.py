"""Read-side queries of teams: members, groups and the text search."""

from django.db.models import Q, QuerySet

from groups.models import Group
from teams.models import Team, TeamMember


def team_members(team_name: str) -> QuerySet:
    """Live memberships of live users in a live team, pending ones included, in the order they were made."""
    return (
        TeamMember.objects.filter(team_id=team_name, team__deleted=False, user__deleted=False)
        .select_related("user")
        .order_by("id")
    )


def team_groups(team_name: str) -> QuerySet:
    """Live groups linked to a team by a live team-group link, by group name."""
    return (
        Group.objects.filter(team_links__team_id=team_name, team_links__deleted=False)
        .distinct()
        .order_by("group_name", "id")
    )


def team_search(text: str, limit: int) -> QuerySet:
    """Live teams whose name or title contains `text`, case-insensitively, at most `limit`, by name.

    `%` and `_` are literal characters here (the original let them act as wildcards).
    """
    return Team.objects.filter(Q(name__icontains=text) | Q(title__icontains=text)).order_by("name")[:limit]
