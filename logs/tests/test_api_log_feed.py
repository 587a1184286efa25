"""GET /v2/log_feed/<filter_by>/<bucket>/<limit>/<offset> and /v2/log_feed/links."""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments.models import Comment
from comments.tests.factories import CommentFactory
from conftest import clear_cache
from groups.models import GroupMember
from groups.tests.factories import GroupFactory, GroupMemberFactory
from logs import queries
from logs.models import ExerciseType, Log
from logs.queries import AllBut, feed_authors
from logs.tests.factories import LogFactory
from saintsxctf.foundation.bulk import bulk_insert
from teams.tests.factories import TeamFactory, TeamMemberFactory
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def feed(filter_by, bucket, limit=10, offset=0) -> str:
    return reverse("log_feed:log-feed", kwargs={"filter_by": filter_by, "bucket": bucket, "limit": limit,
                                                 "offset": offset})


def bulk_logs(user, n: int, *, comments_each: int = 0, start: date = date(2020, 1, 1)) -> None:
    """`n` logs of `user` (and comments on each), written in bulk as seed_demo does."""
    run = ExerciseType.objects.get(type="run")
    logs = []
    for i in range(n):
        log = Log(user=user, first=user.first, last=user.last, date=start + timedelta(days=i), type=run, feel=6)
        log.set_distance(5.0, "miles", timedelta(minutes=40))
        log.stamp_created()
        logs.append(log)
    Log.objects.bulk_create(logs)
    if comments_each:
        ids = Log.objects.filter(user=user).values_list("log_id", flat=True)
        Comment.objects.bulk_create([
            Comment(user=user, first=user.first, last=user.last, log_id=log_id, content="Nice", time=datetime(2021, 1, 1))
            for log_id in ids for _ in range(comments_each)
        ])


# -- user feed ------------------------------------------------------------------------------------------------

def test_user_feed_page_one(auth_client, user):
    log = LogFactory(user=user, date=date(2020, 10, 16), distance=5.42, time=timedelta(minutes=38, seconds=36),
                     name="CP", location="New York, NY", description=None, feel=6)
    comment = CommentFactory(log=log, user=user, time=datetime(2020, 10, 18, 22, 38, 4), content="Legs")
    resp = auth_client.get(feed("user", "andy"))
    assert resp.status_code == 200
    assert resp.json() == {
        "self": "/v2/log_feed/user/andy/10/0",
        "next": "/v2/log_feed/user/andy/10/10",
        "prev": None,
        "pages": 1,
        "logs": [{
            "comments": [{
                "comment_id": comment.comment_id, "content": "Legs", "deleted": False, "first": "Andy",
                "last": "Jarombek", "log_id": log.log_id, "time": "Sun, 18 Oct 2020 22:38:04 GMT", "username": "andy",
            }],
            "date": "2020-10-16", "description": None, "distance": 5.42, "feel": 6, "first": "Andy",
            "last": "Jarombek", "location": "New York, NY", "log_id": log.log_id, "metric": "miles", "miles": 5.42,
            "name": "CP", "pace": "0:07:07", "time": "0:38:36", "type": "run", "username": "andy",
        }],
    }


def test_feed_is_newest_first_and_skips_deleted_logs_and_comments(auth_client, user):
    a = LogFactory(user=user, date=date(2021, 1, 1))
    b = LogFactory(user=user, date=date(2021, 1, 2))
    c = LogFactory(user=user, date=date(2021, 1, 2))
    LogFactory(user=user, date=date(2021, 1, 3)).soft_delete()
    CommentFactory(log=a).soft_delete()
    older = CommentFactory(log=a, time=datetime(2021, 1, 1, 9))
    newer = CommentFactory(log=a, time=datetime(2021, 1, 1, 10))
    body = auth_client.get(feed("users", "andy")).json()
    assert [log["log_id"] for log in body["logs"]] == [c.log_id, b.log_id, a.log_id]
    assert [c["comment_id"] for c in body["logs"][2]["comments"]] == [newer.comment_id, older.comment_id]
    assert body["pages"] == 1


