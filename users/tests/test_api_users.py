"""The user collection and one user: list, signup, get, update, delete, soft delete, last login, lookup."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse

from conftest import client_for
from groups.models import GroupMember
from groups.tests.factories import GroupFactory
from saintsxctf.tests.mailbox import sent_mail
from teams.models import TeamMember
from teams.tests.factories import TeamFactory, TeamGroupFactory
from users.models import ActivationCode, User
from users.queries import utc_now
from users.tests.factories import ActivationCodeFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRETS = {"password", "salt"}


def detail(username):
    return reverse("users:user-detail", kwargs={"username": username})


# -- list -----------------------------------------------------------------------------------------------
def test_list_users(auth_client, user, other_user):
    resp = auth_client.get(reverse("users:user-list"))
    assert resp.status_code == 200
    body = resp.json()
    assert body["self"] == "/v2/users"
    # One page, newest first (issue 13): the newer member first, then by id.
    assert [u["username"] for u in body["users"]] == ["dotty", "andy"]
    assert (body["next"], body["prev"], body["pages"]) == ("/v2/users/?limit=50&offset=50", None, 1)
    andy = body["users"][1]
    assert andy["this_user"] == "/v2/users/andy"
    assert not SECRETS & set(andy)
    # The list renders both dates as str() did.
    assert andy["member_since"] == user.member_since.isoformat()


def test_list_hides_soft_deleted_users(auth_client, other_user):
    other_user.soft_delete()
    assert [u["username"] for u in auth_client.get(reverse("users:user-list")).json()["users"]] == ["andy"]


def test_list_query_count_is_constant(auth_client, django_assert_num_queries):
    UserFactory.create_batch(2)
    with django_assert_num_queries(3):  # the caller, the count, the page of users
        auth_client.get(reverse("users:user-list"))
    UserFactory.create_batch(60)
    with django_assert_num_queries(3):
        resp = auth_client.get(reverse("users:user-list"))
    assert len(resp.json()["users"]) == 50


def test_list_needs_a_token(api_client):
    assert api_client.get(reverse("users:user-list")).status_code == 401


def test_collection_redirects(auth_client, api_client):
    resp = auth_client.get(reverse("users:user-redirect"))
    assert (resp.status_code, resp["Location"]) == (302, "/v2/users/")
    resp = auth_client.post(reverse("users:user-redirect"), {}, format="json")
    assert (resp.status_code, resp["Location"]) == (307, "/v2/users/")
    # Signed out, only the collection itself takes a signup: the redirect authenticates first.
    assert api_client.post(reverse("users:user-redirect"), {}, format="json").status_code == 401


# -- signup ---------------------------------------------------------------------------------------------
@pytest.fixture
def invited_group(db):
    team = TeamFactory(name="saintsxctf")
    group = GroupFactory(group_name="alumni")
    TeamGroupFactory(team=team, group=group)
    return group


def signup_body(**overrides):
    body = {"username": "newbie", "first": "New", "last": "Runner", "email": "newbie@example.com",
            "password": "run-fast-77", "activation_code": "ABC123", "class_year": 2021}
    body.update(overrides)
    return body


def test_signup_creates_user_memberships_and_consumes_the_code(api_client, invited_group, django_capture_on_commit_callbacks):
    ActivationCodeFactory(activation_code="ABC123", group=invited_group)
    with django_capture_on_commit_callbacks(execute=True):
        resp = api_client.post(reverse("users:user-list"), signup_body(), format="json")
    assert resp.status_code == 201
    body = resp.json()
    assert body["self"] == "/v2/users"
    assert body["added"] is True
    assert body["new_user"] == "/v2/users/newbie"
    assert not SECRETS & set(body["user"])
    assert body["user"]["username"] == "newbie"
    assert body["user"]["week_start"] == "monday"
    assert body["user"]["class_year"] == 2021
    assert body["user"]["activation_code"] == "ABC123"

    user = User.objects.get(username="newbie")
    assert user.check_password("run-fast-77")
    assert user.created_app == "saints-xctf-api"
    team = TeamMember.objects.get(user=user)
    assert (team.team_id, team.status, team.role) == ("saintsxctf", "accepted", "user")
    group = GroupMember.objects.get(user=user)
    assert (group.group_id, group.status, group.role) == (invited_group.id, "accepted", "user")
    assert not ActivationCode.all_objects.filter(activation_code="ABC123").exists()
    # The welcome mail goes out once the signup has committed.
    assert [m.to for m in sent_mail()] == [["newbie@example.com"]]
    assert "newbie" in sent_mail()[0].body


def test_signup_code_in_another_letter_case(api_client, invited_group):
    ActivationCodeFactory(activation_code="ABC123", group=invited_group)
    resp = api_client.post(reverse("users:user-list"), signup_body(activation_code="abc123"), format="json")
    assert resp.status_code == 201
    assert User.objects.filter(username=resp.json()["user"]["username"]).exists()
    assert not ActivationCode.all_objects.filter(activation_code="ABC123").exists()  # spent


def test_signup_without_a_group_on_the_code(api_client):
    ActivationCodeFactory(activation_code="ABC123", group=None)
    resp = api_client.post(reverse("users:user-list"), signup_body(), format="json")
    assert resp.status_code == 201
    assert not TeamMember.objects.exists() and not GroupMember.objects.exists()


def signup_refused(resp, error, bad_fields=()):
    """The contract's 400 body; `errors` names exactly `bad_fields` (beside the body-wide `non_field_errors`)."""
    assert resp.status_code == 400
    answer = resp.json()
    assert set(answer.pop("errors", {})) - {"non_field_errors"} == set(bad_fields)
    assert answer == {"self": "/v2/users", "added": False, "user": None, "error": error}
    assert not User.objects.filter(username="newbie").exists()


