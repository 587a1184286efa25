"""Read shapes of logs that take parameters: one log and its comments, the log feed and the range view.

The feed and the range view check their path parameters here and raise the endpoint's ContractError for bad
ones (deviations.md 2: bad parameters are a 400, never a 500).
"""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Q, QuerySet, Sum

from comments.models import Comment
from groups.models import GroupMember
from logs.models import FIRST_LOG_DATE, LAST_LOG_DATE, ExerciseType, Log, LogSummary
from saintsxctf.foundation.aggregates import cached
from saintsxctf.foundation.api.errors import ContractError
from saintsxctf.foundation.api.parameters import parse_date, parse_id, parse_letters
from saintsxctf.foundation.hints import ignoring_index
from saintsxctf.foundation.lookups import ValuesIn
from saintsxctf.foundation.prepared import KeptQueries, PreparedListQuery, PreparedQuery
from teams.models import TeamMember
from users.models import User

FEED_FILTERS = ("all", "group", "groups", "user", "users", "username")
RANGE_VIEW_FILTERS = ("all", "group", "groups", "user", "users")
# Letters of a range view's exercise types (the clients send any combination of r, b, s and o). `o` is every
# type but run, bike and swim (the original lists them all: other, core, yoga, hike, kayak, ...), as the
# leaderboard's miles_other counts them (groups/queries.py).
MAIN_EXERCISE_TYPES = {"r": "run", "b": "bike", "s": "swim"}
OTHER_EXERCISE_TYPES = "o"
EXERCISE_TYPE_LETTERS = "".join(sorted({*MAIN_EXERCISE_TYPES, OTHER_EXERCISE_TYPES}))  # "bors"

BAD_FEED_FILTER = "filter_by must be one of 'all', 'group', 'groups', 'user', 'users' or 'username'"
BAD_RANGE_VIEW_FILTER = "filter_by must be one of 'all', 'group', 'groups', 'user' or 'users'"
BAD_GROUP_BUCKET = "bucket must be a group id (a whole number) when filtering by group"
BAD_EXERCISE_TYPES = "exercise_types must be letters from 'r' (run), 'b' (bike), 's' (swim) and 'o' (other)"
BAD_DATE = "{name} must be a date formatted YYYY-MM-DD"
DATE_OUT_OF_RANGE = f"{{name}} must be a date from {FIRST_LOG_DATE} to {LAST_LOG_DATE}"


# GET /v2/logs/<id>, the most read row of the API: compiled once (saintsxctf/foundation/prepared.py); an integer marker, as
# log_id is an integer.
LOG_BY_ID = PreparedQuery(lambda log_id: Log.objects.filter(pk=log_id), params=1, markers=(2_000_000_011,))
# ... and its live comments, newest first (the order of Log.objects.with_comments()).
COMMENTS_OF_LOG = PreparedQuery(lambda log_id: Comment.objects.filter(log_id=log_id).order_by("-time", "-comment_id"),
                                params=1, markers=(2_000_000_011,))


# ... and the live comments of a page of logs (a feed's, GET /v2/logs/): compiled once per page length, so a page costs
# the query's round trip and not the ORM's building of it (Django's prefetch took twice as long as this whole read).
COMMENTS_OF_LOGS = PreparedListQuery(
    lambda log_ids: Comment.objects.filter(log_id__in=log_ids).order_by("-time", "-comment_id"),
    longest=settings.API_MAX_PAGE_SIZE)


# The exercise type every log write names (compiled once, as above).
EXERCISE_TYPE = PreparedQuery(lambda name: ExerciseType.objects.filter(type=name), params=1)


def live_log(log_id: int) -> Log | None:
    """The live log `log_id`, or None (also for an id outside the column's 32-bit range)."""
    return LOG_BY_ID.first(log_id) if -(2**31) <= log_id < 2**31 else None


def log_comments(log_id: int) -> list:
    """The live comments of log `log_id`, newest first."""
    return COMMENTS_OF_LOG.all(log_id)


def exercise_type(name: str) -> ExerciseType | None:
    """The exercise type `name` (the database's collation decides the letter case), or None."""
    return EXERCISE_TYPE.first(name)


