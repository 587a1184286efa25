"""Notifications through the real stack: bodies, the addressee rule, duplicates, query counts."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from notifications.services import notification_create
from notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/v2/notifications/"


def detail_url(notification_id):
    return reverse("notifications:notification-detail", kwargs={"notification_id": notification_id})


def soft_url(notification_id):
    return reverse("notifications:notification-soft", kwargs={"notification_id": notification_id})


def body_of(notification):
    return {
        "deleted": False, "description": notification.description, "link": notification.link,
        "notification_id": notification.pk, "time": notification.time.strftime("%Y-%m-%d %H:%M:%S"),
        "username": notification.user_id, "viewed": notification.viewed,
    }


@pytest.fixture
def mine(user):
    return NotificationFactory(user=user, description="Valid Notification", time=datetime(2021, 3, 14, 0, 21, 19))


@pytest.fixture
def theirs(other_user):
    return NotificationFactory(user=other_user, description="For dotty", link="https://www.saintsxctf.com/",
                               time=datetime(2021, 3, 13, 10, 0, 0))


# -- auth, redirects, links -----------------------------------------------------------------------
def test_notifications_need_a_token(api_client, mine):
    assert api_client.get(LIST_URL).status_code == 401
    assert api_client.get(detail_url(mine.pk), HTTP_AUTHORIZATION="Bearer bad").status_code == 403


def test_redirects(auth_client):
    url = reverse("notifications:notification-redirect")
    assert auth_client.get(url).status_code == 302
    resp = auth_client.post(url, {"username": "andy", "description": "x"}, format="json")
    assert (resp.status_code, resp["Location"]) == (307, LIST_URL)


def test_links(api_client):
    body = api_client.get(reverse("notifications:links")).json()
    assert body["self"] == "/v2/notifications/links"
    assert {(e["link"], e["verb"], e["description"]) for e in body["endpoints"]} >= {
        ("/v2/notifications/<notification_id>", "GET", "Retrieve a single user notification with a given unique id."),
        ("/v2/notifications/<notification_id>", "PUT", "Update a user notification with a given unique id."),
        ("/v2/notifications/<notification_id>", "DELETE", "Delete a user notification with a given unique id."),
        ("/v2/notifications/soft/<notification_id>", "DELETE",
         "Soft delete a user notification with a given unique id."),
    }
    assert len(body["endpoints"]) == 6


# -- list and retrieve (any runner may read any notification, as in the original) ------------------
def test_list_live_notifications_newest_first(auth_client, mine, theirs):
    NotificationFactory(deleted=True)
    resp = auth_client.get(LIST_URL)
    assert resp.status_code == 200
    assert resp.json() == {"self": "/v2/notifications", "notifications": [body_of(mine), body_of(theirs)],
                           "next": "/v2/notifications/?limit=50&offset=50", "prev": None, "pages": 1}


def test_list_query_count_is_constant(auth_client, django_assert_num_queries):
    NotificationFactory.create_batch(3)
    with django_assert_num_queries(3):  # the caller, the count, the page
        assert len(auth_client.get(LIST_URL).json()["notifications"]) == 3
    NotificationFactory.create_batch(57)
    with django_assert_num_queries(3):
        assert len(auth_client.get(LIST_URL).json()["notifications"]) == 50


def test_retrieve(other_client, mine):
    resp = other_client.get(detail_url(mine.pk))
    assert resp.status_code == 200
    assert resp.json() == {"self": f"/v2/notifications/{mine.pk}", "notification": {
        "deleted": False, "description": "Valid Notification", "link": None, "notification_id": mine.pk,
        "time": "2021-03-14 00:21:19", "username": "andy", "viewed": "N"}}


@pytest.mark.parametrize("notification_id", ["0", "abc", "99999999999999999999"])
def test_retrieve_unknown(auth_client, notification_id):
    resp = auth_client.get(detail_url(notification_id))
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/notifications/{notification_id}", "notification": None,
                           "error": "there is no notification with this identifier"}


def test_retrieve_soft_deleted(auth_client, mine):
    mine.soft_delete()
    assert auth_client.get(detail_url(mine.pk)).json()["error"] == "there is no notification with this identifier"


# -- create ---------------------------------------------------------------------------------------
def test_create_for_another_runner(auth_client, other_user):
    body = {"username": "dotty", "description": "Andy Jarombek commented on your exercise log.",
            "link": "https://www.saintsxctf.com/log/1", "viewed": "Y", "deleted": True, "notification_id": 7}
    resp = auth_client.post(LIST_URL, body, format="json")
    created = Notification.objects.get()
    assert resp.status_code == 200
    assert resp.json() == {"self": "/v2/notifications", "added": True, "notification": body_of(created)}
    assert (created.user_id, created.viewed, created.deleted, created.created_app) == (
        "dotty", "N", False, "saints-xctf-api")
    assert created.link == "https://www.saintsxctf.com/log/1"


def test_create_without_link(auth_client, other_user):
    resp = auth_client.post(LIST_URL, {"username": "dotty", "description": "hi"}, format="json")
    assert resp.status_code == 200
    assert resp.json()["notification"]["link"] is None


@pytest.mark.parametrize("body,error,bad_fields", [
    (None, "the request body isn't populated", set()),
    ({}, "'username' and 'description' are required fields", {"username", "description"}),  # JSON: the next check
    ("{broken", "the request body isn't populated", set()),
    ({"username": "dotty"}, "'username' and 'description' are required fields", {"description"}),
    ({"description": "hi"}, "'username' and 'description' are required fields", {"username"}),
    ({"username": None, "description": "hi"}, "'username' and 'description' are required fields", {"username"}),
    ({"username": "nobody", "description": "hi"}, "failed to create a new notification", {"username"}),
    ({"username": "dotty", "description": "x" * 1001}, "failed to create a new notification", {"description"}),
])
def test_create_refused(auth_client, other_user, body, error, bad_fields):
    if isinstance(body, str):
        resp = auth_client.post(LIST_URL, body, content_type="application/json")
    else:
        resp = auth_client.post(LIST_URL, body, format="json")
    assert resp.status_code == 400
    answer = resp.json()
    assert set(answer.pop("errors", {})) == bad_fields
    assert answer == {"self": "/v2/notifications", "added": False, "notification": None, "error": error}
    assert not Notification.objects.exists()


def test_create_returns_an_identical_recent_notification(auth_client, other_user):
    """The API already notified dotty of the comment; the old client's own POST must not add another."""
    text = "Andy Jarombek commented on your exercise log."
    existing = notification_create(user="dotty", description=text, link="https://www.saintsxctf.com/log/1")
    resp = auth_client.post(LIST_URL, {"username": "dotty", "description": text,
                                       "link": "https://www.saintsxctf.com/log/1"}, format="json")
    assert resp.status_code == 200
    assert resp.json() == {"self": "/v2/notifications", "added": True, "notification": body_of(existing)}
    assert Notification.objects.count() == 1


