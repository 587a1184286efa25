"""GET/POST /v2/logs/, GET/PUT/DELETE /v2/logs/<log_id>, DELETE /v2/logs/soft/<log_id>, /v2/logs/links."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse

from comments.models import Comment
from comments.tests.factories import CommentFactory
from logs.models import Log
from logs.tests.factories import LogFactory
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("logs:log-list")


def detail(log_id) -> str:
    return reverse("logs:log-detail", kwargs={"log_id": log_id})


def soft(log_id) -> str:
    return reverse("logs:log-soft", kwargs={"log_id": log_id})


def new_log_body(**overrides) -> dict:
    body = {
        "username": "andy", "first": "Andy", "last": "Jarombek", "name": "Hillcrest Park", "location": "Riverside, CT",
        "date": "2021-05-30", "type": "run", "distance": 4.43, "metric": "miles", "time": "0:31:47", "feel": 6,
        "description": "In CT for the weekend.",
    }
    return {**body, **overrides}


@pytest.fixture
def log1(user):
    """The contract's examples/api/logs/get/log1.json, with its comment."""
    log = LogFactory(
        user=user, first="Andrew", last="Jarombek", name="Hillcrest Park", location="Riverside, CT",
        date=date(2021, 5, 30), distance=4.43, metric="miles", time=timedelta(minutes=31, seconds=47), feel=6,
        description="In CT for the weekend.", time_created=datetime(2021, 5, 30, 12, 0, 0),
    )
    joe = UserFactory(username="Joe", first="Joe", last="Smith")
    CommentFactory(user=joe, log=log, content="Get healthy for our Marathon race in VT Sept. 12th!",
                   time=datetime(2021, 5, 30, 12, 5, 0))
    return log


# -- GET ------------------------------------------------------------------------------------------------------

def test_get_log_matches_the_contract_example(auth_client, log1):
    comment = log1.comments.get()
    resp = auth_client.get(detail(log1.log_id))
    assert resp.status_code == 200
    assert resp.json() == {
        "self": f"/v2/logs/{log1.log_id}",
        "log": {
            "date": "2021-05-30", "deleted": False, "description": "In CT for the weekend.", "distance": 4.43,
            "feel": 6, "first": "Andrew", "last": "Jarombek", "location": "Riverside, CT", "log_id": log1.log_id,
            "metric": "miles", "miles": 4.43, "name": "Hillcrest Park", "pace": "0:07:10", "time": "0:31:47",
            "time_created": "Sun, 30 May 2021 12:00:00 GMT", "type": "run", "username": "andy",
        },
        "comments": [{
            "comment": f"/v2/comments/{comment.comment_id}", "comment_id": comment.comment_id, "content": "Get healthy for our Marathon race in VT Sept. 12th!",
            "deleted": False, "first": "Joe", "last": "Smith", "log_id": log1.log_id, "time": "2021-05-30 12:05:00",
            "username": "Joe",
        }],
    }


def test_each_comment_of_a_log_links_to_itself(auth_client, log1):
    """The original's `comment` link on every comment of a log, built by the router (it resolves)."""
    [comment] = auth_client.get(detail(log1.log_id)).json()["comments"]
    assert comment["comment"] == reverse("comments:comment-detail", kwargs={"comment_id": comment["comment_id"]})
    linked = auth_client.get(comment["comment"])
    assert linked.status_code == 200 and linked.json()["comment"]["comment_id"] == comment["comment_id"]


def test_get_log_lists_live_comments_newest_first(auth_client, user):
    log = LogFactory(user=user)
    old = CommentFactory(log=log, time=datetime(2021, 1, 1, 8))
    new = CommentFactory(log=log, time=datetime(2021, 1, 2, 8))
    CommentFactory(log=log, time=datetime(2021, 1, 3, 8)).soft_delete()
    body = auth_client.get(detail(log.log_id)).json()
    assert [c["comment_id"] for c in body["comments"]] == [new.comment_id, old.comment_id]