@pytest.mark.parametrize("code", [
    "unknown",  # no such code
    "spent",  # soft-deleted
    "expired",  # deviations.md 6
])
def test_signup_with_a_bad_code_creates_nothing(api_client, invited_group, code):
    ActivationCodeFactory(activation_code="spent", group=invited_group, deleted=True)
    ActivationCodeFactory(activation_code="expired", group=invited_group,
                          expiration_date=utc_now() - timedelta(minutes=1))
    resp = api_client.post(reverse("users:user-list"), signup_body(activation_code=code), format="json")
    signup_refused(resp, "The activation code is invalid or expired.")
    assert not TeamMember.objects.exists() and not GroupMember.objects.exists()
    assert ActivationCode.all_objects.count() == 2
    assert sent_mail() == []


@pytest.mark.parametrize("body, error, bad_fields", [
    (signup_body(first=None), "'username', 'first', 'last', 'email', 'password', and 'activation_code' are required fields",
     {"first"}),
    ({"username": "newbie"}, "'username', 'first', 'last', 'email', 'password', and 'activation_code' are required fields",
     {"first", "last", "email", "password", "activation_code"}),
    (signup_body(password="abc"), "Password must contain at least 6 characters.", {"password"}),
    (signup_body(username="new_bie"), "Username can only contain Roman characters and numbers.", {"username"}),
    (signup_body(email="not-an-email"), "The email address is invalid.", {"email"}),
    (signup_body(class_year="soon"), "An unexpected error occurred creating the user.", {"class_year"}),
    (signup_body(first="x" * 31), "An unexpected error occurred creating the user.", {"first"}),
])
def test_signup_validation_in_the_contract_order(api_client, body, error, bad_fields):
    ActivationCodeFactory(activation_code="ABC123")
    signup_refused(api_client.post(reverse("users:user-list"), body, format="json"), error, bad_fields)
    assert ActivationCode.objects.filter(activation_code="ABC123").exists()


@pytest.mark.parametrize("raw", ["", "null", "{broken"])  # `{}` and other JSON: saintsxctf/tests/test_post_bodies.py
def test_signup_without_a_body(api_client, raw):
    resp = api_client.generic("POST", reverse("users:user-list"), raw, content_type="application/json")
    signup_refused(resp, "The request body isn't populated.")


def test_signup_with_a_taken_username_keeps_the_code(api_client, user):
    ActivationCodeFactory(activation_code="ABC123")
    resp = api_client.post(reverse("users:user-list"), signup_body(username="andy"), format="json")
    assert resp.status_code == 400
    assert resp.json()["error"] == "An unexpected error occurred creating the user."
    assert ActivationCode.objects.filter(activation_code="ABC123").exists()
    assert User.objects.get(username="andy").first == "Andy"


def test_signup_with_a_taken_email(api_client, user):
    ActivationCodeFactory(activation_code="ABC123")
    resp = api_client.post(reverse("users:user-list"), signup_body(email="andy@example.com"), format="json")
    signup_refused(resp, "An unexpected error occurred creating the user.")


