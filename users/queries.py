"""Read-side queries of the users app: user lookups, memberships, notifications and exercise statistics.

Everything here reads; nothing writes. Statistics are SQL aggregates (one query), never loops over logs.
"""

from datetime import UTC, date, datetime, timedelta

from django.db.models import (
    F,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
)

from groups.models import GroupMember
from logs.models import LogSummary
from logs.queries import summary_statistics
from notifications.models import Notification
from saintsxctf.foundation import clock
from saintsxctf.foundation.aggregates import cached
from saintsxctf.foundation.auth.accounts import user_find  # the one account lookup, shared with sign-in
from saintsxctf.foundation.prepared import PreparedQuery
from teams.models import TeamMember
from users.models import Flair, ForgotPasswordCode, User

STATISTIC_KEYS = (
    "miles_all_time", "miles_past_year", "miles_past_month", "miles_past_week",
    "run_miles_all_time", "run_miles_past_year", "run_miles_past_month", "run_miles_past_week",
    "feel_all_time", "feel_past_year", "feel_past_month", "feel_past_week",
)


# -- time -------------------------------------------------------------------------------------------
def utc_now() -> datetime:
    """Now, as the naive UTC datetime the database stores (deviations.md 6: expiry is compared in UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


def utc_today() -> date:
    """Today's date (UTC), from the one clock tests pin (saintsxctf/foundation/clock.py)."""
    return clock.today()


def week_start_date(today: date, week_start: str | None) -> date:
    """First day of the week holding `today`: the Sunday for a 'sunday' week, else the Monday."""
    if week_start == "sunday":
        return today - timedelta(days=(today.weekday() + 1) % 7)
    return today - timedelta(days=today.weekday())


# -- users ------------------------------------------------------------------------------------------


# -- memberships ------------------------------------------------------------------------------------
def user_group_memberships(username: str) -> QuerySet:
    """The user's live memberships (any status) of live groups, with their groups."""
    return (
        GroupMember.objects.filter(user_id=username, group__deleted=False)
        .select_related("group")
        .order_by("id")
    )


def user_team_memberships(username: str) -> QuerySet:
    """The user's live memberships (any status) of live teams, with their teams."""
    return TeamMember.objects.filter(user_id=username, team__deleted=False).select_related("team").order_by("id")


def user_memberships(username: str) -> list[TeamMember]:
    """Team memberships, each with `.group_memberships`: the user's groups inside that team (two queries)."""
    teams = list(user_team_memberships(username))
    groups = (
        user_group_memberships(username)
        .filter(group__team_links__deleted=False)
        .annotate(team_name=F("group__team_links__team_id"))
    )
    by_team: dict[str, list[GroupMember]] = {}
    for membership in groups:
        by_team.setdefault(membership.team_name, []).append(membership)
    for team in teams:
        team.group_memberships = by_team.get(team.team_id, [])
    return teams


# -- notifications and flair ------------------------------------------------------------------------
def notification_cutoff(today: date) -> date:
    """Oldest day of notifications shown: the current (Sunday-started) week and the two before it."""
    days_since_sunday = (today.weekday() + 1) % 7
    return today - timedelta(days=days_since_sunday + 14)


def user_notifications(username: str, today: date | None = None) -> QuerySet:
    """The user's live notifications of the last two weeks and this one, newest first."""
    return notifications_since(username, notification_cutoff_time(today or utc_today()))


def notifications_since(username: str, since: datetime) -> QuerySet:
    return Notification.objects.filter(user_id=username, time__gte=since).order_by("-time", "-notification_id")


def notification_cutoff_time(today: date) -> datetime:
    """The first moment of the oldest day of notifications shown (`notification_cutoff`)."""
    return datetime.combine(notification_cutoff(today), datetime.min.time())


def user_flair(username: str) -> QuerySet:
    return Flair.objects.filter(user_id=username).order_by("flair_id")


# The lists of a snapshot, compiled once (saintsxctf/foundation/prepared.py): built and prefetched through the
# ORM they took half of the snapshot's time. A datetime marker: the cutoff reaches the SQL as text.
FLAIR_OF = PreparedQuery(user_flair, 1)
NOTIFICATIONS_OF = PreparedQuery(notifications_since, 2, markers=("\x00user\x00", datetime(1001, 1, 1, 0, 0, 2)))


