"""Object-level authorization matrix: every write endpoint of every resource, called by every kind of caller.

The rows are generated from the URL registration (`saintsxctf.urls.API_ROUTERS` and each router's
`endpoints()`): a new POST, PUT or DELETE without a row in `EXPECTED` fails `test_every_write_endpoint_has_a_row`
and its own matrix cases. Each case builds one small world, calls the endpoint with a body that succeeds for
the caller the contract allows, and asserts the contract's answer:

- allowed callers get the endpoint's success status, and the row the write is about changed as it should
  (`Changed`: the new or updated row with the values the request set, or the removed row);
- refused callers get the contract's exact body (mostly 400 `User <you> is not authorized to ...`,
  responses.md), and neither the database nor the outbox changes;
- callers without a token get the framework's 401 body wherever endpoints.md says a token is needed.

Every answer, allowed or refused, is also scanned for secrets (`world.secrets_in`).

The callers (`owner`, `other_runner`, `admin_of_other_group`, `admin_of_the_group`, `pending_admin`,
`removed_admin`, `admin_of_deleted_group`, `deleted_runner`, `no_token`) and the data they act on are described in
`saintsxctf/tests/world.py`. No case accepts a 5xx: every case names one exact status.
"""

from dataclasses import dataclass
from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from groups.models import TrainingTarget
from saintsxctf.tests.world import (
    ACTORS,
    ANON,
    DELETED_GROUP_ADMIN,
    DELETED_RUNNER,
    GROUP_ADMIN,
    OTHER_ADMIN,
    OWNER,
    PENDING_ADMIN,
    REMOVED_ADMIN,
    RUNNER,
    body_of,
    build_world,
    changed_rows,
    database_rows,
    secrets_in,
)
from saintsxctf.urls import API_ROUTERS

pytestmark = pytest.mark.django_db

WRITE_METHODS = {"post", "put", "patch", "delete"}


def write_endpoints() -> list[tuple[str, str]]:
    """(`namespace:url_name`, METHOD) of every write the routers register, in registration order."""
    return [
        (f"{router.namespace}:{endpoint.name}", method.upper())
        for router in API_ROUTERS
        for endpoint in router.endpoints()
        for method in endpoint.mapping
        if method in WRITE_METHODS
    ]


@pytest.fixture
def world(db):
    return build_world()


# -- what the contract answers -----------------------------------------------------------------------
@dataclass(frozen=True)
class Allowed:
    status: int


@dataclass(frozen=True)
class Changed:
    """The row an allowed write is about: in `table`, a new or updated row holding `values` after the write
    (`removed`: a row holding them before, gone after)."""

    table: str
    values: dict
    removed: bool = False


def changed(table: str, removed: bool = False, **values) -> Changed:
    return Changed(table, values, removed)


@dataclass(frozen=True)
class Refused:
    """The endpoint's own error body: `{"self", **keys, "error": <message>}`.

    `error` is a template over the caller's username (`{you}`) and the world (`{w.owner.username}`, ...).
    """

    error: str
    keys: dict


@dataclass(frozen=True)
class Framework:
    """The framework error body (401 without a token, 403 for a refusal the contract has no text for)."""

    status: int
    exception: str | None = None


NO_TOKEN = Framework(401, "Authentication credentials were not provided.")
# A token of an account that was deleted since: the framework's 403 for a header that names no live user.
DEAD_TOKEN = Framework(403, "Authentication credentials were not provided.")
# The callers with a token who hold no right over the world's objects.
STRANGERS = (RUNNER, OTHER_ADMIN, PENDING_ADMIN, REMOVED_ADMIN, DELETED_GROUP_ADMIN)
NOT_PERMITTED = Framework(403, "You do not have permission to perform this action.")


def owner_only(status: int, error: str, **keys) -> dict:
    """Only the owner may; everyone else with a live account gets the contract's 400."""
    refused = Refused(error, keys)
    return {OWNER: Allowed(status), GROUP_ADMIN: refused, DELETED_RUNNER: DEAD_TOKEN, ANON: NO_TOKEN,
            **{actor: refused for actor in STRANGERS}}


