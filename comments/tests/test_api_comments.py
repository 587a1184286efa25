"""GET/POST /v2/comments/, GET/PUT/DELETE /v2/comments/<comment_id>, DELETE /v2/comments/soft/<comment_id>."""

from datetime import datetime

import pytest
from django.urls import reverse

from comments.models import Comment
from comments.tests.factories import CommentFactory
from logs.tests.factories import LogFactory
from notifications.models import Notification

pytestmark = pytest.mark.django_db

LIST = reverse("comments:comment-list")


def detail(comment_id) -> str:
    return reverse("comments:comment-detail", kwargs={"comment_id": comment_id})


def soft(comment_id) -> str:
    return reverse("comments:comment-soft", kwargs={"comment_id": comment_id})


@pytest.fixture
def dottys_log(other_user):
    return LogFactory(user=other_user)


@pytest.fixture
def comment(user, dottys_log):
    """andy's comment on dotty's log."""
    return CommentFactory(user=user, first="Andy", last="Jarombek", log=dottys_log, content="First Comment",
                          time=datetime(2021, 5, 30, 12, 5, 0))


def new_comment_body(log, **overrides) -> dict:
    """What the web client sends."""
    body = {"username": "andy", "first": "Andy", "last": "Jarombek", "log_id": log.log_id, "content": "Nice run!",
            "time": "2021-05-30 18:42:42"}
    return {**body, **overrides}


# -- GET ------------------------------------------------------------------------------------------------------

def test_get_comment(auth_client, comment):
    resp = auth_client.get(detail(comment.comment_id))
    assert resp.status_code == 200
    assert resp.json() == {
        "self": f"/v2/comments/{comment.comment_id}",
        "comment": {"comment_id": comment.comment_id, "content": "First Comment", "deleted": False, "first": "Andy",
                    "last": "Jarombek", "log_id": comment.log_id, "time": "2021-05-30 12:05:00", "username": "andy"},
        "log": f"/v2/logs/{comment.log_id}",
    }


@pytest.mark.parametrize("comment_id", ["999999", "abc"])
def test_get_missing_comment(auth_client, comment_id):
    resp = auth_client.get(detail(comment_id))
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/comments/{comment_id}", "comment": None, "log": None,
                           "error": "there is no comment with this identifier"}


def test_get_soft_deleted_comment_is_missing(auth_client, comment):
    comment.soft_delete()
    assert auth_client.get(detail(comment.comment_id)).json()["error"] == "there is no comment with this identifier"


def test_list_comments_newest_first(auth_client, comment, other_user, dottys_log):
    earlier = CommentFactory(user=other_user, log=dottys_log, time=datetime(2020, 10, 18, 22, 38, 4))
    CommentFactory(time=datetime(2020, 1, 1)).soft_delete()
    resp = auth_client.get(LIST)
    assert resp.status_code == 200
    body = resp.json()
    assert body["self"] == "/v2/comments"
    assert [c["comment_id"] for c in body["comments"]] == [comment.comment_id, earlier.comment_id]
    assert (body["next"], body["prev"], body["pages"]) == ("/v2/comments/?limit=50&offset=50", None, 1)
    assert body["comments"][1] == {
        "comment_id": earlier.comment_id, "content": earlier.content, "deleted": False, "first": earlier.first,
        "last": earlier.last, "log_id": dottys_log.log_id, "time": "Sun, 18 Oct 2020 22:38:04 GMT",
        "username": "dotty", "log": f"/v2/logs/{dottys_log.log_id}",
    }


def test_list_query_count_is_constant(auth_client, django_assert_num_queries):
    CommentFactory.create_batch(3)
    with django_assert_num_queries(3):  # the caller, the count, the page of comments
        auth_client.get(LIST)
    CommentFactory.create_batch(60)
    with django_assert_num_queries(3):
        assert len(auth_client.get(LIST).json()["comments"]) == 50


def test_collection_redirects(auth_client):
    assert auth_client.get(reverse("comments:comment-redirect"))["Location"] == "/v2/comments/"
    resp = auth_client.post(reverse("comments:comment-redirect"), {}, format="json")
    assert (resp.status_code, resp["Location"]) == (307, "/v2/comments/")


@pytest.mark.parametrize(("method", "url"), [
    ("get", LIST), ("post", LIST), ("get", "/v2/comments/1"), ("put", "/v2/comments/1"),
    ("delete", "/v2/comments/1"), ("delete", "/v2/comments/soft/1"),
])
def test_a_token_is_required(api_client, method, url):
    assert getattr(api_client, method)(url).status_code == 401
    assert getattr(api_client, method)(url, HTTP_AUTHORIZATION="Bearer x").status_code == 403


