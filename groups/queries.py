"""Read-side queries of groups: lookups by the contract's keys, member lists, statistics and leaderboards.

Statistics and leaderboards are single SQL aggregates over the summaries (logs.LogSummary) of a group's accepted members
(conditional SUM/AVG, grouped by user for leaderboards); nothing here loops over logs in Python.

Interval boundaries (one rule for every weekly number, see `week_start_date`):
- `year`: 1 January of today's year; `month`: the 1st of today's month; `week`: the start of today's
  week for the group's `week_start` (monday when unset).
- Only a lower bound, as in the original: logs dated after today count too.
"""

from datetime import date, timedelta

from django.db.models import F, FloatField, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from groups.models import Group, GroupMember
from logs.cached import cached
from logs.models import LogSummary
from logs.queries import summary_statistics, usernames
from saintsxctf.foundation import clock
from saintsxctf.foundation.api.parameters import parse_id

INTERVALS = ("year", "month", "week")
# The leaderboard splits miles into these types; everything else (walk, virtual bike, ...) is "other".
LEADERBOARD_TYPES = {"run_total": "run", "bike_total": "bike", "swim_total": "swim"}


def current_date() -> date:
    """Today's date (UTC), from the one clock tests pin (saintsxctf/foundation/clock.py)."""
    return clock.today()


def week_start_date(today: date, week_start: str | None) -> date:
    """First day of the week holding `today`: the Sunday on or before it for "sunday", else the Monday.

    The original's Sunday rule returned the *previous* Sunday when today is a Sunday (a week of 8 days
    on Sundays); here a Sunday starts its own week, and every weekly number (statistics and
    leaderboards alike) uses the group's week start.
    """
    if week_start == "sunday":
        return today - timedelta(days=(today.weekday() + 1) % 7)
    return today - timedelta(days=today.weekday())


def interval_start(interval: str | None, *, today: date, week_start: str | None) -> date | None:
    """Lower bound of an interval (`year`, `month`, `week`); None (all time) for any other value."""
    if interval == "year":
        return today.replace(month=1, day=1)
    if interval == "month":
        return today.replace(day=1)
    if interval == "week":
        return week_start_date(today, week_start)
    return None


# -- lookups ------------------------------------------------------------------------------------------
def group_by_id(group_id) -> Group | None:
    """A live group by its id (any path segment; None when it is not an id)."""
    pk = parse_id(group_id)
    if pk is None:
        return None
    return Group.objects.filter(pk=pk).first()


def group_by_name(team_name: str, group_name: str) -> Group | None:
    """A live group by its name inside a team (through a live team-group link)."""
    return (
        Group.objects.filter(
            group_name=group_name, team_links__team_id=team_name, team_links__deleted=False,
            team_links__team__deleted=False,
        )
        .order_by("id")
        .first()
    )


def administered_before_deletion(username: str, group_id) -> bool:
    """Whether `username` held an accepted admin membership of the group `group_id` before it was soft-deleted. Not
    a permission (nobody administers a deleted group: `User.administers`); it picks the refusal the contract gives
    them (GroupViewSet.permission_denied)."""
    pk = parse_id(group_id)
    return pk is not None and GroupMember.objects.filter(
        group_id=pk, user_id=username, status="accepted", role="admin", group__deleted=True).exists()


def group_members(**group_filter) -> list[dict]:
    """Live memberships of live users, pending ones included, in the order they were made (one query; the views
    cache the rendered list).

    Rows, not models, shaped as GroupMemberListSerializer reads them (`user_id`, `role`, `status` and
    `user.first/last/member_since`): a group has a hundred members or more, and building two model instances
    per member cost more than the query."""
    rows = (
        GroupMember.objects.filter(user__deleted=False, **group_filter)
        .order_by("id")
        .values_list("user_id", "role", "status", "user__first", "user__last", "user__member_since")
    )
    return [
        {"user_id": user_id, "role": role, "status": status,
         "user": {"first": first, "last": last, "member_since": member_since}}
        for user_id, role, status, first, last, member_since in rows
    ]


