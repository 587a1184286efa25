"""What the iOS app (the other v2 client) needs of the API, call by call (contract other-clients.md; issue 18
item 9): bodies it can map without crashing, and the write bodies it really sends."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from comments.tests.factories import CommentFactory
from conftest import client_for
from groups.tests.factories import GroupFactory, GroupMemberFactory
from logs.models import ExerciseType
from logs.tests.factories import LogFactory
from teams.tests.factories import TeamFactory, TeamGroupFactory
from users.models import User
from users.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def ios(user):
    """The app's client: `Accept: application/json` on every call, the bearer token of the runner."""
    client = client_for(user)
    client.defaults["HTTP_ACCEPT"] = "application/json"
    return client


@pytest.fixture
def mensxc(user):
    team = TeamFactory(name="saintsxctf")
    group = GroupFactory(group_name="mensxc", group_title="Men's Cross Country")
    TeamGroupFactory(team=team, group=group)
    GroupMemberFactory(group=group, user=user, status="accepted", role="admin")
    return group


def test_refused_sign_in_is_an_empty_string(api_client, user):
    """`result` is an implicitly unwrapped String in the app: false or null crash it."""
    for body in ({"clientId": "andy", "clientSecret": "wrong"}, {"clientId": "nobody", "clientSecret": PASSWORD},
                 {"clientId": "andy"}):
        resp = api_client.post("/auth/token", body, format="json")
        assert resp.status_code == 200 and resp.json() == {"result": ""}


def empty_answers(group_id: int) -> dict:
    """The app's reads (path -> wrapper key) as they answer when there is nothing to show."""
    return {
        "/v2/log_feed/all/all/25/0": "logs",
        "/v2/log_feed/user/andy/25/0": "logs",
        f"/v2/log_feed/group/{group_id}/25/0": "logs",
        "/v2/range_view/user/andy/rbso/2021-05-01/2021-06-11": "range_view",
        f"/v2/groups/leaderboard/{group_id}": "leaderboard",
        f"/v2/groups/leaderboard/{group_id}/week": "leaderboard",
        "/v2/users/groups/andy": "groups",
        "/v2/groups/saintsxctf/mensxc": "group",
        "/v2/groups/members/saintsxctf/mensxc": "group_members",
        "/v2/users/andy": "user",
    }


def test_no_2xx_answer_carries_a_null_wrapper(ios, user, mensxc):
    """The app re-serialises the value under the wrapper key: JSON null there raises and crashes it."""
    for path, key in empty_answers(mensxc.pk).items():
        resp = ios.get(path)
        if resp.status_code < 300:
            assert resp.json()[key] is not None, path
            assert isinstance(resp.json()[key], (list, dict)), path
    # The writes it reads back: `log` and `comment`.
    log = ios.post("/v2/logs/", {"username": "andy", "first": "Andy", "last": "J", "date": "2021-06-01",
                                 "type": "run", "metric": "miles", "time": "00:00:00", "feel": 5}, format="json")
    assert isinstance(log.json()["log"], dict)
    comment = ios.post("/v2/comments/", {"username": "andy", "first": "Andy", "last": "J",
                                         "log_id": log.json()["log"]["log_id"], "content": "nice"}, format="json")
    assert isinstance(comment.json()["comment"], dict)


def test_numbers_are_numbers_and_strings_are_never_null(ios, user, mensxc):
    """Legacy rows and the app's own blank fields: null distance, metric, time and name; null comment text."""
    bare = LogFactory(user=user, date=date(2021, 6, 1), type=ExerciseType.objects.get(type="yoga"), distance=None,
                      metric=None, time=None, name=None, feel=7)
    LogFactory(user=user, date=date(2021, 6, 1), distance=4.4299999999999997, metric="miles",
               time=timedelta(minutes=31, seconds=47), feel=6)
    comment = CommentFactory(log=bare, content=None)

    feed = ios.get("/v2/log_feed/user/andy/25/0").json()["logs"]
    for log in feed:
        assert type(log["log_id"]) is int and type(log["feel"]) is int
        assert isinstance(log["distance"], float) and isinstance(log["miles"], float)
        for key in ("name", "first", "last", "username", "metric", "type", "time", "pace"):
            assert isinstance(log[key], str), key
    shown = next(log for log in feed if log["log_id"] == bare.pk)
    assert (shown["distance"], shown["metric"], shown["time"], shown["name"]) == (0.0, "miles", "0:00:00", "")
    [feed_comment] = shown["comments"]
    assert type(feed_comment["log_id"]) is int and type(feed_comment["comment_id"]) is int
    assert (feed_comment["first"], feed_comment["content"]) == (comment.first, "")
    assert feed_comment["time"].endswith(" GMT")  # force-parsed as RFC 1123

    [day] = ios.get("/v2/range_view/user/andy/rbso/2021-05-01/2021-06-11").json()["range_view"]
    assert type(day["feel"]) is int and isinstance(day["miles"], float)
    assert day["date"] == "Tue, 01 Jun 2021 00:00:00 GMT"

    [row] = ios.get(f"/v2/groups/leaderboard/{mensxc.pk}").json()["leaderboard"]
    for key in ("miles", "miles_run", "miles_biked", "miles_swam", "miles_other"):
        assert isinstance(row[key], float), key
    assert type(ios.get("/v2/groups/saintsxctf/mensxc").json()["group"]["id"]) is int


