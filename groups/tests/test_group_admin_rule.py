"""The one group-admin rule (`User.administers`, checked by `IsGroupAdmin`), through the HTTP API.

A user administers a group when the group is live and they are a superuser or hold an accepted, live `admin`
membership of it. So a superuser administers every live group without being a member (as in the admin site, and
as activation codes always allowed), and nobody administers a soft-deleted group: not a superuser, not its former
admins. Every write and read that only a group's admins may make is checked here for both.
"""

from datetime import date

import pytest
from django.urls import reverse

from conftest import client_for
from groups.models import GroupMember, TrainingTarget
from saintsxctf.tests.world import DELETED_GROUP_ADMIN, GROUP_ADMIN, build_world
from users.models import ActivationCode
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def target_of(group):
    return TrainingTarget.objects.create(group=group, kind="run", weekly_miles=20, start=date(2026, 1, 5),
                                         end=date(2026, 3, 29))


def member_of(group, username="newcomer"):
    user = UserFactory(username=username)
    GroupMember.all_objects.create(group=group, user=user, status="pending", role="user")
    return username


# (label, method, path(world, group), body(world, group) or None, the status an admin gets, the status a refusal
# gets, the refusal's `error` (a template over the caller, the group and the world) or None for the framework's)
ENDPOINTS = [
    ("group PUT by id", "put", lambda w, g: reverse("groups:group-detail", kwargs={"group_id": g.pk}),
     lambda w, g: {"grouppic_name": None, "description": "Changed", "week_start": "monday"}, 200, 400,
     "User {you} is not authorized to update a group with id {g.pk}."),
    ("membership PUT", "put",
     lambda w, g: reverse("groups:group-membership",
                          kwargs={"team_name_or_group_id": g.pk, "group_name_or_username": member_of(g)}),
     lambda w, g: {"status": "accepted", "user": "user"}, 200, 400,
     "User {you} is not authorized to update the group membership for user newcomer in group with id {g.pk}."),
    ("membership DELETE", "delete",
     lambda w, g: reverse("groups:group-membership",
                          kwargs={"team_name_or_group_id": g.pk, "group_name_or_username": member_of(g)}),
     None, 204, 400,
     "User {you} is not authorized to delete the group membership for user newcomer in group with id {g.pk}."),
    ("dashboard GET", "get", lambda w, g: reverse("groups:group-dashboard", kwargs={"group_id": g.pk}),
     None, 200, 400, "User {you} is not authorized to view the dashboard of group with id {g.pk}."),
    ("targets GET", "get", lambda w, g: reverse("groups:group-targets", kwargs={"group_id": g.pk}),
     None, 200, 400, "User {you} is not authorized to view the targets of group with id {g.pk}."),
    ("targets POST", "post", lambda w, g: reverse("groups:group-targets", kwargs={"group_id": g.pk}),
     lambda w, g: {"weekly_miles": 20, "start": "2026-01-05", "end": "2026-03-29"}, 200, 400,
     "User {you} is not authorized to create a target in group with id {g.pk}."),
    ("target DELETE", "delete",
     lambda w, g: reverse("groups:group-target-delete", kwargs={"group_id": g.pk, "target_id": target_of(g).pk}),
     None, 204, 400, "User {you} is not authorized to delete target {target} of group with id {g.pk}."),
    ("activation code POST", "post", lambda w, g: reverse("activation_code:activation_code-list"),
     lambda w, g: {"group_id": g.pk, "email": "invitee@example.com"}, 200, 403, None),
    ("activation code DELETE", "delete",
     lambda w, g: reverse("activation_code:activation_code-detail", kwargs={
         "code": ActivationCode.all_objects.create(activation_code="GRP001", email="x@example.com",
                                                   group=g).activation_code}),
     None, 204, 400, "User {you} is not authorized to delete activation code GRP001."),
    ("group picture upload URL", "post", lambda w, g: reverse("functions:signed-url-group"),
     lambda w, g: {"groupId": g.pk, "contentType": "image/png"}, 200, 403,
     "User {you} is not an admin of group {g.pk}."),
]


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def root(world):
    """A superuser who is a member of no group."""
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def call(client, method, path, body):
    return getattr(client, method)(path, body, format="json")


@pytest.mark.parametrize("label, method, path, body, allowed, refused, error", ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_a_superuser_administers_every_live_group(world, root, label, method, path, body, allowed, refused, error):
    group = world.other_group  # root is no member of it
    url = path(world, group)
    resp = call(client_for(root), method, url, body(world, group) if body else None)
    assert resp.status_code == allowed, resp.content


def refusal_of(resp, status, error, you, group, url):
    assert resp.status_code == status, resp.content
    if error is None:
        assert resp.json()["error_description"] == "Forbidden"
    else:
        target = url.rstrip("/").rsplit("/", 1)[-1]
        assert resp.json()["error"] == error.format(you=you, g=group, target=target)


@pytest.mark.parametrize("label, method, path, body, allowed, refused, error", ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_nobody_administers_a_deleted_group(world, root, label, method, path, body, allowed, refused, error):
    """Neither a superuser nor the deleted group's own admin; nothing changes."""
    group = world.deleted_group
    for caller, client in (("root", client_for(root)), ("oldcoach", world.client(DELETED_GROUP_ADMIN))):
        url = path(world, group)
        before = (list(GroupMember.all_objects.filter(group=group).values()),
                  list(TrainingTarget.all_objects.filter(group=group).values()),
                  list(ActivationCode.all_objects.values()))
        resp = call(client, method, url, body(world, group) if body else None)
        if label == "group PUT by id" and caller == "oldcoach":
            # The contract's answer to the former admin: the group is gone (GroupViewSet.permission_denied).
            assert (resp.status_code, resp.json()["error"]) == (400, "There is no existing group with this id.")
        else:
            refusal_of(resp, refused, error, caller, group, url)
        assert (list(GroupMember.all_objects.filter(group=group).values()),
                list(TrainingTarget.all_objects.filter(group=group).values()),
                list(ActivationCode.all_objects.values())) == before
        GroupMember.all_objects.filter(user_id="newcomer").delete()
        type(root).all_objects.filter(username="newcomer").delete()
        TrainingTarget.all_objects.filter(group=group).delete()
        ActivationCode.all_objects.filter(activation_code="GRP001").delete()


def test_the_group_admin_of_the_live_group_is_allowed(world):
    """The rule's ordinary case, for contrast: the coach administers the owner's group."""
    resp = world.client(GROUP_ADMIN).put(reverse("groups:group-detail", kwargs={"group_id": world.group.pk}),
                                         {"grouppic_name": None, "description": "Changed", "week_start": "monday"},
                                         format="json")
    assert resp.status_code == 200


@pytest.mark.parametrize("value", ["abc", "-1", " 1", "1.0", str(2**31), ""])
def test_a_value_that_names_no_group_is_administered_by_nobody(world, root, value):
    assert not root.administers(value)
    assert root.administers(str(world.other_group.pk))
    assert not world.users[GROUP_ADMIN].administers(value)