def test_anyone_signed_in_reads_anyones_log(auth_client, other_client, log1):
    theirs = other_client.get(detail(log1.log_id))
    assert theirs.status_code == 200
    assert theirs.json()["log"]["log_id"] == log1.log_id
    assert theirs.json() == auth_client.get(detail(log1.log_id)).json()  # what the owner reads, whole


@pytest.mark.parametrize("log_id", ["999999", "abc", "-1", "99999999999999999999"])
def test_get_missing_log(auth_client, log_id):
    resp = auth_client.get(detail(log_id))
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/logs/{log_id}", "log": None, "comments": None,
                           "error": "there is no log with this identifier"}


def test_get_soft_deleted_log_is_missing(auth_client, user):
    log = LogFactory(user=user)
    log.soft_delete()
    assert auth_client.get(detail(log.log_id)).json()["error"] == "there is no log with this identifier"


def test_list_logs_newest_first_with_comments(auth_client, user, other_user):
    late = LogFactory(user=user, date=date(2021, 3, 2))
    early = LogFactory(user=other_user, date=date(2021, 3, 1))
    LogFactory(user=user, date=date(2021, 2, 1)).soft_delete()
    comment = CommentFactory(log=late, time=datetime(2021, 3, 2, 9, 30))
    resp = auth_client.get(LIST)
    assert resp.status_code == 200
    body = resp.json()
    assert body["self"] == "/v2/logs"
    # One page, newest first (issue 13; the original listed every log, oldest first).
    assert [log["log_id"] for log in body["logs"]] == [late.log_id, early.log_id]
    assert (body["next"], body["prev"], body["pages"]) == ("/v2/logs/?limit=50&offset=50", None, 1)
    assert body["logs"][1]["comments"] == []
    assert body["logs"][0]["comments"][0]["comment_id"] == comment.comment_id
    assert body["logs"][0]["comments"][0]["time"] == "2021-03-02 09:30:00"
    assert body["logs"][0]["comments"][0]["comment"] == f"/v2/comments/{comment.comment_id}"
    assert set(body["logs"][0]) == {
        "comments", "date", "deleted", "description", "distance", "feel", "first", "last", "location", "log_id",
        "metric", "miles", "name", "pace", "time", "time_created", "type", "username"}


def test_list_query_count_is_constant(auth_client, user, django_assert_num_queries):
    def grow(n):
        for log in LogFactory.create_batch(n, user=user):
            CommentFactory.create_batch(2, log=log, user=user)

    grow(2)
    with django_assert_num_queries(4):  # auth user, count, the page of logs, comments of every log
        auth_client.get(LIST)
    grow(60)
    with django_assert_num_queries(4):
        assert len(auth_client.get(LIST).json()["logs"]) == 50


def test_collection_redirects(auth_client):
    resp = auth_client.get(reverse("logs:log-redirect"))
    assert (resp.status_code, resp["Location"]) == (302, "/v2/logs/")
    resp = auth_client.post(reverse("logs:log-redirect"), {}, format="json")
    assert (resp.status_code, resp["Location"]) == (307, "/v2/logs/")


@pytest.mark.parametrize(("method", "url"), [
    ("get", LIST), ("post", LIST), ("get", "/v2/logs/1"), ("put", "/v2/logs/1"), ("delete", "/v2/logs/1"),
    ("delete", "/v2/logs/soft/1"),
])
def test_a_token_is_required(api_client, method, url):
    resp = getattr(api_client, method)(url)
    assert resp.status_code == 401
    assert resp.json()["error_description"] == "Unauthorized"
    resp = getattr(api_client, method)(url, HTTP_AUTHORIZATION="Bearer not-a-token")
    assert resp.status_code == 403
    assert resp.json()["error_description"] == "Forbidden"


def test_links(api_client):
    resp = api_client.get(reverse("logs:links"))
    assert resp.status_code == 200
    assert {(e["link"], e["verb"], e["description"]) for e in resp.json()["endpoints"]} == {
        ("/v2/logs/", "GET", "Get all the exercise logs in the database."),
        ("/v2/logs/", "POST", "Create a new exercise log."),
        ("/v2/logs/<log_id>", "GET", "Retrieve a single exercise log with a given unique id."),
        ("/v2/logs/<log_id>", "PUT", "Update an exercise log with a given unique id."),
        ("/v2/logs/<log_id>", "DELETE", "Delete a single exercise log with a given unique id."),
        ("/v2/logs/soft/<log_id>", "DELETE", "Soft delete a single exercise log with a given unique id."),
    }