def group_admin_only(status: int, error: str, **keys) -> dict:
    """Only an accepted admin of the object's live group may; everyone else with a live account gets the
    contract's 400 (a pending admin, a removed admin and an admin of a deleted group included)."""
    refused = Refused(error, keys)
    return {OWNER: refused, GROUP_ADMIN: Allowed(status), DELETED_RUNNER: DEAD_TOKEN, ANON: NO_TOKEN,
            **{actor: refused for actor in STRANGERS}}


def everyone(status: int, anonymous: object = None, deleted: object = None) -> dict:
    """Anyone with a token may (and without one, when endpoints.md says no token is needed; a deleted runner's
    token then counts for nothing either way)."""
    return ({actor: Allowed(status) for actor in ACTORS[:-1]}
            | {ANON: anonymous or Allowed(status), DELETED_RUNNER: deleted or anonymous or Allowed(status)})


@dataclass(frozen=True)
class Row:
    """One write endpoint: its URL kwargs, the body each caller sends, and each caller's answer."""

    kwargs: object  # World -> dict of URL kwargs
    expect: dict  # actor -> Allowed | Refused | Framework
    changes: object  # (World, actor) -> the Changed row(s) an allowed call makes
    body: object = None  # (World, actor) -> request body, or None for no body


def log_body(w, actor):
    return {"username": w.owner.username, "first": w.owner.first, "last": w.owner.last, "name": "Canton",
            "location": "Canton, NY", "date": "2021-05-31", "type": "run", "distance": 5, "metric": "miles",
            "time": "00:40:00", "feel": 7, "description": "Tempo"}


def comment_body(w, actor):
    return {"username": w.owner.username, "first": w.owner.first, "last": w.owner.last, "log_id": w.log.pk,
            "content": "Great job!", "time": "2021-05-31 12:00:00"}


def profile_body(w, actor):
    return {"first": "Andrew", "last": "Jarombek", "email": "andy@example.com", "profilepic_name": None,
            "description": "Runner", "class_year": 2017, "location": "Riverside, CT", "favorite_event": "5K",
            "week_start": "monday"}


def group_body(w, actor):
    return {"grouppic_name": None, "description": "Alumni of the team", "week_start": "monday"}


def signup_body(w, actor):
    return {"username": "newbie", "first": "New", "last": "Runner", "email": "newbie@example.com",
            "password": "s3cret-enough", "activation_code": w.invite.activation_code}


def change_password_body(w, actor):
    # Whoever holds a forgot-password code may spend it (the endpoint needs no token): each caller spends
    # their own code on the owner's account; the caller without a token holds the owner's code (it was
    # mailed to the owner), which is exactly what the flow is for.
    code = w.forgot_codes[OWNER if actor == ANON else actor]
    return {"forgot_password_code": code.forgot_code, "new_password": "brand-new-password"}


def owner_path(w):
    return {"username": w.owner.username}