@pytest.mark.parametrize("filter_by", ["user", "users", "username"])
def test_user_feed_names(auth_client, user, other_user, filter_by):
    mine = LogFactory(user=user)
    LogFactory(user=other_user)
    assert [log["log_id"] for log in auth_client.get(feed(filter_by, "andy")).json()["logs"]] == [mine.log_id]


def test_any_runner_reads_another_runners_feed(other_client, user):
    # As in the original: visibility rules come later (deviations.md 5).
    LogFactory(user=user)
    assert len(other_client.get(feed("user", "andy")).json()["logs"]) == 1


# -- page arithmetic ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("limit", "offset", "pages", "count", "prev", "next"), [
    (10, 0, 46, 10, None, "/v2/log_feed/user/andy/10/10"),
    (10, 20, 46, 10, "/v2/log_feed/user/andy/10/10", "/v2/log_feed/user/andy/10/30"),
    (10, 40, 46, 10, "/v2/log_feed/user/andy/10/30", "/v2/log_feed/user/andy/10/50"),  # userAndyPageFive.json
    (10, 450, 46, 5, "/v2/log_feed/user/andy/10/440", "/v2/log_feed/user/andy/10/460"),  # last page: next stays
    (10, 5, 46, 10, None, "/v2/log_feed/user/andy/10/15"),  # prev is null whenever offset < limit
    (50, 0, 10, 50, None, "/v2/log_feed/user/andy/50/50"),
    (100, 0, 5, 100, None, "/v2/log_feed/user/andy/100/100"),  # the largest limit (issue 13)
    (100, 400, 5, 55, "/v2/log_feed/user/andy/100/300", "/v2/log_feed/user/andy/100/500"),
])
def test_page_arithmetic(auth_client, user, limit, offset, pages, count, prev, next):
    bulk_logs(user, 455)
    body = auth_client.get(feed("user", "andy", limit, offset)).json()
    assert body["self"] == f"/v2/log_feed/user/andy/{limit}/{offset}"
    assert (body["pages"], len(body["logs"]), body["prev"], body["next"]) == (pages, count, prev, next)


def test_pages_are_disjoint_and_ordered(auth_client, user):
    bulk_logs(user, 25)
    seen = []
    for offset in (0, 10, 20):
        seen += [log["log_id"] for log in auth_client.get(feed("user", "andy", 10, offset)).json()["logs"]]
    expected = list(Log.objects.filter(user=user).order_by("-date", "-log_id").values_list("log_id", flat=True))
    assert seen == expected


def test_numbers_in_the_path_are_reformatted(auth_client, user):
    LogFactory(user=user)
    body = auth_client.get("/v2/log_feed/user/andy/010/00").json()
    assert (body["self"], body["next"]) == ("/v2/log_feed/user/andy/10/0", "/v2/log_feed/user/andy/10/10")


def test_empty_feed_is_an_empty_page(auth_client, user):
    # deviations.md 3: the original answered 500 with logs null; we answer 200 with the same links.
    resp = auth_client.get(feed("user", "nobody", 10, 20))
    assert resp.status_code == 200
    assert resp.json() == {"self": "/v2/log_feed/user/nobody/10/20", "next": None,
                           "prev": "/v2/log_feed/user/nobody/10/10", "logs": [], "pages": 0}


def test_page_past_the_end_counts_the_pages_honestly(auth_client, user):
    bulk_logs(user, 12)
    body = auth_client.get(feed("user", "andy", 10, 30)).json()
    assert (body["logs"], body["pages"], body["next"]) == ([], 2, None)


# -- group feed -----------------------------------------------------------------------------------------------

def test_group_feed_shows_accepted_members(auth_client, user, other_user):
    group = GroupFactory(group_name="alumni")
    GroupMemberFactory(group=group, user=user, status="accepted")
    GroupMemberFactory(group=group, user=other_user, status="pending")
    left = UserFactory()
    GroupMemberFactory(group=group, user=left, status="accepted").soft_delete()
    outsider = UserFactory()
    GroupMemberFactory(user=outsider)
    mine = LogFactory(user=user)
    for someone in (other_user, left, outsider):
        LogFactory(user=someone)
    for filter_by in ("group", "groups"):
        body = auth_client.get(feed(filter_by, group.id)).json()
        assert [log["log_id"] for log in body["logs"]] == [mine.log_id]
        assert body["pages"] == 1
        assert body["self"] == f"/v2/log_feed/{filter_by}/{group.id}/10/0"


