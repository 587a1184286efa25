"""Issue 13, security probe F1: no request reads every row. The list endpoints answer one bounded page, newest
first, with the feeds' `next`/`prev` links; every `limit` has a maximum."""

from datetime import date, datetime, timedelta

import pytest

from comments.tests.factories import CommentFactory
from logs.tests.factories import LogFactory
from notifications.tests.factories import NotificationFactory
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROWS = 130  # more than two default pages


def make_logs(user):
    return [LogFactory(user=user, date=date(2021, 1, 1) + timedelta(days=i)) for i in range(ROWS)]


def make_comments(user):
    log = LogFactory(user=user)
    return [CommentFactory(log=log, user=user, time=datetime(2021, 1, 1) + timedelta(hours=i)) for i in range(ROWS)]


def make_notifications(user):
    return [NotificationFactory(user=user, time=datetime(2021, 1, 1) + timedelta(hours=i)) for i in range(ROWS)]


def make_users(user):
    """Older members than the caller (who joined today, so comes first): the caller is the newest row."""
    return [user] + [UserFactory(member_since=date(2020, 1, 1) + timedelta(days=i)) for i in range(ROWS - 1)][::-1]


LISTS = [
    ("/v2/logs/", "logs", make_logs, lambda row: row["log_id"], lambda obj: obj.log_id),
    ("/v2/comments/", "comments", make_comments, lambda row: row["comment_id"], lambda obj: obj.comment_id),
    ("/v2/notifications/", "notifications", make_notifications, lambda row: row["notification_id"],
     lambda obj: obj.notification_id),
    ("/v2/users/", "users", make_users, lambda row: row["username"], lambda obj: obj.username),
]


@pytest.mark.parametrize("path, plural, make, key, id_of", LISTS, ids=[entry[1] for entry in LISTS])
def test_a_list_is_one_page_newest_first_and_the_next_links_walk_it(auth_client, user, path, plural, make, key,
                                                                     id_of):
    made = make(user)
    expected = [id_of(obj) for obj in (made if plural == "users" else reversed(made))]  # newest first
    body = auth_client.get(path).json()
    assert len(body[plural]) == 50
    assert [key(row) for row in body[plural]] == expected[:50]
    assert body["prev"] is None and body["next"] == f"{path}?limit=50&offset=50"
    assert body["pages"] == -(-len(expected) // 50)
    seen, url = [], path
    while url:
        page = auth_client.get(url).json()
        if not page[plural]:
            assert page["next"] is None
            break
        seen += [key(row) for row in page[plural]]
        url = page["next"]
    assert seen == expected
    second = auth_client.get(f"{path}?limit=100&offset=100").json()
    assert len(second[plural]) == len(expected) - 100
    assert second["prev"] == f"{path}?limit=100&offset=0"


@pytest.mark.parametrize("path, plural", [(entry[0], entry[1]) for entry in LISTS])
@pytest.mark.parametrize("query, error", [
    ("limit=101", "limit must be a whole number from 1 to 100"),
    ("limit=2147483647", "limit must be a whole number from 1 to 100"),
    ("limit=0", "limit must be a whole number from 1 to 100"),
    ("limit=x", "limit must be a whole number from 1 to 100"),
    ("offset=-1", "offset must be a whole number from 0 to 2147483647"),
    ("offset=99999999999", "offset must be a whole number from 0 to 2147483647"),
])
def test_a_list_limit_has_a_maximum(auth_client, path, plural, query, error):
    resp = auth_client.get(f"{path}?{query}")
    assert resp.status_code == 400
    assert resp.json() == {"self": path.rstrip("/"), plural: None, "error": error}


@pytest.mark.parametrize("limit", ["2147483647", "1000", "101"])
def test_a_feed_limit_has_a_maximum(auth_client, user, limit):
    """The probe's `GET /v2/log_feed/all/x/2147483647/0` took 10 s and 20 MB at 58,657 logs."""
    LogFactory(user=user)
    resp = auth_client.get(f"/v2/log_feed/all/x/{limit}/0")
    assert resp.status_code == 400
    assert resp.json()["error"] == "limit must be a whole number from 1 to 100"


def test_the_clients_feed_limits_are_served(auth_client, user):
    make_logs(user)
    for limit in (10, 25, 100):  # web client, iOS app, the maximum
        body = auth_client.get(f"/v2/log_feed/user/andy/{limit}/0").json()
        assert len(body["logs"]) == limit


def test_the_maximum_page_is_a_setting(auth_client, user, settings):
    from saintsxctf.foundation.api import pagination

    make_notifications(user)
    settings.API_DEFAULT_PAGE_SIZE = 7
    body = auth_client.get("/v2/notifications/").json()
    assert len(body["notifications"]) == 7 and body["next"] == "/v2/notifications/?limit=7&offset=7"
    assert pagination.MAX_LIMIT == settings.API_MAX_PAGE_SIZE == 100


def test_a_team_search_answers_at_most_the_maximum(auth_client, settings):
    from teams.models import Team

    Team.objects.bulk_create([Team(name=f"saints{i:03d}", title=f"Saints {i}") for i in range(120)])
    assert len(auth_client.get("/v2/teams/search/saints/2147483647").json()["teams"]) == 100
    assert len(auth_client.get("/v2/teams/search/saints/6").json()["teams"]) == 6