def forgot_password_code_valid(code: str, now: datetime | None = None) -> ForgotPasswordCode | None:
    """The live, unexpired forgot-password code `code` (any letter case), with its owner."""
    return (
        ForgotPasswordCode.objects.filter(forgot_code__iexact=code, expires__gt=now or utc_now(),
                                          user__deleted=False)
        .select_related("user")
        .first()
    )


# -- statistics -------------------------------------------------------------------------------------
def log_statistics(authors, *, week_start: str | None, today: date | None = None) -> dict[str, float]:
    """Miles, run miles and average feel of the logs of `authors` (a username or a subquery of usernames) all
    time, this year, this month and this week (one query over their summaries).

    Intervals start on Jan 1, the 1st of the month and the first day of the week (`week_start`); they have
    no upper bound. Empty intervals are 0 (deviations.md 2).
    """
    today = today or utc_today()
    starts = {
        "all_time": None,
        "past_year": today.replace(month=1, day=1),
        "past_month": today.replace(day=1),
        "past_week": week_start_date(today, week_start),
    }
    values = summary_statistics(authors, since=starts)
    return {
        key: round(float(values[key] or 0), 4 if key.startswith("feel") else 2)
        for key in STATISTIC_KEYS
    }


def user_statistics(user: User, today: date | None = None) -> dict[str, float]:
    """Exercise statistics of one user, weeks starting on the user's own week start."""
    today = today or utc_today()
    return cached("user_statistics", (user.username, user.week_start, today),
                  lambda: log_statistics(user.username, week_start=user.week_start, today=today))


# -- snapshot ---------------------------------------------------------------------------------------
def newest_log_of_group() -> Subquery:
    """Time of the newest live log of an accepted member of the outer row's group."""
    newest = (
        LogSummary.objects.filter(
            period=LogSummary.ALL,
            user__group_memberships__group_id=OuterRef("group_id"),
            user__group_memberships__status="accepted",
            user__group_memberships__deleted=False,
        )
        .order_by()
        .values("user__group_memberships__group_id")
        .annotate(newest=Max("newest"))
        .values("newest")
    )
    return Subquery(newest[:1])


def snapshot_groups(username: str) -> list[dict]:
    """The user's memberships as the snapshot shows them, each with its group's newest log time (one query,
    cached: the newest log time reads the summaries of every accepted member, a few thousand rows in a large
    group, and every log, group and membership write bumps the cache's data version). Rows shaped as
    SnapshotGroupSerializer reads them."""

    def compute():
        rows = user_group_memberships(username).annotate(newest_log=newest_log_of_group()).values_list(
            "group_id", "status", "role", "group__group_name", "group__group_title", "newest_log")
        return [
            {"group_id": group_id, "status": status, "role": role, "newest_log": newest_log,
             "group": {"group_name": group_name, "group_title": group_title}}
            for group_id, status, role, group_name, group_title, newest_log in rows
        ]

    return cached("snapshot_groups", (username,), compute)


def user_snapshot(identifier: str, today: date | None = None) -> User | None:
    """A user (by username or email) with everything the snapshot shows, in a fixed number of queries.

    Sets `snapshot_groups` (cached), `live_flair` and `recent_notifications` (one prepared query each),
    `live_forgot_password_codes` (always empty) and `statistics` (cached) on the user.
    """
    today = today or utc_today()
    found = user_find(identifier)
    if found is None:
        return None
    user = found
    user.snapshot_groups = snapshot_groups(user.username)
    user.live_flair = FLAIR_OF.all(user.username)
    # A forgot-password code lets whoever holds it set the password without a token (change_password): it reaches
    # its runner by email only, never in a response, not even their own (a stolen token would otherwise become a
    # new password: security probe F3; the original showed them to all). The snapshot keeps the field, empty.
    user.live_forgot_password_codes = []
    user.recent_notifications = NOTIFICATIONS_OF.all(user.username, notification_cutoff_time(today))
    user.statistics = user_statistics(user, today)
    return user