# -- POST -----------------------------------------------------------------------------------------------------

def test_create_log(auth_client, user):
    resp = auth_client.post(LIST, new_log_body(), format="json")
    assert resp.status_code == 200
    body = resp.json()
    log = Log.objects.get()
    assert body["self"] == "/v2/logs"
    assert body["added"] is True
    assert body["log"] == {
        "date": "2021-05-30", "deleted": False, "description": "In CT for the weekend.", "distance": 4.43, "feel": 6,
        "first": "Andy", "last": "Jarombek", "location": "Riverside, CT", "log_id": log.log_id, "metric": "miles",
        "miles": 4.43, "name": "Hillcrest Park", "pace": "0:07:10", "time": "0:31:47",
        "time_created": body["log"]["time_created"], "type": "run", "username": "andy",
    }
    assert body["log"]["time_created"].endswith(" GMT")
    assert (log.user_id, log.created_app, log.created_user) == ("andy", "saints-xctf-api", "andy")


def test_create_ignores_a_body_log_id_and_time_created(auth_client, user):
    other = LogFactory()
    body = new_log_body(log_id=other.log_id, time_created="Sun, 30 May 2000 12:00:00 GMT", deleted=True)
    resp = auth_client.post(LIST, body, format="json")
    assert resp.status_code == 200
    created = resp.json()["log"]
    assert created["log_id"] != other.log_id
    assert created["deleted"] is False
    assert "2000" not in created["time_created"]


def test_create_with_only_the_required_fields(auth_client, user):
    body = {"username": "andy", "first": "Andy", "last": "Jarombek", "date": "2021-05-30", "type": "core", "feel": 5}
    log = auth_client.post(LIST, body, format="json").json()["log"]
    # Stored as null; shown as numbers and strings, which both clients force-read (other-clients.md 5.3-5.6).
    assert (log["type"], log["distance"], log["metric"], log["time"], log["miles"], log["pace"], log["name"]) == \
        ("core", 0.0, "miles", "0:00:00", 0.0, "0:00:00", "")
    stored = Log.objects.get(pk=log["log_id"])
    assert (stored.distance, stored.metric, stored.time, stored.name) == (None, None, None, None)


@pytest.mark.parametrize("overrides", [
    {},
    {"distance": 10.37, "metric": "kilometers", "time": "0:41:09"},
    {"distance": 1500, "metric": "meters", "time": "4:59"},
    {"type": "swim", "distance": 0.3, "metric": "miles", "time": "1:02:03"},
    {"name": "  Ünïcödé 🏃 run  ", "description": "ends with spaces   ", "location": None},
])
def test_a_created_log_renders_as_it_reads_back(auth_client, user, overrides):
    """The create answers the log as written, without reading it back: it must equal what a GET reads."""
    created = auth_client.post(LIST, new_log_body(**overrides), format="json")
    assert created.status_code == 200, created.json()
    log = created.json()["log"]
    assert auth_client.get(reverse("logs:log-detail", kwargs={"log_id": log["log_id"]})).json()["log"] == log


def test_create_with_miles_and_no_distance_stores_those_miles(auth_client, user):
    """The iOS app leaves `distance` out when it is blank and may send `miles`: the original stored them."""
    body = new_log_body(miles=5.5, time="00:44:00")
    del body["distance"]
    log = auth_client.post(LIST, body, format="json").json()["log"]
    assert (log["distance"], log["metric"], log["miles"], log["pace"]) == (5.5, "miles", 5.5, "0:08:00")
    assert Log.objects.get().miles == 5.5
    # With a distance, miles are derived from it and a stale `miles` counts for nothing.
    log = auth_client.post(LIST, new_log_body(miles=99, distance=10, metric="kilometers"), format="json").json()["log"]
    assert (log["distance"], log["miles"]) == (10.0, 6.21317)