def with_comments(logs: list[Log]) -> list[Log]:
    """`logs`, each with `live_comments`: its live comments, newest first (one query for them all)."""
    comments: dict[int, list[Comment]] = {log.pk: [] for log in logs}
    for comment in COMMENTS_OF_LOGS.all(list(comments)):
        comments[comment.log_id].append(comment)
    for log in logs:
        log.live_comments = comments[log.pk]
    return logs


def group_id(bucket: str) -> int:
    """The group id a group feed or range view names in its bucket."""
    pk = parse_id(bucket)
    if pk is None:
        raise ContractError(BAD_GROUP_BUCKET)
    return pk


class AllBut(tuple):
    """Every username but these: a set of authors named by its complement (see feed_authors())."""

    def __repr__(self):  # a cache key part: never equal to the list of the same names
        return f"AllBut{tuple.__repr__(self)}"


def feed_authors(viewer: User) -> list[str] | AllBut:
    """The authors of `viewer`'s all feed: the viewer and their teammates (accepted members of a team the viewer
    is an accepted member of), named by the shorter side: their sorted usernames, or `AllBut` the other users.

    Where nearly every runner shares the viewer's team, the list grows with the club, and the database parses
    and matches every name of it for every page (for a 500-runner team that took longer than the rest of the
    query); the few runners outside the team stay few. Two queries, cached until a user, team or membership
    changes (a new user changes the complement, and bumps the version like any user write).
    """
    return cached("feed_authors", (viewer.username,), lambda: _feed_authors(viewer.username), reads_logs=False)


def _feed_authors(username: str) -> list[str] | AllBut:
    # The teammates from the memberships alone (DISTINCT over the teams' member rows), not as users joined to
    # their memberships: a team of 500 runners took twice as long that way.
    teams = TeamMember.objects.filter(user_id=username, status="accepted", team__deleted=False)
    members = (
        TeamMember.objects.filter(team_id__in=teams.values("team_id"), status="accepted")
        .order_by()
        .values_list("user_id", flat=True)
        .distinct()
    )
    mates = sorted({username, *members})
    # At most as many others as teammates: fewer means that is all of them, and the shorter side.
    others = list(User.all_objects.filter(~Q(ValuesIn("username", mates))).order_by("username")
                  .values_list("username", flat=True)[:len(mates)])
    return AllBut(others) if len(others) < len(mates) else mates


def group_authors(group: int) -> list[str]:
    """The sorted usernames of the accepted members of `group` (one query, cached until a user, team or membership
    changes; none stored for a group without members)."""
    return cached("group_authors", (group,), lambda: usernames(
        GroupMember.objects.filter(group_id=group, status="accepted").values("user_id")), reads_logs=False, keep=bool)


def logs_of(authors) -> Q:
    """A filter of logs or summary rows by author: a username, a list or subquery of usernames, or `AllBut`
    some usernames."""
    if isinstance(authors, str):
        return Q(user_id=authors)
    if isinstance(authors, AllBut):
        return ~Q(ValuesIn("user_id", authors)) if authors else Q()
    if isinstance(authors, (list, tuple)):
        return Q(ValuesIn("user_id", authors))  # usernames read from the database: no per-value preparation
    return Q(user_id__in=authors)


def usernames(authors: QuerySet) -> list[str]:
    """A subquery of usernames as a list (one query).

    MariaDB plans `user IN (list)` as one index range per author on the summaries' (period, user, start) key,
    also under an OR of periods; with `IN (subquery)` it scans the whole summary table instead.
    """
    return sorted({next(iter(row.values())) if isinstance(row, dict) else row for row in authors})


def log_count(authors) -> int:
    """How many live logs `authors` (see logs_of()) have: their all-time summary rows summed, a few rows per
    author instead of every log."""
    return cached("log_count", (authors,), lambda: _log_count(authors), keep=bool)  # no entry for nobody's logs


def _log_count(authors) -> int:
    total = LogSummary.objects.filter(logs_of(authors), period=LogSummary.ALL).aggregate(n=Sum("logs"))["n"]
    return int(total or 0)


def average_feel(feel_sum, logs, places: str = "0.0001") -> float:
    """SUM(feel) / COUNT as the database's AVG gives it: rounded half away from zero to 4 decimals."""
    if not logs:
        return 0.0
    return float((Decimal(int(feel_sum or 0)) / Decimal(int(logs))).quantize(Decimal(places), ROUND_HALF_UP))


