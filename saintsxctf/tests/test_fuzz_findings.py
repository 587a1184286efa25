"""Regressions for what the schema fuzzing (test_schema_fuzz.py) found, each pinned by a direct test."""

import pytest
from django.urls import reverse

from groups.models import Group
from saintsxctf.tests.world import GROUP_ADMIN, OWNER, build_world
from saintsxctf.urls import API_ROUTERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_world()


@pytest.mark.parametrize("router", API_ROUTERS, ids=lambda router: router.namespace)
def test_options_describes_every_route_without_looking_objects_up(router, world):
    """DRF's OPTIONS introspection looked the object up as a detail route would: a 500 on the routes keyed
    otherwise (e.g. /v2/groups/<team>/<group>). It now answers what the resource is, for any caller."""
    values = {
        "username": "andy", "log_id": world.log.pk, "comment_id": world.comment.pk,
        "notification_id": world.notification.pk, "group_id": world.group.pk, "team_name": world.team.name,
        "group_name": world.group.group_name, "name": world.team.name, "code": world.code.activation_code,
        "team_name_or_group_id": world.group.pk, "group_name_or_username": "andy", "filter_by": "user",
        "bucket": "andy", "limit": 10, "offset": 0, "exercise_types": "r", "start": "2021-01-01",
        "end": "2021-12-31", "interval": "year", "text": "saints", "token": "not-a-signed-token",
        "target_id": 1,
    }
    client = world.client(OWNER)
    for endpoint in router.endpoints():
        path = reverse(f"{router.namespace}:{endpoint.name}", kwargs={k: values[k] for k in endpoint.kwarg_names})
        resp = client.options(path)
        assert resp.status_code == 200, path
        assert set(resp.json()) == {"name", "description", "renders", "parses"}


@pytest.mark.parametrize("name, kwargs", [
    ("groups:group-detail", lambda w: {"group_id": w.group.pk}),
    ("groups:group-by-name", lambda w: {"team_name": w.team.name, "group_name": w.group.group_name}),
])
def test_a_blank_week_start_is_refused(world, name, kwargs):
    """It was stored, and the group then answered a week_start outside its schema (sunday/monday/null)."""
    before = list(Group.all_objects.values())
    path = reverse(name, kwargs=kwargs(world))
    resp = world.client(GROUP_ADMIN).put(path, {"grouppic_name": None, "description": "x", "week_start": ""},
                                         format="json")
    assert resp.status_code == 400
    error = "The group failed to update." if name == "groups:group-detail" else "the group failed to update"
    answer = resp.json()
    assert set(answer.pop("errors")) == {"week_start"}
    assert answer == {"self": path, "updated": False, "group": None, "error": error}
    assert list(Group.all_objects.values()) == before