EXPECTED: dict[tuple[str, str], Row] = {
    # -- activation codes (the code's address, or its group's admins, remove it) --------------------------
    # Contract silent: the original let any runner create a code into any group; only the group's admins
    # invite runners into it here, with the framework's 403 (users app decision).
    ("activation_code:activation_code-list", "POST"): Row(
        kwargs=lambda w: {},
        # Each admin names the group they administer(d): the admin of the deleted group names that group.
        body=lambda w, a: {"group_id": (w.deleted_group if a == DELETED_GROUP_ADMIN else w.group).pk,
                           "email": "invitee@example.com"},
        expect={OWNER: NOT_PERMITTED, GROUP_ADMIN: Allowed(200), DELETED_RUNNER: DEAD_TOKEN, ANON: NO_TOKEN,
                **{actor: NOT_PERMITTED for actor in STRANGERS}},
        changes=lambda w, a: changed("users_activationcode", email="invitee@example.com", group_id=w.group.pk,
                                     deleted=False),
    ),
    ("activation_code:activation_code-soft", "DELETE"): Row(
        kwargs=lambda w: {"code": w.code.activation_code},
        expect={**owner_only(204, "User {you} is not authorized to soft delete activation code {w.code.activation_code}.",
                             deleted=False), GROUP_ADMIN: Allowed(204)},
        changes=lambda w, a: changed("users_activationcode", activation_code=w.code.activation_code, deleted=True),
    ),
    ("activation_code:activation_code-detail", "DELETE"): Row(
        kwargs=lambda w: {"code": w.code.activation_code},
        expect={**owner_only(204, "User {you} is not authorized to delete activation code {w.code.activation_code}.",
                             deleted=False), GROUP_ADMIN: Allowed(204)},
        changes=lambda w, a: changed("users_activationcode", removed=True, activation_code=w.code.activation_code),
    ),
    # -- flair ---------------------------------------------------------------------------------------------
    ("flair:flair-list", "POST"): Row(
        kwargs=lambda w: {},
        body=lambda w, a: {"username": w.owner.username, "flair": "Captain"},
        expect=owner_only(201, "User {you} is not authorized to create a flair for user {w.owner.username}.",
                          added=False),
        changes=lambda w, a: changed("users_flair", user_id=w.owner.username, flair="Captain", deleted=False),
    ),
    # -- forgot password: no token; the code is mailed to the account's own address --------------------------
    ("forgot_password:forgot_password-detail", "POST"): Row(
        kwargs=owner_path, expect=everyone(201),
        changes=lambda w, a: changed("users_forgotpasswordcode", user_id=w.owner.username, deleted=False)),
    # -- users ---------------------------------------------------------------------------------------------
    ("users:user-list", "POST"): Row(
        kwargs=lambda w: {}, body=signup_body, expect=everyone(201),
        changes=lambda w, a: [changed("users_user", username="newbie", email="newbie@example.com", deleted=False),
                              changed("groups_groupmember", user_id="newbie", group_id=w.group.pk, status="accepted",
                                      deleted=False)]),
    ("users:user-memberships", "PUT"): Row(
        kwargs=owner_path,
        body=lambda w, a: {"groups_joined": [{"team_name": w.team.name, "group_name": w.other_group.group_name}]},
        expect=owner_only(201, "User {you} is not authorized to update the memberships of user {w.owner.username}.",
                          updated=False),
        changes=lambda w, a: changed("groups_groupmember", user_id=w.owner.username, group_id=w.other_group.pk,
                                     status="pending", deleted=False),
    ),
    ("users:user-soft", "DELETE"): Row(
        kwargs=owner_path,
        expect=owner_only(204, "User {you} is not authorized to soft delete user {w.owner.username}.", deleted=False),
        changes=lambda w, a: changed("users_user", username=w.owner.username, deleted=True),
    ),
    ("users:user-change-password", "PUT"): Row(
        kwargs=owner_path,
        body=change_password_body,
        expect={OWNER: Allowed(200), ANON: Allowed(200), **{
            actor: Refused("This forgot password code does not belong to the specified user.",
                           {"password_updated": False, "forgot_password_code_deleted": False})
            for actor in (GROUP_ADMIN, *STRANGERS)},
            # The deleted runner's own code died with the account.
            DELETED_RUNNER: Refused("This forgot password code is invalid.",
                                    {"password_updated": False, "forgot_password_code_deleted": False})},
        changes=lambda w, a: [changed("users_user", username=w.owner.username),
                              changed("users_forgotpasswordcode", removed=True,
                                      forgot_code=w.forgot_codes[OWNER].forgot_code)],
    ),
    ("users:user-update-last-login", "PUT"): Row(
        kwargs=owner_path,
        expect=owner_only(200, "User {you} is not authorized to update the last login date of user {w.owner.username}.",
                          last_login_updated=False),
        changes=lambda w, a: changed("users_user", username=w.owner.username),
    ),
    ("users:user-detail", "PUT"): Row(
        kwargs=owner_path,
        body=profile_body,
        expect=owner_only(200, "User {you} is not authorized to update user {w.owner.username}.",
                          updated=False, user=None),
        changes=lambda w, a: changed("users_user", username=w.owner.username, first="Andrew", description="Runner",
                                     favorite_event="5K", week_start="monday"),
    ),
    # endpoints.md: DISABLED (403), for everyone, the owner too.
    ("users:user-detail", "DELETE"): Row(
        kwargs=owner_path,
        expect={**{actor: Framework(403, "Deleting a user is disabled.") for actor in ACTORS[:-1]},
                DELETED_RUNNER: DEAD_TOKEN, ANON: NO_TOKEN},
        changes=None,
    ),
    # -- comments ------------------------------------------------------------------------------------------
    ("comments:comment-list", "POST"): Row(
        kwargs=lambda w: {},
        body=comment_body,
        expect=owner_only(200, "User {you} is not authorized to create a comment for user {w.owner.username}.",
                          added=False, comment=None),
        changes=lambda w, a: changed("comments_comment", user_id=w.owner.username, log_id=w.log.pk,
                                     content="Great job!", deleted=False),
    ),
    ("comments:comment-soft", "DELETE"): Row(
        kwargs=lambda w: {"comment_id": w.comment.pk},
        expect=owner_only(204, "User {you} is not authorized to soft delete a comment with id {w.comment.pk}.",
                          deleted=False),
        changes=lambda w, a: changed("comments_comment", comment_id=w.comment.pk, deleted=True),
    ),
    ("comments:comment-detail", "PUT"): Row(
        kwargs=lambda w: {"comment_id": w.comment.pk},
        body=lambda w, a: {"content": "Edited", "time": "2021-05-31 12:00:00"},
        expect=owner_only(200, "User {you} is not authorized to update a comment with id {w.comment.pk}.",
                          updated=False, comment=None),
        changes=lambda w, a: changed("comments_comment", comment_id=w.comment.pk, content="Edited", deleted=False),
    ),
    ("comments:comment-detail", "DELETE"): Row(
        kwargs=lambda w: {"comment_id": w.comment.pk},
        expect=owner_only(204, "User {you} is not authorized to delete a comment with id {w.comment.pk}.",
                          deleted=False),
        changes=lambda w, a: changed("comments_comment", removed=True, comment_id=w.comment.pk),
    ),
    # -- groups (the admin rule: accepted admins of that group) --------------------------------------------
    ("groups:group-membership", "PUT"): Row(
        kwargs=lambda w: {"team_name_or_group_id": w.group.pk, "group_name_or_username": w.owner.username},
        body=lambda w, a: {"status": "accepted", "user": "admin"},
        expect=group_admin_only(200, "User {you} is not authorized to update the group membership for user "
                                     "{w.owner.username} in group with id {w.group.pk}.",
                                updated=False, group_member=None),
        changes=lambda w, a: changed("groups_groupmember", user_id=w.owner.username, group_id=w.group.pk,
                                     status="accepted", role="admin", deleted=False),
    ),
    # Contract: the admin rule. Groups app decision: a member may also remove themself (leave the group).
    ("groups:group-membership", "DELETE"): Row(
        kwargs=lambda w: {"team_name_or_group_id": w.group.pk, "group_name_or_username": w.owner.username},
        expect={**group_admin_only(204, "User {you} is not authorized to delete the group membership for user "
                                        "{w.owner.username} in group with id {w.group.pk}.", deleted=False),
                OWNER: Allowed(204)},
        changes=lambda w, a: changed("groups_groupmember", user_id=w.owner.username, group_id=w.group.pk, deleted=True),
    ),
    ("groups:group-by-name", "PUT"): Row(
        kwargs=lambda w: {"team_name": w.team.name, "group_name": w.group.group_name},
        body=group_body,
        expect=group_admin_only(200, "User {you} is not authorized to update a group with name "
                                     "{w.group.group_name} in team {w.team.name}.", updated=False, group=None),
        changes=lambda w, a: changed("groups_group", id=w.group.pk, description="Alumni of the team", week_start="monday"),
    ),
    ("groups:group-detail", "PUT"): Row(
        kwargs=lambda w: {"group_id": w.group.pk},
        body=group_body,
        expect=group_admin_only(200, "User {you} is not authorized to update a group with id {w.group.pk}.",
                                updated=False, group=None),
        changes=lambda w, a: changed("groups_group", id=w.group.pk, description="Alumni of the team", week_start="monday"),
    ),
    # -- training targets (issue 15: the coach's view; only the group's admins set and remove them) --------
    ("groups:group-targets", "POST"): Row(
        kwargs=lambda w: {"group_id": w.group.pk},
        body=lambda w, a: {"username": w.owner.username, "kind": "run", "weekly_miles": 30, "start": "2021-06-01",
                           "end": "2021-08-31", "note": "Summer base"},
        expect=group_admin_only(200, "User {you} is not authorized to create a target in group with id {w.group.pk}.",
                                added=False, target=None),
        changes=lambda w, a: changed("groups_trainingtarget", group_id=w.group.pk, user_id=w.owner.username,
                                     weekly_miles=30.0, note="Summer base", deleted=False),
    ),
    ("groups:group-target-delete", "DELETE"): Row(
        kwargs=lambda w: {"group_id": w.group.pk, "target_id": TrainingTarget.objects.create(
            group=w.group, kind="run", weekly_miles=25, start=date(2021, 6, 1), end=date(2021, 8, 31)).pk},
        expect=group_admin_only(204, "User {you} is not authorized to delete target {w.last_target.pk} of group "
                                     "with id {w.group.pk}.", deleted=False),
        changes=lambda w, a: changed("groups_trainingtarget", id=w.last_target.pk, deleted=True),
    ),
    # -- logs ----------------------------------------------------------------------------------------------
    ("logs:log-list", "POST"): Row(
        kwargs=lambda w: {},
        body=log_body,
        expect=owner_only(200, "User {you} is not authorized to upload an exercise log for user {w.owner.username}.",
                          added=False, log=None),
        changes=lambda w, a: changed("logs_log", user_id=w.owner.username, name="Canton", date=date(2021, 5, 31),
                                     deleted=False),
    ),
    ("logs:log-soft", "DELETE"): Row(
        kwargs=lambda w: {"log_id": w.log.pk},
        expect=owner_only(204, "User {you} is not authorized to soft delete an exercise log owned by user "
                               "{w.owner.username}.", deleted=False),
        changes=lambda w, a: changed("logs_log", log_id=w.log.pk, deleted=True),
    ),
    ("logs:log-detail", "PUT"): Row(
        kwargs=lambda w: {"log_id": w.log.pk},
        body=log_body,
        expect=owner_only(200, "User {you} is not authorized to update an exercise log owned by user "
                               "{w.owner.username}.", updated=False, log=None),
        changes=lambda w, a: changed("logs_log", log_id=w.log.pk, name="Canton", date=date(2021, 5, 31), deleted=False),
    ),
    ("logs:log-detail", "DELETE"): Row(
        kwargs=lambda w: {"log_id": w.log.pk},
        expect=owner_only(204, "User {you} is not authorized to delete an exercise log owned by user "
                               "{w.owner.username}.", deleted=False),
        changes=lambda w, a: changed("logs_log", removed=True, log_id=w.log.pk),
    ),
    # -- notifications (anyone may notify anyone: clients post them for comments and requests) -------------
    ("notifications:notification-list", "POST"): Row(
        kwargs=lambda w: {},
        body=lambda w, a: {"username": w.owner.username, "description": "New comment", "link": "/log/1"},
        expect=everyone(200, anonymous=NO_TOKEN, deleted=DEAD_TOKEN),
        changes=lambda w, a: changed("notifications_notification", user_id=w.owner.username, description="New comment",
                                     link="/log/1", viewed="N", deleted=False),
    ),
    ("notifications:notification-soft", "DELETE"): Row(
        kwargs=lambda w: {"notification_id": w.notification.pk},
        expect=owner_only(204, "User {you} is not authorized to soft delete a notification sent to "
                               "{w.owner.username}.", deleted=False),
        changes=lambda w, a: changed("notifications_notification", notification_id=w.notification.pk, deleted=True),
    ),
    ("notifications:notification-detail", "PUT"): Row(
        kwargs=lambda w: {"notification_id": w.notification.pk},
        body=lambda w, a: {"viewed": "Y"},
        expect=owner_only(200, "User {you} is not authorized to update a notification sent to {w.owner.username}.",
                          updated=False, notification=None),
        changes=lambda w, a: changed("notifications_notification", notification_id=w.notification.pk, viewed="Y"),
    ),
    ("notifications:notification-detail", "DELETE"): Row(
        kwargs=lambda w: {"notification_id": w.notification.pk},
        expect=owner_only(204, "User {you} is not authorized to delete a notification sent to {w.owner.username}.",
                          deleted=False),
        changes=lambda w, a: changed("notifications_notification", removed=True, notification_id=w.notification.pk),
    ),
}