def refused(resp, error: str, bad_fields=()) -> None:
    """The contract's 400 body, plus `errors` naming exactly the `bad_fields` of a rejected body (none: no `errors`)."""
    assert resp.status_code == 400
    body = resp.json()
    errors = body.pop("errors", {})
    assert body == {"self": "/v2/logs", "added": False, "log": None, "error": error}
    assert set(errors) == set(bad_fields)
    assert all(errors[field] and all(isinstance(m, str) for m in errors[field]) for field in bad_fields)
    assert not Log.all_objects.exists()


@pytest.mark.parametrize("body", [None])  # `{}` and other JSON values: saintsxctf/tests/test_post_bodies.py
def test_create_without_a_body(auth_client, user, body):
    refused(auth_client.post(LIST, body, format="json"), "the request body isn't populated")


def test_create_for_someone_else(auth_client, user, other_user):
    refused(auth_client.post(LIST, new_log_body(username="dotty"), format="json"),
            "User andy is not authorized to upload an exercise log for user dotty.")


def test_create_without_a_username_is_refused_as_someone_elses(auth_client, user):
    body = new_log_body()
    del body["username"]
    refused(auth_client.post(LIST, body, format="json"),
            "User andy is not authorized to upload an exercise log for user None.")


@pytest.mark.parametrize("field", ["first", "last", "date", "type", "feel"])
def test_create_without_a_required_field(auth_client, user, field):
    refused(auth_client.post(LIST, new_log_body(**{field: None}), format="json"),
            "'username', 'first', 'last', 'date', 'type', and 'feel' are required fields", [field])


@pytest.mark.parametrize("overrides", [
    {"date": "30/05/2021"}, {"date": "2021-02-30"}, {"type": "skydiving"}, {"metric": "yards"}, {"feel": "great"},
    {"feel": 0}, {"feel": 11}, {"distance": -1}, {"distance": "far"}, {"time": "abc"}, {"name": "x" * 41},
])
def test_create_with_bad_values(auth_client, user, overrides):
    # The original failed the insert with a 500; deviations.md 2: the same body with a 400.
    refused(auth_client.post(LIST, new_log_body(**overrides), format="json"), "failed to create a new log",
            overrides)


def test_create_names_each_bad_field(auth_client, user):
    """Issue 20: a bad date and a feel out of range, each named with what is wrong with it."""
    resp = auth_client.post(LIST, new_log_body(date="2021-13-45", feel=50), format="json")
    assert resp.json()["error"] == "failed to create a new log"
    assert resp.json()["errors"] == {
        "date": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."],
        "feel": ["Ensure this value is less than or equal to 10."],
    }


def test_create_with_malformed_json(auth_client, user):
    resp = auth_client.post(LIST, "{not json", content_type="application/json")
    refused(resp, "the request body isn't populated")  # the original's get_json(silent=True) gave None
    assert not Log.objects.exists()


# -- PUT ------------------------------------------------------------------------------------------------------

def web_client_put_body(log: Log, **overrides) -> dict:
    """What the web client sends: no username, first, last or deleted."""
    body = {"log_id": log.log_id, "name": "Central Park", "location": "New York, NY", "date": "2021-06-01",
            "type": "bike", "distance": 10, "metric": "kilometers", "time": "0:40:00", "feel": 8,
            "description": "Updated."}
    return {**body, **overrides}


def test_update_log(auth_client, log1):
    before = Log.objects.get(pk=log1.pk)
    resp = auth_client.put(detail(log1.log_id), web_client_put_body(log1), format="json")
    assert resp.status_code == 200
    body = resp.json()
    assert (body["self"], body["updated"]) == (f"/v2/logs/{log1.log_id}", True)
    assert body["log"] == {
        "date": "2021-06-01", "deleted": False, "description": "Updated.", "distance": 10.0, "feel": 8,
        "first": "Andrew", "last": "Jarombek", "location": "New York, NY", "log_id": log1.log_id,
        "metric": "kilometers", "miles": 6.21317, "name": "Central Park", "pace": "0:06:26", "time": "0:40:00",
        "time_created": "Sun, 30 May 2021 12:00:00 GMT", "type": "bike", "username": "andy",
    }
    after = Log.objects.get(pk=log1.pk)
    assert after.modified_user == "andy"
    assert after.time_created == before.time_created