def test_signup_that_fails_half_way_leaves_no_rows(api_client, invited_group, monkeypatch):
    ActivationCodeFactory(activation_code="ABC123", group=invited_group)

    def boom(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(GroupMember.objects, "create", boom)
    resp = api_client.post(reverse("users:user-list"), signup_body(), format="json")
    assert resp.status_code == 500
    assert not User.all_objects.filter(username="newbie").exists()
    assert not TeamMember.all_objects.exists()
    assert ActivationCode.objects.filter(activation_code="ABC123").exists()


# -- one user -------------------------------------------------------------------------------------------
def test_get_user_by_username_and_by_email(auth_client, other_user):
    resp = auth_client.get(detail("dotty"))
    assert resp.status_code == 200
    body = resp.json()
    assert body["self"] == "/v2/users/dotty"
    assert list(body["user"]) == [
        "activation_code", "class_year", "deleted", "description", "email", "favorite_event", "first", "last",
        "last_signin", "location", "member_since", "profilepic_name", "subscribed", "username", "week_start",
    ]
    by_email = auth_client.get(detail("dotty@example.com")).json()
    assert by_email["self"] == "/v2/users/dotty@example.com"
    assert by_email["user"] == body["user"]


def test_get_user_renders_dates_like_the_examples(auth_client, user):
    User.objects.filter(pk=user.pk).update(last_login=datetime(2021, 4, 14, 23, 10, 23))
    body = auth_client.get(detail("andy")).json()["user"]
    assert body["last_signin"] == "Wed, 14 Apr 2021 23:10:23 GMT"
    assert body["member_since"] == user.member_since.isoformat()


def test_get_unknown_user(auth_client):
    resp = auth_client.get(detail("nobody"))
    assert resp.status_code == 400
    assert resp.json() == {"self": "/v2/users/nobody", "user": None, "error": "there is no user with this username"}


PROFILE = {"first": "Andy", "last": "Jarombek", "email": "andy@example.com", "profilepic_name": None,
           "description": "I sometimes like to run.", "class_year": 2017, "location": "New York, NY",
           "favorite_event": "Shakeout", "week_start": "sunday"}


def test_update_own_profile(auth_client, user):
    # Clients send the whole user back, including fields they may not change: those are ignored.
    body = {**PROFILE, "username": "andy", "password": "x", "member_since": "2000-01-01", "subscribed": "Y"}
    resp = auth_client.put(detail("andy"), body, format="json")
    assert resp.status_code == 200
    data = resp.json()
    assert data["self"] == "/v2/users/andy" and data["updated"] is True
    assert {k: data["user"][k] for k in PROFILE} == PROFILE
    assert not SECRETS & set(data["user"])
    user.refresh_from_db()
    assert user.location == "New York, NY" and user.week_start == "sunday"
    assert user.subscribed is None and user.member_since != "2000-01-01"
    assert user.modified_user == "andy"


def test_update_replaces_omitted_fields(auth_client, user):
    User.objects.filter(pk=user.pk).update(location="Riverside, CT", week_start="sunday")
    resp = auth_client.put(detail("andy"), {"first": "Andy", "last": "J"}, format="json")
    assert resp.status_code == 200
    user.refresh_from_db()
    assert (user.location, user.email, user.week_start, user.last) == (None, None, "monday", "J")


def test_update_unchanged_user(auth_client, user):
    auth_client.put(detail("andy"), PROFILE, format="json")
    resp = auth_client.put(detail("andy"), PROFILE, format="json")
    assert resp.status_code == 400
    assert resp.json() == {"self": "/v2/users/andy", "updated": False, "user": None,
                           "error": "the user submitted is equal to the existing user with the same username"}


def test_update_someone_else(auth_client, other_user):
    resp = auth_client.put(detail("dotty"), {**PROFILE, "first": "Hacked"}, format="json")
    assert resp.status_code == 400
    assert resp.json() == {"self": "/v2/users/dotty", "updated": False, "user": None,
                           "error": "User andy is not authorized to update user dotty."}
    other_user.refresh_from_db()
    assert other_user.first == "Dotty"


def test_update_unknown_user(auth_client):
    resp = auth_client.put(detail("nobody"), PROFILE, format="json")
    assert resp.status_code == 400
    assert resp.json()["error"] == "there is no existing user with this username"


@pytest.mark.parametrize("body, bad_field", [({"first": None, "last": "J"}, "first"),
                                             ({**PROFILE, "week_start": "friday"}, "week_start"),
                                             ({**PROFILE, "class_year": "soon"}, "class_year"),
                                             ({**PROFILE, "location": "x" * 51}, "location")])
def test_update_with_bad_fields_is_400(auth_client, user, body, bad_field):
    resp = auth_client.put(detail("andy"), body, format="json")
    assert resp.status_code == 400
    answer = resp.json()
    assert set(answer.pop("errors")) == {bad_field}
    assert answer == {"self": "/v2/users/andy", "updated": False, "user": None,
                      "error": "the user failed to update"}


def test_delete_is_disabled(auth_client, api_client, user):
    resp = auth_client.delete(detail("andy"))
    assert resp.status_code == 403
    assert resp.json()["error_description"] == "Forbidden"
    assert api_client.delete(detail("andy")).status_code == 401
    assert User.objects.filter(username="andy").exists()


# -- soft delete ----------------------------------------------------------------------------------------
def test_soft_delete_self(auth_client, user):
    resp = auth_client.delete(reverse("users:user-soft", kwargs={"username": "andy"}))
    assert resp.status_code == 204
    assert not User.objects.filter(username="andy").exists()
    row = User.all_objects.get(username="andy")
    assert row.deleted and row.deleted_date is not None and row.deleted_app == "saints-xctf-api"


def test_soft_delete_someone_else(auth_client, other_user):
    resp = auth_client.delete(reverse("users:user-soft", kwargs={"username": "dotty"}))
    assert resp.status_code == 400
    assert resp.json() == {"self": "/v2/users/soft/dotty", "deleted": False,
                           "error": "User andy is not authorized to soft delete user dotty."}
    assert User.objects.filter(username="dotty").exists()


def test_soft_delete_checks_the_caller_before_existence(auth_client):
    resp = auth_client.delete(reverse("users:user-soft", kwargs={"username": "nobody"}))
    assert resp.json()["error"] == "User andy is not authorized to soft delete user nobody."


def test_soft_delete_of_an_already_deleted_self(user):
    client = client_for(user)
    User.objects.filter(pk=user.pk).update(deleted=True)
    # A deleted user's token no longer authenticates.
    assert client.delete(reverse("users:user-soft", kwargs={"username": "andy"})).status_code == 403


# -- last login -----------------------------------------------------------------------------------------
def test_update_last_login(auth_client, user):
    url = reverse("users:user-update-last-login", kwargs={"username": "andy"})
    assert url == "/v2/users/andy/update_last_login"
    resp = auth_client.put(url)
    assert resp.status_code == 200
    assert resp.json() == {"self": url, "last_login_updated": True}
    user.refresh_from_db()
    assert abs(user.last_login - utc_now()) < timedelta(minutes=1)


def test_update_someone_elses_last_login(auth_client, other_user):
    url = reverse("users:user-update-last-login", kwargs={"username": "dotty"})
    resp = auth_client.put(url)
    assert resp.status_code == 400
    assert resp.json() == {"self": url, "last_login_updated": False,
                           "error": "User andy is not authorized to update the last login date of user dotty."}
    other_user.refresh_from_db()
    assert other_user.last_login is None


# -- lookup ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("identifier", ["andy", "andy@example.com"])
def test_lookup_needs_no_token(api_client, user, identifier):
    resp = api_client.get(reverse("users:user-lookup", kwargs={"username": identifier}))
    assert resp.status_code == 200
    assert resp.json() == {"self": f"/v2/users/lookup/{identifier}", "exists": True}


def test_lookup_unknown(api_client, user):
    resp = api_client.get(reverse("users:user-lookup", kwargs={"username": "unusedUsername"}))
    assert resp.status_code == 400
    assert resp.json() == {"self": "/v2/users/lookup/unusedUsername", "exists": False,
                           "error": "There is no user with this username or email."}


def test_users_links(api_client):
    body = api_client.get(reverse("users:links")).json()
    assert body["self"] == "/v2/users/links"
    entries = {(e["link"], e["verb"]): e["description"] for e in body["endpoints"]}
    assert len(entries) == 19  # 17 of the contract + a runner's targets (issue 15) + the email-change undo (issue 13)
    assert entries[("/v2/users/<username>/change_password", "PUT")] == (
        "Update a user with a given username.  Specifically, alter the users password.")
    assert entries[("/v2/users/", "GET")] == "Get all the users in the database."
    assert entries[("/v2/users/email_undo/<token>", "GET")] == (
        "Undo an email change from the link mailed to the old address (no token needed: the link is the proof).")
    assert entries[("/v2/users/soft/<username>", "DELETE")] == "Soft delete a user with a given username."