def test_a_runner_in_a_group_twice_appears_once(auth_client, user):
    group = GroupFactory()
    GroupMemberFactory(group=group, user=user)
    GroupMemberFactory(group=group, user=user)
    LogFactory(user=user)
    body = auth_client.get(feed("group", group.id)).json()
    assert (len(body["logs"]), body["pages"]) == (1, 1)


# -- "all": the caller's teammates (deviations.md 5) ------------------------------------------------------------

def test_all_feed_shows_teammates_and_counts_only_them(auth_client, user, other_user):
    team, other_team = TeamFactory(name="saintsxctf"), TeamFactory(name="friends")
    TeamMemberFactory(team=team, user=user)
    TeamMemberFactory(team=other_team, user=user)
    TeamMemberFactory(team=team, user=other_user)
    TeamMemberFactory(team=other_team, user=other_user)  # shares two teams: still once
    pending, stranger, left = UserFactory(), UserFactory(), UserFactory()
    TeamMemberFactory(team=team, user=pending, status="pending")
    TeamMemberFactory(team=TeamFactory(name="elsewhere"), user=stranger)
    TeamMemberFactory(team=team, user=left).soft_delete()
    visible = [LogFactory(user=user, date=date(2021, 1, 1)), LogFactory(user=other_user, date=date(2021, 1, 2))]
    for someone in (pending, stranger, left):
        LogFactory.create_batch(11, user=someone)
    body = auth_client.get(feed("all", "all")).json()
    assert [log["log_id"] for log in body["logs"]] == [visible[1].log_id, visible[0].log_id]
    assert body["pages"] == 1


def test_all_feed_of_a_runner_without_a_team_shows_their_own_logs(auth_client, user, other_user):
    mine = LogFactory(user=user)
    LogFactory(user=other_user)
    body = auth_client.get(feed("all", "all")).json()
    assert ([log["log_id"] for log in body["logs"]], body["pages"]) == ([mine.log_id], 1)


def test_all_feed_ignores_teams_the_caller_is_pending_in_or_deleted_teams(auth_client, user, other_user):
    pending_team, deleted_team = TeamFactory(), TeamFactory()
    TeamMemberFactory(team=pending_team, user=user, status="pending")
    TeamMemberFactory(team=pending_team, user=other_user)
    TeamMemberFactory(team=deleted_team, user=user)
    TeamMemberFactory(team=deleted_team, user=other_user)
    deleted_team.soft_delete()
    LogFactory(user=other_user)
    assert auth_client.get(feed("all", "all")).json()["logs"] == []


# -- bad parameters (deviations.md 2) ----------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "error"), [
    ("/v2/log_feed/team/andy/10/0", "filter_by must be one of 'all', 'group', 'groups', 'user', 'users' or 'username'"),
    ("/v2/log_feed/group/alumni/10/0", "bucket must be a group id (a whole number) when filtering by group"),
    ("/v2/log_feed/group/-1/10/0", "bucket must be a group id (a whole number) when filtering by group"),
    ("/v2/log_feed/user/andy/ten/0", "limit must be a whole number from 1 to 100"),
    ("/v2/log_feed/user/andy/0/0", "limit must be a whole number from 1 to 100"),
    ("/v2/log_feed/user/andy/-10/0", "limit must be a whole number from 1 to 100"),
    ("/v2/log_feed/user/andy/101/0", "limit must be a whole number from 1 to 100"),
    ("/v2/log_feed/user/andy/2147483648/0", "limit must be a whole number from 1 to 100"),
    ("/v2/log_feed/user/andy/99999999999999999999/0", "limit must be a whole number from 1 to 100"),
    ("/v2/log_feed/user/andy/1.5/0", "limit must be a whole number from 1 to 100"),
    ("/v2/log_feed/user/andy/10/-10", "offset must be a whole number from 0 to 2147483647"),
    ("/v2/log_feed/user/andy/10/x", "offset must be a whole number from 0 to 2147483647"),
])
def test_bad_parameters(auth_client, user, path, error):
    resp = auth_client.get(path)
    assert resp.status_code == 400
    assert resp.json() == {"self": path, "next": None, "prev": None, "logs": None, "pages": 0, "error": error}