def test_create_after_the_duplicate_window_or_for_other_text(auth_client, other_user, user):
    text = "Andy Jarombek commented on your exercise log."
    old = notification_create(user="dotty", description=text)
    Notification.objects.filter(pk=old.pk).update(time=timezone.now() - timedelta(minutes=5, seconds=1))
    gone = notification_create(user="dotty", description="deleted one")
    gone.soft_delete()
    for body in [{"username": "dotty", "description": text},                  # older than five minutes
                 {"username": "andy", "description": text},                   # another addressee
                 {"username": "dotty", "description": "another text"},        # another text
                 {"username": "dotty", "description": "deleted one"}]:        # the identical one is deleted
        assert auth_client.post(LIST_URL, body, format="json").status_code == 200
    assert Notification.objects.count() == 5


# -- update ---------------------------------------------------------------------------------------
def test_addressee_marks_viewed(auth_client, mine):
    resp = auth_client.put(detail_url(mine.pk), {"viewed": "Y", "description": "ignored"}, format="json")
    assert resp.status_code == 200
    assert resp.json() == {"self": f"/v2/notifications/{mine.pk}", "updated": True,
                           "notification": {**body_of(mine), "viewed": "Y"}}
    mine.refresh_from_db()
    assert (mine.viewed, mine.description) == ("Y", "Valid Notification")