def ios_stored_user(client) -> dict:
    """The user object the app archived at sign-in (GET /v2/users/<me>, own hash included)."""
    return client.get("/v2/users/andy").json()["user"]


@pytest.mark.parametrize("flow", ["details", "picture", "groups"])
def test_profile_writes_change_only_what_they_should(ios, user, mensxc, flow):
    """DetailsViewController sends class_year as text ("" when blank); ProPic adds a data URI; PickGroups adds
    v1-style `groups`. Both of the latter leave class_year out. Every one sends the stored password hash."""
    User.objects.filter(pk=user.pk).update(class_year=2017)
    stored = ios_stored_user(ios)
    body = {key: stored.get(key) for key in ("username", "first", "last", "email", "activation_code", "last_signin",
                                             "profilepic_name", "description", "location", "favorite_event",
                                             "week_start")}
    body.update(password="$2b$12$" + "x" * 53, salt="stale salt", location="Riverside, CT")
    if flow == "details":
        body["class_year"] = "2019"
    elif flow == "picture":
        body["profilepic"] = "data:image/jpeg;base64," + "A" * 4000
    else:
        body["groups"] = [{"group_name": "mensxc", "group_title": "Men's", "status": "accepted", "user": "admin"}]

    resp = ios.put("/v2/users/andy", body, format="json")
    assert resp.status_code == 200, resp.json()
    assert isinstance(resp.json()["user"], dict)
    user.refresh_from_db()
    assert user.location == "Riverside, CT"
    assert user.class_year == (2019 if flow == "details" else 2017)  # an absent class year stays
    assert user.check_password(PASSWORD)  # the echoed hash changed nothing
    assert APIClient().post("/auth/token", {"clientId": "andy", "clientSecret": PASSWORD},
                            format="json").json()["result"]


def test_a_blank_class_year_clears_it(ios, user):
    User.objects.filter(pk=user.pk).update(class_year=2017)
    resp = ios.put("/v2/users/andy", {"first": "Andy", "last": "J", "class_year": ""}, format="json")
    assert resp.status_code == 200 and resp.json()["user"]["class_year"] is None


@pytest.mark.parametrize("header", ["Bearer ", "Bearer junk"])
@pytest.mark.parametrize(("method", "path"), [
    ("post", "/v2/notification"),
    ("get", "/v2/activationcode/ABC123"),
    ("get", "/v2/range_view/user/andy//2021-05-01/2021-06-11"),
])
def test_paths_the_app_still_calls_stay_404(api_client, user, header, method, path):
    """Never 403, which would sign the app out (it sends `Bearer ` with an empty token when signed out)."""
    resp = getattr(api_client, method)(path, {"notification_id": "", "username": "dotty"} if method == "post" else None,
                                       format="json", HTTP_AUTHORIZATION=header)
    assert resp.status_code == 404
    resp = getattr(client_for(user), method)(path, format="json")
    assert resp.status_code == 404


def test_range_view_group_routes_the_app_calls(ios, user, mensxc):
    LogFactory(user=user, date=date(2021, 6, 1), distance=3, metric="miles", feel=4)
    assert reverse("groups:group-by-name", kwargs={"team_name": "saintsxctf", "group_name": "mensxc"}) == \
        "/v2/groups/saintsxctf/mensxc"
    members = ios.get("/v2/groups/members/saintsxctf/mensxc").json()["group_members"]
    assert members[0]["username"] == "andy" and members[0]["member_since"].endswith(" GMT")