def test_largest_offset_is_an_empty_page(auth_client, user):
    LogFactory(user=user)
    resp = auth_client.get(feed("user", "andy", 100, 2147483647))
    assert (resp.status_code, resp.json()["logs"]) == (200, [])


def test_a_token_is_required(api_client):
    assert api_client.get(feed("all", "all")).status_code == 401
    assert api_client.get(feed("all", "all"), HTTP_AUTHORIZATION="Bearer x").status_code == 403


def test_links(api_client):
    body = api_client.get(reverse("log_feed:links")).json()
    assert body == {"self": "/v2/log_feed/links", "endpoints": [{
        "link": "/v2/log_feed/<filter_by>/<bucket>/<limit>/<offset>", "verb": "GET",
        "description": "Get a list of exercise logs based on certain filters."}]}


# -- query counts ---------------------------------------------------------------------------------------------

# The caller, the count (summed summaries), one page of logs, the comments of the whole page; the all and
# group feeds read their authors' usernames first. Read again, the count comes from the cache, and so do the
# all feed's authors (the caller's teammates, and the users outside them: feed_authors()).
FEED_QUERIES = {"all": 6, "group": 5, "user": 4}
CACHED_FEED_QUERIES = {"all": 3, "group": 3, "user": 3}


@pytest.fixture
def feeds(user, other_user):
    """A team and a group holding andy and dotty."""
    team = TeamFactory()
    group = GroupFactory()
    for runner in (user, other_user):
        TeamMemberFactory(team=team, user=runner)
        GroupMemberFactory(group=group, user=runner)
    return {"all": "all", "group": group.id, "user": "andy"}


@pytest.mark.usefixtures("aggregate_cache")
@pytest.mark.parametrize("filter_by", ["all", "group", "user"])
def test_query_count_does_not_grow_with_the_page_size(auth_client, user, feeds, filter_by,
                                                       django_assert_num_queries):
    bulk_logs(user, 60, comments_each=2)
    for limit in (10, 50):
        clear_cache()  # the page count is cached (saintsxctf/foundation/aggregates.py): measure the uncached read at each size
        with django_assert_num_queries(FEED_QUERIES[filter_by]):
            body = auth_client.get(feed(filter_by, feeds[filter_by], limit, 0)).json()
        assert len(body["logs"]) == limit
        assert all(len(log["comments"]) == 2 for log in body["logs"])
        # Read again: the page count (and the all feed's teammates) come from the cache, same answer.
        with django_assert_num_queries(CACHED_FEED_QUERIES[filter_by]):
            assert auth_client.get(feed(filter_by, feeds[filter_by], limit, 0)).json() == body


@pytest.mark.parametrize("filter_by", ["all", "group", "user"])
def test_query_count_does_not_grow_with_the_data(auth_client, user, other_user, feeds, filter_by,
                                                  django_assert_num_queries):
    bulk_logs(user, 50, comments_each=1)
    bulk_logs(other_user, 50, comments_each=1)
    clear_cache()  # measure the uncached read at each size (log writes keep the cached teammates)
    with django_assert_num_queries(FEED_QUERIES[filter_by]):
        assert auth_client.get(feed(filter_by, feeds[filter_by])).json()["pages"] == (5 if filter_by == "user" else 10)
    bulk_logs(user, 450, comments_each=1, start=date(2021, 1, 1))
    bulk_logs(other_user, 450, comments_each=1, start=date(2021, 1, 1))
    clear_cache()
    with django_assert_num_queries(FEED_QUERIES[filter_by]):
        assert auth_client.get(feed(filter_by, feeds[filter_by])).json()["pages"] == (50 if filter_by == "user" else 100)


