"""A rejected request body names its bad fields (issue 20 item 9).

Every write endpoint that reads a body answers the contract's `error` string unchanged and, beside it, `errors`:
the field errors of the serializer that read the body, keyed by the field's name in the body. The rows below are
one per write operation of `/v2/schema` that takes a body (a new one without a row fails
`test_every_write_with_a_body_has_a_row`), each sent by the caller the contract allows, with one bad field.
"""

import pytest
from django.urls import reverse

from saintsxctf.tests.world import GROUP_ADMIN, OWNER, build_world
from teams.tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


def log_body(w, **changes):
    return {"username": "andy", "first": "Andy", "last": "Jarombek", "name": "Canton", "location": "Canton, NY",
            "date": "2021-05-31", "type": "run", "distance": 5, "metric": "miles", "time": "00:40:00", "feel": 7,
            "description": "Tempo", **changes}


# (method, path in the schema, caller, URL kwargs, bad body, the contract's `error`, the fields `errors` names)
ROWS = [
    ("POST", "/v2/logs/", OWNER, lambda w: {}, lambda w: log_body(w, feel=50),
     "failed to create a new log", {"feel"}),
    ("PUT", "/v2/logs/{log_id}", OWNER, lambda w: {"log_id": w.log.pk}, lambda w: log_body(w, date="2021-13-45"),
     "the log failed to update", {"date"}),
    ("POST", "/v2/comments/", OWNER, lambda w: {},
     lambda w: {"username": "andy", "first": "Andy", "last": "Jarombek", "log_id": w.log.pk, "time": "soon"},
     "failed to create a new comment", {"time"}),
    ("PUT", "/v2/comments/{comment_id}", OWNER, lambda w: {"comment_id": w.comment.pk},
     lambda w: {"content": "x" * 1001, "time": "2021-05-31 12:00:00"}, "the comment failed to update", {"content"}),
    ("POST", "/v2/notifications/", OWNER, lambda w: {}, lambda w: {"username": "dotty", "description": "x" * 1001},
     "failed to create a new notification", {"description"}),
    ("PUT", "/v2/notifications/{notification_id}", OWNER, lambda w: {"notification_id": w.notification.pk},
     lambda w: {"viewed": "maybe"}, "the notification failed to update", {"viewed"}),
    ("PUT", "/v2/groups/{group_id}", GROUP_ADMIN, lambda w: {"group_id": w.group.pk},
     lambda w: {"grouppic_name": None, "description": "x", "week_start": "friday"}, "The group failed to update.",
     {"week_start"}),
    ("PUT", "/v2/groups/{team_name}/{group_name}", GROUP_ADMIN,
     lambda w: {"team_name": w.team.name, "group_name": w.group.group_name},
     lambda w: {"grouppic_name": None, "description": "x", "week_start": "friday"}, "the group failed to update",
     {"week_start"}),
    ("PUT", "/v2/groups/members/{team_name_or_group_id}/{group_name_or_username}", GROUP_ADMIN,
     lambda w: {"team_name_or_group_id": w.group.pk, "group_name_or_username": "andy"},
     lambda w: {"status": "maybe", "user": "user"}, "The group membership failed to update.", {"status"}),
    ("POST", "/v2/groups/targets/{group_id}", GROUP_ADMIN, lambda w: {"group_id": w.group.pk},
     lambda w: {"weekly_miles": 12, "start": "2026-01-05", "end": "2025-01-05"}, "The target failed to create.",
     {"end"}),
    ("POST", "/v2/users/", None, lambda w: {},
     lambda w: {"username": "newbie", "first": "New", "last": "Runner", "email": "not-an-email",
                "password": "s3cret-enough", "activation_code": w.invite.activation_code},
     "The email address is invalid.", {"non_field_errors", "email"}),
    ("PUT", "/v2/users/{username}", OWNER, lambda w: {"username": "andy"},
     lambda w: {"first": "Andy", "last": "J", "week_start": "friday"}, "the user failed to update", {"week_start"}),
    ("PUT", "/v2/users/memberships/{username}", OWNER, lambda w: {"username": "andy"},
     lambda w: {"teams_joined": "saintsxctf"}, "failed to update the user's memberships", {"teams_joined"}),
    ("PUT", "/v2/users/{username}/change_password", None, lambda w: {"username": "andy"},
     lambda w: {"forgot_password_code": w.forgot_codes[OWNER].forgot_code},
     "'forgot_password_code' and 'new_password' are required fields.", {"new_password"}),
    ("POST", "/v2/flair/", OWNER, lambda w: {}, lambda w: {"username": "andy", "flair": "x" * 51},
     "'username' and 'flair' are required fields", {"flair"}),
    ("POST", "/v2/activation_code/", GROUP_ADMIN, lambda w: {}, lambda w: {"group_id": w.group.pk, "email": None},
     "'group_id' and 'email' are required fields", {"email"}),
    ("POST", "/fn/email/welcome", None, lambda w: {}, lambda w: {"to": "x" * 255}, None, {"to"}),
    ("POST", "/fn/email/activation-code", OWNER, lambda w: {}, lambda w: {"email": "andy@example.com"},
     None, {"code"}),
    ("POST", "/fn/email/report", OWNER, lambda w: {}, lambda w: {"report": ""}, None, {"report"}),
    ("POST", "/fn/uasset/signed-url/user", OWNER, lambda w: {}, lambda w: {"username": "andy", "contentType": "x" * 101},
     None, {"contentType"}),
    ("POST", "/fn/uasset/signed-url/group", GROUP_ADMIN, lambda w: {},
     lambda w: {"groupId": "one", "contentType": "image/png"}, None, {"groupId"}),
]
# Writes with a body whose refusals are not field errors: the auth service's bodies (`{"result": ""}`), and
# simplejwt's own views.
NOT_ENDPOINT_BODIES = {"/auth/"}


