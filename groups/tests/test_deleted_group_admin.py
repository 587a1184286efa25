"""An admin of a group that was soft-deleted administers nothing: the group's memberships stay as they are."""

import pytest
from django.urls import reverse

from groups.models import GroupMember
from saintsxctf.tests.world import DELETED_GROUP_ADMIN, build_world
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = build_world()
    newcomer = UserFactory(username="newcomer")
    GroupMember.all_objects.create(group=w.deleted_group, user=newcomer, status="pending", role="user")
    return w


def url(w):
    return reverse("groups:group-membership",
                   kwargs={"team_name_or_group_id": w.deleted_group.pk, "group_name_or_username": "newcomer"})


def rows(w):
    return list(GroupMember.all_objects.filter(group=w.deleted_group).order_by("id").values())


def test_an_admin_of_a_deleted_group_cannot_approve_its_members(world):
    before = rows(world)
    resp = world.client(DELETED_GROUP_ADMIN).put(url(world), {"status": "accepted", "user": "admin"}, format="json")
    assert resp.status_code == 400
    assert resp.json() == {
        "self": url(world), "updated": False, "group_member": None,
        "error": f"User oldcoach is not authorized to update the group membership for user newcomer in group "
                 f"with id {world.deleted_group.pk}."}
    assert rows(world) == before


def test_an_admin_of_a_deleted_group_cannot_remove_its_members(world):
    before = rows(world)
    resp = world.client(DELETED_GROUP_ADMIN).delete(url(world))
    assert resp.status_code == 400
    assert resp.json() == {
        "self": url(world), "deleted": False,
        "error": f"User oldcoach is not authorized to delete the group membership for user newcomer in group "
                 f"with id {world.deleted_group.pk}."}
    assert rows(world) == before