def test_update_unknown(auth_client, mine):
    for notification_id in ["0", "abc"]:
        resp = auth_client.put(detail_url(notification_id), {"viewed": "Y"}, format="json")
        assert resp.status_code == 400
        assert resp.json() == {"self": f"/v2/notifications/{notification_id}", "updated": False,
                               "notification": None, "error": "there is no existing notification with this id"}


def test_update_someone_elses(auth_client, theirs):
    resp = auth_client.put(detail_url(theirs.pk), {"viewed": "Y"}, format="json")
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/notifications/{theirs.pk}", "updated": False, "notification": None,
                           "error": "User andy is not authorized to update a notification sent to dotty."}
    theirs.refresh_from_db()
    assert theirs.viewed == "N"


def test_update_unchanged(auth_client, mine):
    resp = auth_client.put(detail_url(mine.pk), body_of(mine), format="json")
    assert resp.status_code == 400
    assert resp.json()["error"] == "the notification submitted is equal to the existing notification with the same id"


@pytest.mark.parametrize("body, bad_fields", [({"viewed": "maybe"}, {"viewed"}), ({"description": "no viewed"}, {"viewed"}),
                                              ({}, set())])
def test_update_invalid(auth_client, mine, body, bad_fields):
    resp = auth_client.put(detail_url(mine.pk), body, format="json")
    assert resp.status_code == 400
    answer = resp.json()
    assert set(answer.pop("errors", {})) == bad_fields
    assert answer == {"self": f"/v2/notifications/{mine.pk}", "updated": False, "notification": None,
                      "error": "the notification failed to update"}


# -- delete and soft delete -----------------------------------------------------------------------
def test_addressee_deletes(auth_client, mine):
    resp = auth_client.delete(detail_url(mine.pk))
    assert resp.status_code == 204
    assert resp.data == {"self": f"/v2/notifications/{mine.pk}", "deleted": True}
    assert not Notification.all_objects.exists()


def test_delete_refusals(auth_client, theirs):
    resp = auth_client.delete(detail_url(theirs.pk))
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/notifications/{theirs.pk}", "deleted": False,
                           "error": "User andy is not authorized to delete a notification sent to dotty."}
    for notification_id in ["0", "abc"]:
        resp = auth_client.delete(detail_url(notification_id))
        assert resp.status_code == 400
        assert resp.json() == {"self": f"/v2/notifications/{notification_id}", "deleted": False,
                               "error": "There is no existing notification with this id."}
    assert Notification.objects.filter(pk=theirs.pk).exists()


def test_addressee_soft_deletes(auth_client, mine):
    resp = auth_client.delete(soft_url(mine.pk))
    assert resp.status_code == 204
    assert resp.data == {"self": f"/v2/notifications/soft/{mine.pk}", "deleted": True}
    row = Notification.all_objects.get(pk=mine.pk)
    assert row.deleted and row.deleted_user == "andy" and row.modified_app == "saints-xctf-api"
    # A soft-deleted notification is gone for every read and write.
    assert auth_client.delete(soft_url(mine.pk)).json()["error"] == "there is no existing notification with this id"
    assert auth_client.get(LIST_URL).json()["notifications"] == []


def test_soft_delete_refusals(auth_client, theirs):
    resp = auth_client.delete(soft_url(theirs.pk))
    assert resp.status_code == 400
    assert resp.json() == {"self": f"/v2/notifications/soft/{theirs.pk}", "deleted": False,
                           "error": "User andy is not authorized to soft delete a notification sent to dotty."}
    resp = auth_client.delete(soft_url("abc"))
    assert resp.json() == {"self": "/v2/notifications/soft/abc", "deleted": False,
                           "error": "there is no existing notification with this id"}
    assert not Notification.all_objects.get(pk=theirs.pk).deleted