def schema_writes_with_a_body(client) -> set[tuple[str, str]]:
    schema = client.get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    return {(method.upper(), path) for path, item in schema["paths"].items() for method, operation in item.items()
            if "requestBody" in operation and not path.startswith(tuple(NOT_ENDPOINT_BODIES))}


def test_every_write_with_a_body_has_a_row(api_client):
    assert schema_writes_with_a_body(api_client) == {(method, path) for method, path, *_ in ROWS}


@pytest.mark.parametrize("method, path, caller, kwargs, body, error, bad_fields", ROWS,
                         ids=[f"{row[0]} {row[1]}" for row in ROWS])
def test_a_bad_field_is_named(api_client, method, path, caller, kwargs, body, error, bad_fields):
    world = build_world()
    TeamFactory(name="otherteam")
    client = world.client(caller) if caller else api_client
    url = path.format(**kwargs(world))
    resp = getattr(client, method.lower())(url, body(world), format="json")
    assert resp.status_code == 400, resp.content
    answer = resp.json()
    assert set(answer["errors"]) == bad_fields
    assert all(answer["errors"][field] and all(isinstance(message, str) for message in answer["errors"][field])
               for field in bad_fields)
    if error is not None:
        assert answer["error"] == error
    else:  # the functions' own error line names the same fields (other-clients.md 6)
        assert all(f"'{field}'" in answer["error"] for field in bad_fields)


def test_an_error_that_is_no_fields_fault_has_no_errors(auth_client, user):
    resp = auth_client.post(reverse("logs:log-list"), {"username": "dotty", "feel": 50}, format="json")
    assert resp.json()["error"] == "User andy is not authorized to upload an exercise log for user dotty."
    assert "errors" not in resp.json()


def test_the_schema_describes_errors(api_client):
    schema = api_client.get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    errors = schema["components"]["schemas"]["EndpointError"]["properties"]["errors"]
    assert errors["type"] == "object" and "rejected" in errors["description"]
    assert "errors" not in schema["components"]["schemas"]["EndpointError"]["required"]
    create = schema["paths"]["/v2/logs/"]["post"]["responses"]["400"]["content"]["application/json"]["schema"]
    assert {"$ref": "#/components/schemas/EndpointError"} in create["anyOf"]