def test_all_feed_follows_team_changes_after_it_was_read(auth_client, user, other_user):
    """The feed's authors are cached (logs/queries.py feed_authors()); joining, leaving and a team's deletion show."""
    team = TeamFactory()
    TeamMemberFactory(team=team, user=user)
    theirs = LogFactory(user=other_user, date=date(2021, 1, 2))
    mine = LogFactory(user=user, date=date(2021, 1, 1))

    def feed_ids():
        return [log["log_id"] for log in auth_client.get(feed("all", "all")).json()["logs"]]

    assert feed_ids() == [mine.log_id]
    membership = TeamMemberFactory(team=team, user=other_user)
    assert feed_ids() == [theirs.log_id, mine.log_id]
    membership.soft_delete()
    assert feed_ids() == [mine.log_id]
    TeamMemberFactory(team=team, user=other_user)
    assert feed_ids() == [theirs.log_id, mine.log_id]
    team.soft_delete()
    assert feed_ids() == [mine.log_id]


@pytest.mark.usefixtures("aggregate_cache")
def test_group_feed_follows_membership_changes_after_it_was_read(auth_client, user, other_user):
    """A group feed's authors are cached (logs/queries.py group_authors()); a request to join, its acceptance, a
    departure and a group without members show at once."""
    group = GroupFactory()
    GroupMemberFactory(group=group, user=user)
    theirs = LogFactory(user=other_user, date=date(2021, 1, 2))
    mine = LogFactory(user=user, date=date(2021, 1, 1))

    def feed_ids():
        return [log["log_id"] for log in auth_client.get(feed("group", group.id)).json()["logs"]]

    assert feed_ids() == [mine.log_id]
    membership = GroupMemberFactory(group=group, user=other_user, status="pending")
    assert feed_ids() == [mine.log_id]
    membership.status = "accepted"
    membership.save()
    assert feed_ids() == [theirs.log_id, mine.log_id]
    membership.soft_delete()
    assert feed_ids() == [mine.log_id]
    GroupMember.objects.filter(group=group).soft_delete()
    assert feed_ids() == []


@pytest.mark.usefixtures("aggregate_cache")
def test_log_writes_keep_the_cached_authors_and_refresh_the_page(auth_client, user, other_user, feeds,
                                                                    django_assert_num_queries):
    """The authors read no log, so a log write leaves them cached; the page and its count follow the write."""
    auth_client.get(feed("all", "all"))
    created = auth_client.post("/v2/logs/", {
        "username": "andy", "first": "Andy", "last": "J", "date": "2021-06-01", "type": "run", "feel": 6,
    }, format="json")
    assert created.status_code == 200
    with django_assert_num_queries(FEED_QUERIES["all"] - 2):  # everything but the authors (feed_authors())
        body = auth_client.get(feed("all", "all")).json()
    assert [log["log_id"] for log in body["logs"]] == [created.json()["log"]["log_id"]]
    assert body["pages"] == 1


@pytest.mark.usefixtures("aggregate_cache")
def test_all_feed_of_a_team_holding_nearly_everyone(auth_client, user, other_user, django_assert_num_queries):
    """Named by the few runners outside the team (logs/queries.py feed_authors()), the feed is the same: the
    team's logs and no others, newcomers outside the team excluded."""
    team = TeamFactory()
    runners = [user, other_user, *UserFactory.create_batch(3)]
    for runner in runners:
        TeamMemberFactory(team=team, user=runner)
    outsider = UserFactory()
    TeamMemberFactory(team=team, user=UserFactory(), status="pending")
    for day, runner in enumerate([*runners, outsider], start=1):
        LogFactory(user=runner, date=date(2021, 3, day))
    authors = feed_authors(user)
    assert isinstance(authors, AllBut) and len(authors) == 2  # the outsider and the pending runner
    team_logs = sorted(Log.objects.filter(user__in=runners).values_list("log_id", flat=True), reverse=True)

    def feed_ids():
        body = auth_client.get(feed("all", "all")).json()
        assert body["pages"] == 1
        return [log["log_id"] for log in body["logs"]]

    with CaptureQueriesContext(connection) as queries:
        assert feed_ids() == team_logs
    # Read along (deleted, date): the planner is kept from estimating the gaps between the outsiders' names on the
    # (user, deleted, date) index, which at 1M logs took longer than the query (saintsxctf/foundation/hints.py).
    page = [query["sql"] for query in queries.captured_queries if "FROM `logs_log`" in query["sql"]]
    if connection.vendor == "mysql":
        assert len(page) == 1 and "FROM `logs_log` IGNORE INDEX (`log_user_deleted_date_flag`)" in page[0]
    newcomer = UserFactory()
    LogFactory(user=newcomer, date=date(2021, 4, 1))
    assert feed_ids() == team_logs
    with django_assert_num_queries(CACHED_FEED_QUERIES["all"]):
        assert feed_ids() == team_logs