def test_every_write_endpoint_has_a_row():
    """The expectation table and the URL registration name the same writes: none missing, none stale."""
    registered = write_endpoints()
    assert len(registered) == len(set(registered))
    assert sorted(set(registered) - set(EXPECTED)) == [], "write endpoints without a row in EXPECTED"
    assert sorted(set(EXPECTED) - set(registered)) == [], "rows in EXPECTED for endpoints that do not exist"
    for key, row in EXPECTED.items():
        assert set(row.expect) == set(ACTORS), key


CASES = [(name, method, actor) for name, method in write_endpoints() for actor in ACTORS]


@pytest.mark.parametrize("name, method, actor", CASES, ids=[f"{n} {m} as {a}" for n, m, a in CASES])
def test_write_as(world, name, method, actor):
    row = EXPECTED.get((name, method))
    assert row is not None, f"{method} {name} has no row in EXPECTED: add what each caller may do"
    path = reverse(name, kwargs=row.kwargs(world) or None)
    body = row.body(world, actor) if row.body else None
    mail.outbox = []
    before = database_rows()

    resp = getattr(world.client(actor), method.lower())(path, body, format="json")
    viewer = world.users[actor].username if actor != ANON else None
    assert secrets_in(body_of(resp), viewer=viewer, email_keys_allowed=True) == []

    expected = row.expect[actor]
    assert resp.status_code == getattr(expected, "status", 400), resp.data
    if isinstance(expected, Allowed):
        diff = changed_rows(before, database_rows())
        wanted = row.changes(world, actor)
        for change in wanted if isinstance(wanted, list) else [wanted]:
            candidates = diff.get(change.table, {}).get("removed" if change.removed else "written", [])
            assert any(change.values.items() <= candidate.items() for candidate in candidates), (
                f"no {'removed' if change.removed else 'new or updated'} row of {change.table} with {change.values}; "
                f"the write changed {diff}")
        return
    if isinstance(expected, Refused):
        you = world.users[actor].username
        error = expected.error.format(you=you, w=world)
        assert resp.json() == {"self": path.rstrip("/"), **expected.keys, "error": error}
    else:
        body = resp.json()
        assert body["error_description"] == {401: "Unauthorized", 403: "Forbidden"}[expected.status]
        assert set(body) == {"error_description", "exception", "contact", "api_index"}
        if expected.exception:
            assert body["exception"] == expected.exception
    assert database_rows() == before, "a refused write changed the database"
    assert mail.outbox == [], "a refused write sent mail"