def test_update_with_miles_and_no_distance_stores_those_miles(auth_client, log1):
    body = web_client_put_body(log1, miles=3.25, time="00:26:00")
    del body["distance"]
    log = auth_client.put(detail(log1.log_id), body, format="json").json()["log"]
    assert (log["distance"], log["metric"], log["miles"], log["pace"]) == (3.25, "miles", 3.25, "0:08:00")


def test_ios_edit_body_with_stale_miles_pace_comments_and_float_noise(auth_client, log1):
    """The iOS edit screen sends the feed's log back with the form over it: stale miles and pace, the whole
    comments array, a zero-padded time and a distance with float noise. Miles and pace are recomputed."""
    feed_log = auth_client.get(detail(log1.log_id)).json()["log"]
    body = {**feed_log, "distance": 4.4299999999999997, "time": "00:35:26", "miles": 1.0, "pace": "0:01:00",
            "comments": [{"comment_id": 1, "content": "old", "time": "Sun, 30 May 2021 12:05:00 GMT"}]}
    resp = auth_client.put(detail(log1.log_id), body, format="json")
    assert resp.status_code == 200, resp.json()
    log = resp.json()["log"]
    assert (log["distance"], log["miles"], log["time"], log["pace"]) == (4.43, 4.43, "0:35:26", "0:07:59")
    assert log1.comments.count() == 1


def test_update_by_the_path_id_not_the_body_id(auth_client, user, log1):
    other = LogFactory(user=user, name="Untouched")
    resp = auth_client.put(detail(log1.log_id), web_client_put_body(log1, log_id=other.log_id), format="json")
    assert resp.json()["log"]["log_id"] == log1.log_id
    assert Log.objects.get(pk=other.pk).name == "Untouched"
    assert Log.objects.get(pk=log1.pk).name == "Central Park"


def test_update_ignores_author_fields(auth_client, log1):
    body = web_client_put_body(log1, username="dotty", first="Dotty", last="X", deleted=True)
    log = auth_client.put(detail(log1.log_id), body, format="json").json()["log"]
    assert (log["username"], log["first"], log["last"], log["deleted"]) == ("andy", "Andrew", "Jarombek", False)


def test_put_of_a_get_response_verbatim_is_refused_as_equal(auth_client, log1):
    got = auth_client.get(detail(log1.log_id)).json()["log"]
    resp = auth_client.put(detail(log1.log_id), got, format="json")
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/logs/{log1.log_id}", "updated": False, "log": None,
                           "error": "the log submitted is equal to the existing log with the same id"}


def test_unchanged_web_client_body_still_updates(auth_client, log1):
    # The web client sends no username, so the original never found its body equal: it answered 200.
    got = auth_client.get(detail(log1.log_id)).json()["log"]
    body = {k: got[k] for k in ("log_id", "name", "location", "date", "type", "distance", "metric", "time", "feel",
                                "description")}
    resp = auth_client.put(detail(log1.log_id), body, format="json")
    assert resp.status_code == 200
    assert resp.json()["log"]["miles"] == 4.43


@pytest.mark.parametrize("log_id", ["999999", "abc"])
def test_update_missing_log(auth_client, log_id):
    resp = auth_client.put(detail(log_id), {"date": "2021-01-01"}, format="json")
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/logs/{log_id}", "updated": False, "log": None,
                           "error": "there is no existing log with this id"}


def test_update_someone_elses_log(other_client, log1):
    resp = other_client.put(detail(log1.log_id), web_client_put_body(log1), format="json")
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/logs/{log1.log_id}", "updated": False, "log": None,
                           "error": "User dotty is not authorized to update an exercise log owned by user andy."}
    assert Log.objects.get(pk=log1.pk).name == "Hillcrest Park"


