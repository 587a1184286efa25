"""Read shapes of logs that take parameters: the log feed and the range view.

Both check their path parameters here and raise the endpoint's ContractError for bad ones (deviations.md 2:
bad parameters are a 400, never a 500).
"""

import re
from datetime import date

from django.db.models import Avg, Q, QuerySet, Sum
from django.db.models.functions import Round

from groups.models import GroupMember
from logs.models import Log
from saintsxctf.api.errors import ContractError
from teams.models import TeamMember
from users.models import User

FEED_FILTERS = ("all", "group", "groups", "user", "users", "username")
RANGE_VIEW_FILTERS = ("all", "group", "groups", "user", "users")
# Letters of a range view's exercise types (the clients send any combination of r, b, s and o).
EXERCISE_TYPE_LETTERS = {"r": "run", "b": "bike", "s": "swim", "o": "other"}
# Ids are 32-bit in the legacy schema; a larger number names nothing (and would overflow some databases).
MAX_ID = 2**31 - 1

BAD_FEED_FILTER = "filter_by must be one of 'all', 'group', 'groups', 'user', 'users' or 'username'"
BAD_RANGE_VIEW_FILTER = "filter_by must be one of 'all', 'group', 'groups', 'user' or 'users'"
BAD_GROUP_BUCKET = "bucket must be a group id (a whole number) when filtering by group"
BAD_EXERCISE_TYPES = "exercise_types must be letters from 'r' (run), 'b' (bike), 's' (swim) and 'o' (other)"
BAD_DATE = "{name} must be a date formatted YYYY-MM-DD"


def group_id(bucket: str) -> int:
    """The group id a group feed or range view names in its bucket."""
    if not re.fullmatch(r"\d{1,10}", bucket) or int(bucket) > MAX_ID:
        raise ContractError(BAD_GROUP_BUCKET)
    return int(bucket)


def teammates(viewer: User) -> QuerySet:
    """Usernames of `viewer` and their teammates: accepted members of a team the viewer is an accepted member of.

    The viewer is named here rather than OR-ed onto the logs query, so the logs are matched by one
    `IN (subquery)` that the database can answer from the (user, deleted, date) index.
    """
    teams = TeamMember.objects.filter(user_id=viewer.username, status="accepted", team__deleted=False)
    return User.all_objects.filter(
        Q(username=viewer.username)
        | Q(team_memberships__team_id__in=teams.values("team_id"), team_memberships__status="accepted",
            team_memberships__deleted=False)
    ).values("username")


def log_feed(*, viewer: User, filter_by: str, bucket: str) -> QuerySet:
    """The logs of a feed, newest first, with their comments.

    - `all`: the logs of the viewer's teammates, the viewer's own included (deviations.md 5); `bucket` is ignored.
    - `group`/`groups`: the logs of the accepted members of the group whose id is `bucket`.
    - `user`/`users`/`username`: the logs of the user `bucket`.
    Authors are matched with `IN (subquery)`, so a log appears once however many teams its author shares.
    """
    logs = Log.objects.with_comments()
    if filter_by == "all":
        logs = logs.filter(user_id__in=teammates(viewer))
    elif filter_by in ("group", "groups"):
        members = GroupMember.objects.filter(group_id=group_id(bucket), status="accepted")
        logs = logs.filter(user_id__in=members.values("user_id"))
    elif filter_by in ("user", "users", "username"):
        logs = logs.filter(user_id=bucket)
    else:
        raise ContractError(BAD_FEED_FILTER)
    return logs.order_by("-date", "-log_id")


def exercise_types(letters: str) -> list[str]:
    """The exercise types a range view's letters name ('rb' -> run, bike)."""
    if not letters or any(letter not in EXERCISE_TYPE_LETTERS for letter in letters):
        raise ContractError(BAD_EXERCISE_TYPES)
    return sorted({EXERCISE_TYPE_LETTERS[letter] for letter in letters})


def parse_date(text: str, name: str) -> date:
    """A range view's start or end date, 'YYYY-MM-DD'."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ContractError(BAD_DATE.format(name=name))


def range_view(*, filter_by: str, bucket: str, types: str, start: str, end: str) -> list[dict]:
    """Daily totals between `start` and `end` (inclusive): `{date, miles, feel}` per day with logs, oldest first.

    One aggregate query (GROUP BY date): miles are summed, feel is the average rounded half away from zero.
    - `group`/`groups`: logs of every member of the group `bucket` (the original does not ask for accepted).
    - `user`/`users`: logs of the user `bucket`. `all`: every log.
    """
    if filter_by not in RANGE_VIEW_FILTERS:
        raise ContractError(BAD_RANGE_VIEW_FILTER)
    logs = Log.objects.filter(
        type_id__in=exercise_types(types), date__gte=parse_date(start, "start"), date__lte=parse_date(end, "end")
    )
    if filter_by in ("group", "groups"):
        logs = logs.filter(user_id__in=GroupMember.objects.filter(group_id=group_id(bucket)).values("user_id"))
    elif filter_by in ("user", "users"):
        logs = logs.filter(user_id=bucket)
    return list(
        logs.order_by().values("date").annotate(miles=Sum("miles"), feel=Round(Avg("feel"))).order_by("date")
    )