def summary_statistics(authors, *, since: dict[str, date | None]) -> dict:
    """Miles, run miles, feel sum and log count of `authors`' live logs per interval (one query over summaries).

    `since` maps a suffix (all_time, past_year, past_month, past_week) to its first day: None (all time), a
    1 January (year rows), a 1st of a month (month rows) or any day (day rows). Lower bounds only.
    Answers {f"miles_{suffix}", f"run_miles_{suffix}", f"feel_{suffix}" (the average), ...}.
    """
    conditions = {}
    for suffix, start in since.items():
        if start is None:
            conditions[suffix] = Q(period=LogSummary.ALL)
        elif start.month == 1 and start.day == 1 and suffix == "past_year":
            conditions[suffix] = Q(period=LogSummary.YEAR, start__gte=start)
        elif start.day == 1 and suffix == "past_month":
            conditions[suffix] = Q(period=LogSummary.MONTH, start__gte=start)
        else:
            conditions[suffix] = Q(period=LogSummary.DAY, start__gte=start)
    if not isinstance(authors, (str, list)):
        authors = usernames(authors)
    rows = LogSummary.objects.filter(logs_of(authors))
    any_period = Q()
    for condition in conditions.values():
        any_period |= condition
    aggregates = {}
    run = Q(type_id="run")
    for suffix, condition in conditions.items():
        aggregates[f"miles_{suffix}"] = Sum("miles", filter=condition)
        aggregates[f"run_miles_{suffix}"] = Sum("miles", filter=condition & run)
        aggregates[f"feelsum_{suffix}"] = Sum("feel", filter=condition)
        aggregates[f"logs_{suffix}"] = Sum("logs", filter=condition)
    values = rows.filter(any_period).order_by().aggregate(**aggregates)
    result = {}
    for suffix in since:
        result[f"miles_{suffix}"] = float(values[f"miles_{suffix}"] or 0.0)
        result[f"run_miles_{suffix}"] = float(values[f"run_miles_{suffix}"] or 0.0)
        result[f"feel_{suffix}"] = average_feel(values[f"feelsum_{suffix}"], values[f"logs_{suffix}"])
    return result


def feed_of(*, viewer: User, filter_by: str, bucket: str) -> str | list[str] | AllBut:
    """The authors of a feed; its logs are `feed_logs(authors)`, newest first, a page of them `feed_page()` (which
    takes their comments from with_comments()), and their number `log_count(authors)`:

    - `all`: the viewer's teammates, the viewer's own included (deviations.md 5); `bucket` is ignored.
    - `group`/`groups`: the accepted members of the group whose id is `bucket`.
    - `user`/`users`/`username`: the user `bucket`.
    They are read first (cached for the all and group feeds, see feed_authors() and group_authors()), so a log
    appears once however many teams its author shares; the page and its count then match a list of usernames (see
    usernames()). The count sums the authors' all-time summaries (log_count(), cached) instead of counting their
    logs.
    """
    if filter_by == "all":
        return feed_authors(viewer)
    if filter_by in ("group", "groups"):
        return group_authors(group_id(bucket))
    if filter_by in ("user", "users", "username"):
        return bucket
    raise ContractError(BAD_FEED_FILTER)


def feed_logs(authors) -> QuerySet:
    """The live logs of `authors` (see logs_of()), newest first."""
    logs = Log.objects.filter(logs_of(authors)).order_by("-date", "-log_id")
    if isinstance(authors, AllBut) and authors:
        # Read along (deleted, date), newest first, skipping the few runners outside the team; the planner would
        # otherwise estimate each gap between their names on the runners' (user, ...) index first (hints.py).
        logs = ignoring_index(logs, "log_user_deleted_date_flag")
    return logs


# A page of a feed names up to hundreds of authors: building its SQL through the ORM took longer than the database
# took to answer it. Compiled once per (authors, page) and kept: the pages readers ask for most, in each process.
FEED_PAGES = KeptQueries(keep=256)


def feed_page(authors, offset: int, limit: int) -> list[Log]:
    """The logs `feed_logs(authors)[offset:offset + limit]`, through a query compiled once per authors and page."""
    if not authors and not isinstance(authors, AllBut):  # nobody (an empty AllBut is everybody)
        return []
    key = (type(authors).__name__, tuple(authors) if isinstance(authors, list) else authors, offset, limit)
    return FEED_PAGES.all(key, lambda: feed_logs(authors)[offset:offset + limit])