def test_links(api_client):
    body = api_client.get(reverse("comments:links")).json()
    assert body["self"] == "/v2/comments/links"
    assert {(e["link"], e["verb"], e["description"]) for e in body["endpoints"]} == {
        ("/v2/comments/", "GET", "Get all the comments in the database."),
        ("/v2/comments/", "POST", "Create a new comment."),
        ("/v2/comments/<comment_id>", "GET", "Retrieve a single comment with a given unique id."),
        ("/v2/comments/<comment_id>", "PUT", "Update a comment with a given unique id."),
        ("/v2/comments/<comment_id>", "DELETE", "Delete a single comment with a given unique id."),
        ("/v2/comments/soft/<comment_id>", "DELETE", "Soft delete a single comment with a given unique id."),
    }


# -- POST -----------------------------------------------------------------------------------------------------

def test_comment_on_someone_elses_log_notifies_its_owner(auth_client, user, dottys_log, settings):
    settings.WEB_APP_URL = "https://www.saintsxctf.com"
    resp = auth_client.post(LIST, new_comment_body(dottys_log), format="json")
    assert resp.status_code == 200
    comment = Comment.objects.get()
    assert resp.json() == {
        "self": "/v2/comments", "added": True,
        "comment": {"comment_id": comment.comment_id, "content": "Nice run!", "deleted": False, "first": "Andy",
                    "last": "Jarombek", "log_id": dottys_log.log_id, "time": "Sun, 30 May 2021 18:42:42 GMT",
                    "username": "andy"},
    }
    assert (comment.created_user, comment.created_app) == ("andy", "saints-xctf-api")
    note = Notification.objects.get()
    assert (note.user_id, note.description, note.link, note.viewed) == (
        "dotty", "Andy Jarombek commented on your exercise log.",
        f"https://www.saintsxctf.com/log/view/{dottys_log.log_id}", "N")


def test_comment_on_your_own_log_notifies_nobody(auth_client, user):
    mine = LogFactory(user=user)
    assert auth_client.post(LIST, new_comment_body(mine), format="json").status_code == 200
    assert not Notification.objects.exists()


def test_comment_without_time_or_content(auth_client, user, dottys_log):
    body = new_comment_body(dottys_log)
    del body["time"], body["content"]
    resp = auth_client.post(LIST, body, format="json")
    assert resp.status_code == 200
    assert resp.json()["comment"]["content"] == ""  # stored null; the iOS app force-reads it
    assert Comment.objects.get().content is None
    assert Comment.objects.get().time.microsecond == 0


def refused(resp, error: str, bad_fields=()) -> None:
    """The contract's 400 body, plus `errors` naming exactly the `bad_fields` of a rejected body (none: no `errors`)."""
    assert resp.status_code == 400
    body = resp.json()
    errors = body.pop("errors", {})
    assert body == {"self": "/v2/comments", "added": False, "comment": None, "error": error}
    assert set(errors) == set(bad_fields)
    assert not Comment.all_objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize("body", [None])  # `{}` and other JSON values: saintsxctf/tests/test_post_bodies.py
def test_create_without_a_body(auth_client, user, body):
    refused(auth_client.post(LIST, body, format="json"), "the request body isn't populated")


def test_create_for_someone_else(auth_client, dottys_log):
    refused(auth_client.post(LIST, new_comment_body(dottys_log, username="dotty"), format="json"),
            "User andy is not authorized to create a comment for user dotty.")


@pytest.mark.parametrize("field", ["first", "last", "log_id"])
def test_create_without_a_required_field(auth_client, user, dottys_log, field):
    refused(auth_client.post(LIST, new_comment_body(dottys_log, **{field: None}), format="json"),
            "'username', 'first', 'last', and 'log_id' are required fields", [field])


@pytest.mark.parametrize("overrides", [
    {"log_id": 999999}, {"log_id": "abc"}, {"time": "yesterday"}, {"content": "x" * 1001},
])
def test_create_with_bad_values(auth_client, user, dottys_log, overrides):
    refused(auth_client.post(LIST, new_comment_body(dottys_log, **overrides), format="json"),
            "failed to create a new comment", overrides)


def test_create_on_a_soft_deleted_log(auth_client, user, dottys_log):
    dottys_log.soft_delete()
    refused(auth_client.post(LIST, new_comment_body(dottys_log), format="json"), "failed to create a new comment",
            ["log_id"])


# -- PUT ------------------------------------------------------------------------------------------------------

def test_update_comment(auth_client, comment):
    body = {"comment_id": comment.comment_id, "username": "andy", "first": "Andy", "last": "Jarombek",
            "log_id": comment.log_id, "time": "2021-05-31 07:00:00", "content": "Edited", "deleted": False}
    resp = auth_client.put(detail(comment.comment_id), body, format="json")
    assert resp.status_code == 200
    assert resp.json() == {
        "self": f"/v2/comments/{comment.comment_id}", "updated": True,
        "comment": {"comment_id": comment.comment_id, "content": "Edited", "deleted": False, "first": "Andy",
                    "last": "Jarombek", "log_id": comment.log_id, "time": "Mon, 31 May 2021 07:00:00 GMT",
                    "username": "andy"},
    }
    assert Comment.objects.get(pk=comment.pk).modified_user == "andy"