def group_members_by_id(group_id) -> list[dict]:
    """Members of the group with this id (the group's own deleted flag is not checked, as in the original)."""
    pk = parse_id(group_id)
    if pk is None:
        return []
    return group_members(group_id=pk)


def group_members_by_name(team_name: str, group_name: str) -> list[dict]:
    """Members of a live group found by team and group name."""
    return group_members(
        group__deleted=False, group__group_name=group_name,
        group__team_links__team_id=team_name, group__team_links__deleted=False,
    )


# -- aggregates ---------------------------------------------------------------------------------------
def accepted_members(group: Group) -> QuerySet:
    """Usernames of the group's accepted members (a subquery)."""
    return GroupMember.objects.filter(group=group, status="accepted").values("user_id")


def _miles(condition: Q | None = None):
    return Coalesce(Sum("miles", filter=condition), Value(0.0), output_field=FloatField())


def group_statistics(group: Group, *, today: date | None = None) -> dict:
    """Miles, run miles and average feel of the group's accepted members: all time, year, month, week.

    One query. A group without logs answers zeros (deviations.md 2).
    """
    today = today or current_date()
    return cached("group_statistics", (group.pk, group.week_start, today),
                  lambda: _group_statistics(group, today))


def _group_statistics(group: Group, today: date) -> dict:
    since = {
        f"past_{interval}": interval_start(interval, today=today, week_start=group.week_start)
        for interval in INTERVALS
    }
    # MySQL's AVG of an integer column has 4 decimals; the original returned it as such.
    totals = summary_statistics(accepted_members(group), since={"all_time": None, **since})
    return {
        f"{kind}_{suffix}": totals[f"{kind}_{suffix}"]
        for suffix in ("all_time", "past_year", "past_month", "past_week")
        for kind in ("miles", "run_miles", "feel")
    }


def group_leaderboard(group: Group, interval: str | None = None, *, today: date | None = None) -> list[dict]:
    """Miles per accepted member (total, run, bike, swim, other) since the interval's start, most first.

    Rows shaped as the contract renders them (groups.serializers.LeaderboardRowSerializer documents them), so a
    cached leaderboard is answered as it is: two queries (members, then summaries grouped by user) unless
    cached; members without logs in the interval are absent. Any interval other than year, month or week
    means all time, as in the original.
    """
    today = today or current_date()
    return cached("group_leaderboard", (group.pk, group.week_start, interval, today),
                  lambda: [_leaderboard_row(row) for row in _group_leaderboard(group, interval, today)])


def _leaderboard_row(row: dict) -> dict:
    return {
        "username": row["username"], "first": row["first_name"], "last": row["last_name"],
        "miles": float(row["total"]), "miles_run": float(row["run_total"]), "miles_biked": float(row["bike_total"]),
        "miles_swam": float(row["swim_total"]), "miles_other": float(row["other_total"]),
    }


def _group_leaderboard(group: Group, interval: str | None, today: date) -> QuerySet:
    start = interval_start(interval, today=today, week_start=group.week_start)
    period = {"year": LogSummary.YEAR, "month": LogSummary.MONTH, "week": LogSummary.DAY}.get(interval)
    rows = LogSummary.objects.filter(user_id__in=usernames(accepted_members(group)))
    if start is None or period is None:
        rows = rows.filter(period=LogSummary.ALL)
    else:
        rows = rows.filter(period=period, start__gte=start)
    by_type = {key: _miles(Q(type_id=kind)) for key, kind in LEADERBOARD_TYPES.items()}
    return (
        rows.values(username=F("user_id"))
        .annotate(
            # Names that are not Log fields: an annotation may not shadow the column it sums.
            first_name=Max("first"), last_name=Max("last"), total=_miles(), **by_type,
            other_total=_miles(~Q(type_id__in=LEADERBOARD_TYPES.values())),
        )
        .order_by("-total", "username")
    )