def exercise_types(letters: str) -> str:
    """The distinct letters of a range view's exercise types, sorted ('rbr' -> 'br'); refuses any other letter."""
    kinds = parse_letters(letters, EXERCISE_TYPE_LETTERS)
    if kinds is None:
        raise ContractError(BAD_EXERCISE_TYPES)
    return kinds


def exercise_type_filter(letters: str) -> Q:
    """The `type` condition the letters name: 'rb' -> run or bike; 'o' -> anything but run, bike and swim."""
    named = [MAIN_EXERCISE_TYPES[letter] for letter in letters if letter in MAIN_EXERCISE_TYPES]
    condition = Q(type_id__in=named)
    if OTHER_EXERCISE_TYPES in letters:
        condition |= ~Q(type_id__in=MAIN_EXERCISE_TYPES.values())
    return condition


def log_date(text: str, name: str) -> date:
    """A range view's start or end date, 'YYYY-MM-DD', within the dates a log may carry."""
    value = parse_date(text)
    if value is None:
        raise ContractError(BAD_DATE.format(name=name))
    if not FIRST_LOG_DATE <= value <= LAST_LOG_DATE:
        raise ContractError(DATE_OUT_OF_RANGE.format(name=name))
    return value


def range_view(*, filter_by: str, bucket: str, types: str, start: str, end: str) -> list[dict]:
    """Daily totals between `start` and `end` (inclusive): `{date, miles, feel}` per day with logs, oldest first.

    One aggregate query over the daily summaries (GROUP BY date): miles are summed, feel is the average
    rounded half away from zero.
    - `group`/`groups`: logs of every member of the group `bucket` (the original does not ask for accepted).
    - `user`/`users`: logs of the user `bucket`. `all`: every log.
    """
    if filter_by not in RANGE_VIEW_FILTERS:
        raise ContractError(BAD_RANGE_VIEW_FILTER)
    kinds = exercise_types(types)  # the refusals in the order the original gave them
    first, last = log_date(start, "start"), log_date(end, "end")
    if filter_by in ("group", "groups"):
        bucket = str(group_id(bucket))  # a bad id is refused before anything is cached; "01" is group 1
    if (last.year - first.year) * 12 + last.month - first.month >= CACHED_RANGE_MONTHS:
        return _range_view(filter_by, bucket, kinds, first, last)
    # Cached by whole months (the calendar's and the weekly chart's ranges share entries), only when some day has
    # logs: the entries a request can make are bounded by the real runners and groups and their months (F13).
    months = first.replace(day=1), month_end(last)
    subject = ("all",) if filter_by == "all" else (filter_by.rstrip("s"), bucket)
    days = cached("range_view", (*subject, kinds, *months),
                  lambda: _range_view(filter_by, bucket, kinds, *months), keep=bool)
    return [day for day in days if first <= day["date"] <= last]


# A range view spanning fewer calendar months than this is cached (by whole months); longer ones are computed.
CACHED_RANGE_MONTHS = 3


def month_end(day: date) -> date:
    """The last day of `day`'s month."""
    following = day.replace(year=day.year + 1, month=1, day=1) if day.month == 12 else \
        day.replace(month=day.month + 1, day=1)
    return following - timedelta(days=1)


def _range_view(filter_by: str, bucket: str, kinds: str, first: date, last: date) -> list[dict]:
    days = LogSummary.objects.filter(
        exercise_type_filter(kinds), period=LogSummary.DAY, start__gte=first, start__lte=last,
    )
    if filter_by in ("group", "groups"):
        days = days.filter(user_id__in=usernames(GroupMember.objects.filter(group_id=group_id(bucket)).values("user_id")))
    elif filter_by in ("user", "users"):
        days = days.filter(user_id=bucket)
    rows = days.order_by().values("start").annotate(miles=Sum("miles"), feel_sum=Sum("feel"), logs=Sum("logs"))
    return [
        # Half away from zero, exactly: floor((2 * sum + n) / (2 * n)) for a non-negative sum.
        {"date": row["start"], "miles": row["miles"],
         "feel": (2 * int(row["feel_sum"]) + int(row["logs"])) // (2 * int(row["logs"]))}
        for row in rows.order_by("start")
    ]