def test_update_changes_only_content_and_time_of_the_path_comment(auth_client, user, comment):
    other = CommentFactory(user=user, content="Untouched")
    body = {"comment_id": other.comment_id, "username": "dotty", "first": "X", "last": "Y", "log_id": other.log_id,
            "content": "Edited", "deleted": True}
    resp = auth_client.put(detail(comment.comment_id), body, format="json")
    assert resp.status_code == 200
    got = Comment.objects.get(pk=comment.pk)
    assert (got.content, got.user_id, got.first, got.log_id, got.deleted) == \
        ("Edited", "andy", "Andy", comment.log_id, False)
    assert got.time == datetime(2021, 5, 30, 12, 5, 0)  # no time sent: kept
    assert Comment.objects.get(pk=other.pk).content == "Untouched"


@pytest.mark.parametrize("source", ["detail", "list"])
def test_put_of_a_get_response_verbatim_is_refused_as_equal(auth_client, comment, source):
    if source == "detail":
        got = auth_client.get(detail(comment.comment_id)).json()["comment"]
    else:
        got = auth_client.get(LIST).json()["comments"][0]
    resp = auth_client.put(detail(comment.comment_id), got, format="json")
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/comments/{comment.comment_id}", "updated": False, "comment": None,
                           "error": "the comment submitted is equal to the existing comment with the same id"}


@pytest.mark.parametrize("comment_id", ["999999", "abc"])
def test_update_missing_comment(auth_client, comment_id):
    resp = auth_client.put(detail(comment_id), {"content": "x"}, format="json")
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/comments/{comment_id}", "updated": False, "comment": None,
                           "error": "there is no existing comment with this id"}


def test_update_someone_elses_comment(other_client, comment):
    # dotty owns the log, but only the comment's author may change it.
    resp = other_client.put(detail(comment.comment_id), {"content": "Mine now"}, format="json")
    assert resp.status_code == 400
    assert resp.json() == {
        "self": f"/v2/comments/{comment.comment_id}", "updated": False, "comment": None,
        "error": f"User dotty is not authorized to update a comment with id {comment.comment_id}."}
    assert Comment.objects.get(pk=comment.pk).content == "First Comment"


def test_update_without_a_body(auth_client, comment):
    resp = auth_client.put(detail(comment.comment_id), None, format="json")
    assert (resp.status_code, resp.json()["error"]) == (400, "the request body isn't populated")


@pytest.mark.parametrize("overrides", [{"time": "soon"}, {"content": "x" * 1001}])
def test_update_with_bad_values(auth_client, comment, overrides):
    resp = auth_client.put(detail(comment.comment_id), {"content": "ok", **overrides}, format="json")
    assert resp.status_code == 400
    assert resp.json()["error"] == "the comment failed to update"
    assert Comment.objects.get(pk=comment.pk).content == "First Comment"


# -- DELETE ---------------------------------------------------------------------------------------------------

def test_delete_comment(auth_client, comment):
    resp = auth_client.delete(detail(comment.comment_id))
    assert resp.status_code == 204
    # Sent; Django's test client drops the content of a 204 as HTTP says, so read what was rendered.
    assert resp.data == {"self": f"/v2/comments/{comment.comment_id}", "deleted": True}
    assert not Comment.all_objects.exists()


@pytest.mark.parametrize("comment_id", ["999999", "abc"])
def test_delete_missing_comment(auth_client, comment_id):
    resp = auth_client.delete(detail(comment_id))
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/comments/{comment_id}", "deleted": False,
                           "error": "there is no existing comment with this id"}


def test_the_log_owner_may_not_delete_anothers_comment(other_client, comment):
    resp = other_client.delete(detail(comment.comment_id))
    assert resp.status_code == 400
    assert resp.json() == {
        "self": f"/v2/comments/{comment.comment_id}", "deleted": False,
        "error": f"User dotty is not authorized to delete a comment with id {comment.comment_id}."}
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_soft_delete_comment(auth_client, comment):
    resp = auth_client.delete(soft(comment.comment_id))
    assert resp.status_code == 204
    assert resp.data == {"self": f"/v2/comments/soft/{comment.comment_id}", "deleted": True}
    got = Comment.all_objects.get(pk=comment.pk)
    assert (got.deleted, got.deleted_user, got.deleted_app) == (True, "andy", "saints-xctf-api")
    assert auth_client.delete(soft(comment.comment_id)).json()["error"] == "there is no existing comment with this id"


@pytest.mark.parametrize("comment_id", ["999999", "abc"])
def test_soft_delete_missing_comment(auth_client, comment_id):
    resp = auth_client.delete(soft(comment_id))
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/comments/soft/{comment_id}", "deleted": False,
                           "error": "there is no existing comment with this id"}


def test_soft_delete_someone_elses_comment(other_client, comment):
    resp = other_client.delete(soft(comment.comment_id))
    assert resp.status_code == 400
    assert resp.json() == {
        "self": f"/v2/comments/soft/{comment.comment_id}", "deleted": False,
        "error": f"User dotty is not authorized to soft delete a comment with id {comment.comment_id}."}
    assert Comment.objects.filter(pk=comment.pk).exists()