def test_update_without_a_body(auth_client, log1):
    resp = auth_client.put(detail(log1.log_id), None, format="json")
    assert resp.status_code == 400
    assert resp.json()["error"] == "the request body isn't populated"


@pytest.mark.parametrize("overrides", [
    {"date": None}, {"type": "skydiving"}, {"feel": None}, {"metric": "furlongs"}, {"time": "soon"},
])
def test_update_with_bad_values(auth_client, log1, overrides):
    resp = auth_client.put(detail(log1.log_id), web_client_put_body(log1, **overrides), format="json")
    assert resp.status_code == 400
    body = resp.json()
    assert set(body.pop("errors")) == set(overrides)
    assert body == {"self": f"/v2/logs/{log1.log_id}", "updated": False, "log": None,
                    "error": "the log failed to update"}
    assert Log.objects.get(pk=log1.pk).name == "Hillcrest Park"


# -- DELETE ---------------------------------------------------------------------------------------------------

def test_delete_log_and_its_comments(auth_client, log1):
    CommentFactory(log=log1).soft_delete()
    other_comment = CommentFactory()
    resp = auth_client.delete(detail(log1.log_id))
    assert resp.status_code == 204
    # The body is sent; Django's test client drops the content of a 204 as HTTP says, so read what was rendered.
    assert resp.data == {"self": f"/v2/logs/{log1.log_id}", "deleted": True}
    assert not Log.all_objects.filter(pk=log1.pk).exists()
    assert list(Comment.all_objects.all()) == [other_comment]


@pytest.mark.parametrize("log_id", ["999999", "abc"])
def test_delete_missing_log(auth_client, log_id):
    resp = auth_client.delete(detail(log_id))
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/logs/{log_id}", "deleted": False,
                           "error": "There is no existing exercise log with this id."}


def test_delete_soft_deleted_log_is_missing(auth_client, user):
    log = LogFactory(user=user)
    log.soft_delete()
    assert auth_client.delete(detail(log.log_id)).status_code == 400
    assert Log.all_objects.filter(pk=log.pk).exists()


def test_delete_someone_elses_log(other_client, log1):
    resp = other_client.delete(detail(log1.log_id))
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/logs/{log1.log_id}", "deleted": False,
                           "error": "User dotty is not authorized to delete an exercise log owned by user andy."}
    assert Log.objects.filter(pk=log1.pk).exists()
    assert log1.comments.exists()


def test_soft_delete_log_and_its_comments(auth_client, log1):
    resp = auth_client.delete(soft(log1.log_id))
    assert resp.status_code == 204
    assert resp.data == {"self": f"/v2/logs/soft/{log1.log_id}", "deleted": True}
    log = Log.all_objects.get(pk=log1.pk)
    assert (log.deleted, log.deleted_user, log.deleted_app) == (True, "andy", "saints-xctf-api")
    assert log.deleted_date is not None
    assert not Comment.objects.filter(log_id=log1.pk).exists()
    assert Comment.all_objects.get(log_id=log1.pk).deleted is True
    assert auth_client.get(detail(log1.log_id)).status_code == 400


@pytest.mark.parametrize("log_id", ["999999", "abc"])
def test_soft_delete_missing_log(auth_client, log_id):
    resp = auth_client.delete(soft(log_id))
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/logs/soft/{log_id}", "deleted": False,
                           "error": "there is no existing exercise log with this id"}


def test_soft_delete_twice(auth_client, log1):
    auth_client.delete(soft(log1.log_id))
    resp = auth_client.delete(soft(log1.log_id))
    assert resp.status_code == 400
    assert resp.json()["error"] == "there is no existing exercise log with this id"


def test_soft_delete_someone_elses_log(other_client, log1):
    resp = other_client.delete(soft(log1.log_id))
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/logs/soft/{log1.log_id}", "deleted": False,
                           "error": "User dotty is not authorized to soft delete an exercise log owned by user andy."}
    assert Log.objects.filter(pk=log1.pk).exists()
    assert log1.comments.filter(deleted=False).exists()