def test_all_feed_of_a_team_holding_everyone(auth_client, user, other_user):
    team = TeamFactory()
    for runner in (user, other_user):
        TeamMemberFactory(team=team, user=runner)
    logs = [LogFactory(user=user, date=date(2021, 1, 1)), LogFactory(user=other_user, date=date(2021, 1, 2))]
    assert feed_authors(user) == AllBut()
    body = auth_client.get(feed("all", "all")).json()
    assert [log["log_id"] for log in body["logs"]] == [logs[1].log_id, logs[0].log_id]
    assert body["pages"] == 1


def test_group_feed_of_a_group_without_accepted_members_is_empty(auth_client, user):
    """No authors: an empty list of usernames matches nothing (saintsxctf/foundation/lookups.py ValuesIn)."""
    group = GroupFactory()
    GroupMemberFactory(group=group, user=UserFactory(), status="pending")
    LogFactory(user=user)
    body = auth_client.get(feed("group", group.id)).json()
    assert (body["logs"], body["pages"]) == ([], 0)


@pytest.mark.mariadb
def test_a_runners_feed_is_read_in_index_order_without_a_sort(user):
    """The user feed's `ORDER BY date DESC, log_id DESC LIMIT n` is the runners' index order (user, deleted, date,
    log_id, ...): MariaDB reads the first n entries and stops. With `flagged` right after `date` it sorted every log
    of the runner for each page (145 -> 51 req/s at 1M logs)."""
    if connection.vendor != "mysql":
        pytest.skip("the plan of MariaDB")
    LogFactory.create_batch(30, user=user)
    others = UserFactory.create_batch(20)
    bulk_insert(Log, [{"user_id": other.username, "first": "A", "last": "B", "date": date(2021, 1, 1) + timedelta(days=k),
                       "type_id": "run", "feel": 5} for k in range(100) for other in others], with_pk=False)
    logs = queries.feed_logs(queries.feed_of(viewer=user, filter_by="user", bucket=user.username))
    sql, params = logs[:10].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN FORMAT=JSON " + sql, params)
        plan = cursor.fetchone()[0]
    assert '"key": "log_user_deleted_date_flag"' in plan and "filesort" not in plan, plan


@pytest.mark.parametrize("filter_by", ["all", "group", "user"])
def test_a_feed_page_through_its_kept_query_is_the_orms_page(user, other_user, filter_by):
    """queries.feed_page (a query compiled once per authors and page) gives the page the ORM's slice gives, for
    every page, and again after the logs changed."""
    team, group = TeamFactory(), GroupFactory()
    for runner in (user, other_user):
        TeamMemberFactory(team=team, user=runner, status="accepted")
        GroupMemberFactory(group=group, user=runner, status="accepted")
    for runner in (user, other_user, UserFactory()):
        LogFactory.create_batch(7, user=runner)
    authors = queries.feed_of(viewer=user, filter_by=filter_by, bucket=str(group.pk) if filter_by == "group" else "andy")
    for _ in range(2):
        for offset, limit in [(0, 10), (10, 10), (3, 5), (20, 10)]:
            assert queries.feed_page(authors, offset, limit) == list(queries.feed_logs(authors)[offset:offset + limit])
        LogFactory(user=user)
        Log.objects.filter(pk=Log.objects.filter(user=user).order_by("log_id").first().pk).update(deleted=True)
