"""The coach's view in the API: `/v2/groups/dashboard/<group_id>`, `/v2/groups/targets/<group_id>[/<target_id>]`
and `/v2/users/targets/<username>`: bodies, refusals (who may read what), and constant queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groups.models import TrainingTarget
from groups.queries import current_date
from groups.tests.factories import GroupMemberFactory
from logs.tests.factories import LogFactory
from saintsxctf.tests.world import (
    ACTORS,
    ANON,
    DELETED_RUNNER,
    GROUP_ADMIN,
    OTHER_ADMIN,
    OWNER,
    RUNNER,
    build_world,
    secrets_in,
)
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    w = build_world()
    today = current_date()
    LogFactory(user=w.owner, date=today, distance=8.0, feel=2, description="Achilles pain")
    TrainingTarget.objects.create(group=w.group, kind="run", weekly_miles=20, start=today - timedelta(days=14),
                                  end=today + timedelta(days=30))
    return w


def dashboard_path(group_id):
    return reverse("groups:group-dashboard", kwargs={"group_id": group_id})


READS = {
    "dashboard": (lambda w: dashboard_path(w.group.pk), "dashboard",
                  "User {you} is not authorized to view the dashboard of group with id {w.group.pk}."),
    "targets": (lambda w: reverse("groups:group-targets", kwargs={"group_id": w.group.pk}), "targets",
                "User {you} is not authorized to view the targets of group with id {w.group.pk}."),
    "own targets": (lambda w: reverse("users:user-targets", kwargs={"username": w.owner.username}), "targets",
                    "User {you} is not authorized to view the targets of user {w.owner.username}."),
}
ALLOWED = {"dashboard": {GROUP_ADMIN}, "targets": {GROUP_ADMIN}, "own targets": {OWNER}}


@pytest.mark.parametrize("read", READS)
@pytest.mark.parametrize("actor", ACTORS)
def test_read_matrix(world, read, actor):
    """Each read, by each caller of the permission matrix's world: allowed, the contract's 400, or 401."""
    path_of, key, error = READS[read]
    path = path_of(world)
    response = world.client(actor).get(path)
    if actor == ANON:
        assert response.status_code == 401
    elif actor == DELETED_RUNNER:  # a token issued before the account was deleted: the framework's 403
        assert response.status_code == 403
    elif actor in ALLOWED[read]:
        assert response.status_code == 200, response.data
        assert response.json()["self"] == path and key in response.json()
    else:
        assert response.status_code == 400
        you = world.users[actor].username
        assert response.json() == {"self": path, key: None, "error": error.format(you=you, w=world)}


def test_dashboard_body(world):
    response = world.client(GROUP_ADMIN).get(dashboard_path(world.group.pk), {"weeks": 4, "quiet": 3})
    body = response.json()
    assert body["group"] == reverse("groups:group-detail", kwargs={"group_id": world.group.pk})
    board = body["dashboard"]
    assert len(board["weeks"]) == 4 and board["weeks"][-1]["current"] and board["quiet_days"] == 3
    runners = {r["username"]: r for r in board["runners"]}
    assert set(runners) == {"andy", "dotty", "coach"}  # accepted members (the world's coach is no staff user)
    andy = runners["andy"]
    assert andy["weeks"][-1]["run_miles"] == 8.0 and andy["target"]["weekly_miles"] == 20.0
    kinds = {f["kind"]: f for f in andy["flags"]}
    assert {"low_feel", "pain"} <= set(kinds)
    assert kinds["pain"]["log"] == reverse("logs:log-detail", kwargs={"log_id": kinds["pain"]["log_id"]})
    assert {f["kind"] for f in runners["dotty"]["flags"]} == {"quiet"}
    assert board["targets"][0]["weekly_miles"] == 20.0 and board["targets"][0]["username"] is None
    assert sum(board["target_summary"].values()) == 3
    assert secrets_in(body, viewer="coach", known=dashboard_path(world.group.pk)) == []


def test_dashboard_of_a_missing_group_refuses_everyone_alike(world):
    for pk in (999999, "abc"):
        response = world.client(GROUP_ADMIN).get(dashboard_path(pk))
        assert response.status_code == 400 and "not authorized" in response.json()["error"]


def test_dashboard_queries_do_not_grow_with_the_group(world, django_assert_num_queries):
    client = world.client(GROUP_ADMIN)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(dashboard_path(world.group.pk)).status_code == 200
        return len(queries)

    small = count()
    for n in range(20):
        runner = UserFactory(username=f"many{n}")
        GroupMemberFactory(group=world.group, user=runner)
        LogFactory(user=runner, date=current_date() - timedelta(days=n), feel=1 + n % 9, description="sore")
        TrainingTarget.objects.create(group=world.group, user=runner, kind="all", weekly_miles=10,
                                      start=current_date() - timedelta(days=3), end=current_date())
    assert count() == small
    with django_assert_num_queries(small):
        client.get(dashboard_path(world.group.pk))


def test_set_list_and_remove_targets(world):
    client = world.client(GROUP_ADMIN)
    path = reverse("groups:group-targets", kwargs={"group_id": world.group.pk})
    body = {"username": "dotty", "kind": "all", "weekly_miles": 12.5, "start": "2026-01-05", "end": "2026-03-29"}

    added = client.post(path, body, format="json")
    assert added.status_code == 200
    target = added.json()["target"]
    assert {k: target[k] for k in body} == body | {"weekly_miles": 12.5}
    assert target["group_id"] == world.group.pk

    refused = {"self": path, "added": False, "target": None, "error": "The target failed to create."}
    for bad, bad_fields in (({}, set()), ({**body, "end": "2025-12-31"}, {"end"}),
                            ({**body, "weekly_miles": -1}, {"weekly_miles"}), ({**body, "kind": "swim"}, {"kind"}),
                            ({**body, "username": "grandma"}, {"username"}), ({**body, "start": "soon"}, {"start"})):
        response = client.post(path, bad, format="json")
        answer = response.json()
        assert set(answer.pop("errors", {})) == bad_fields, bad
        assert (response.status_code, answer) == (400, refused), bad

    listed = client.get(path).json()
    assert secrets_in(listed, viewer="coach", known=path) == []
    listed = listed["targets"]
    assert target["id"] in [t["id"] for t in listed]

    delete = reverse("groups:group-target-delete", kwargs={"group_id": world.group.pk, "target_id": target["id"]})
    assert client.delete(delete).status_code == 204
    assert TrainingTarget.all_objects.get(pk=target["id"]).deleted
    again = client.delete(delete)
    assert again.status_code == 400 and again.json()["error"] == "There is no target with this id in this group."
    # Another group's admin cannot remove this group's targets by naming their own group.
    other = TrainingTarget.objects.first()
    theirs = reverse("groups:group-target-delete", kwargs={"group_id": world.other_group.pk, "target_id": other.pk})
    assert world.client(OTHER_ADMIN).delete(theirs).status_code == 400
    assert not TrainingTarget.all_objects.get(pk=other.pk).deleted


def test_runner_sees_own_targets_and_progress(world):
    today = current_date()
    TrainingTarget.objects.create(group=world.group, user=world.owner, kind="all", weekly_miles=40,
                                  start=today - timedelta(days=3), end=today + timedelta(days=3))
    response = world.client(OWNER).get(reverse("users:user-targets", kwargs={"username": "andy"}))
    [mine] = response.json()["targets"]  # the runner's own target replaces the group's
    assert (mine["scope"], mine["kind"], mine["weekly_miles"], mine["group_id"]) == ("runner", "all", 40.0,
                                                                                     world.group.pk)
    assert mine["week_miles"] == 8.0 and mine["week_status"] in ("under", "on", "over")
    none = world.client(RUNNER).get(reverse("users:user-targets", kwargs={"username": "dotty"})).json()
    assert [t["scope"] for t in none["targets"]] == ["group"]


def test_new_routes_are_listed_in_links(world):
    links = {(e["link"], e["verb"]) for e in world.client(ANON).get("/v2/groups/links").json()["endpoints"]}
    assert {("/v2/groups/dashboard/<group_id>", "GET"), ("/v2/groups/targets/<group_id>", "GET"),
            ("/v2/groups/targets/<group_id>", "POST"),
            ("/v2/groups/targets/<group_id>/<target_id>", "DELETE")} <= links
    users = {(e["link"], e["verb"]) for e in world.client(ANON).get("/v2/users/links").json()["endpoints"]}
    assert ("/v2/users/targets/<username>", "GET") in users
