"""Schema fuzzing: schemathesis against the app's own OpenAPI schema (`/v2/schema`), through the WSGI app.

Every operation of the schema gets generated requests, valid and invalid ones (schemathesis' examples,
coverage and fuzzing phases), sent in-process to Django's WSGI app with a valid token of a runner of
`saintsxctf/tests/world.py`. Half the time the path parameters and body keys that name rows are replaced by
real ones (`KNOWN`), so reads find data and writes succeed. Each response must:
- not be a 5xx (`not_a_server_error`);
- have a status code the schema documents, the documented content type, and a body matching the
  documented schema; bad input therefore gets the contract's 4xx body (`saintsxctf.foundation.api.schema`);
- for a method the path does not serve (the coverage phase tries them), be the framework's 405;
- show no secret (`world.secrets_in`: password hashes, salts, other users' forgot-password codes).

Generation is deterministic (a fixed seed, derandomized Hypothesis, no example database) so CI is stable.
Writes change the test database: each operation is its own test, in its own transaction over a fresh world.
"""

import collections
import json
from datetime import date

import hypothesis
import pytest
import schemathesis
from django.core import signing
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils.module_loading import import_string
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig

from groups.models import TrainingTarget
from saintsxctf import settings as project_settings
from saintsxctf.foundation.auth.tokens import issue_access_token, issue_refresh_token
from saintsxctf.tests.world import GROUP_ADMIN, OWNER, build_world, secrets_in
from saintsxctf.urls import API_ROUTERS
from users.services import EMAIL_UNDO_SALT
from users.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SEED = 20240521
MAX_EXAMPLES = 30  # per operation in the fuzzing phase; the coverage phase adds its own cases per parameter
# GET /500 answers 500 on purpose (contract README).
EXCLUDED_PATHS = ["/500"]
# Operations that answer no 2xx whatever they are sent.
NEVER_2XX = {"DELETE /v2/users/{username}", "GET /404"}  # disabled (endpoints.md); the 404 page

CONFIG = SchemathesisConfig.from_dict({
    "seed": SEED,
    "generation": {"deterministic": True, "max-examples": MAX_EXAMPLES, "database": "none"},
})

# Literal path segments of the routes (`links`, `soft`, `snapshot`, ...): a path parameter spelling one
# reaches that route instead, as in the original, so such values are not inputs of the operation.
RESERVED = {"links"} | {
    segment
    for router in API_ROUTERS
    for endpoint in router.endpoints()
    for segment in endpoint.regex.strip("^$/").split("/")
    if segment and "(" not in segment
}

# Statuses answered, per operation (for the size report and the coverage check at the end).
ANSWERS: dict[str, list[int]] = collections.defaultdict(list)
# Real values of the current test's world (set by the `world` fixture): path parameters and body keys,
# by name, with per-operation overrides where a name means something else.
KNOWN: dict[str, dict] = {}


schema = schemathesis.openapi.from_wsgi("/v2/schema", WSGIHandler(), config=CONFIG).exclude(path=EXCLUDED_PATHS)


def label(operation) -> str:
    return f"{operation.method.upper()} {operation.path}"


def known_values(operation, part: str) -> dict:
    return {**KNOWN.get(part, {}), **KNOWN.get(f"{part} {label(operation)}", {})}


def with_known(values, known: dict):
    if not isinstance(values, dict):
        return values
    return {name: known.get(name, value) for name, value in values.items()}


@schema.hook
def filter_path_parameters(context, params):
    return not isinstance(params, dict) or not any(str(value) in RESERVED for value in params.values())


@schema.hook
def flatmap_path_parameters(context, params):
    return st.sampled_from([params, with_known(params, known_values(context.operation, "path"))])


@schema.hook
def flatmap_body(context, body):
    choices = [body, with_known(body, known_values(context.operation, "body"))]
    # Where the operation has a complete known body, offer it whole too, so the fuzz reaches a success
    # whatever keys the generator happened to leave out.
    whole = KNOWN.get(f"body {label(context.operation)}")
    if whole and isinstance(body, dict):
        choices.append({**KNOWN.get("body", {}), **whole})
    return st.sampled_from(choices)


@pytest.fixture
def world(db, settings):
    """A fresh world, its real values in KNOWN, and Django's per-request connection closing switched off (as
    Django's test client does) so every request runs inside the test's transaction. The allowances of one
    sender and one address are lifted (a fuzz of one operation sends more than a runner would in a minute; the
    throttles have their own tests), so every case reaches the endpoint."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "notification_sender": "1000000/min",
        "code_check_ip": "1000000/min", "change_password_account": "1000000/min"}}
    world = build_world()
    owner, group, team = world.owner, world.group, world.team
    target = TrainingTarget.objects.create(group=group, kind="run", weekly_miles=20, start=date(2021, 6, 1),
                                           end=date(2021, 8, 31))
    KNOWN.update({
        "path": {
            "username": owner.username, "log_id": world.log.pk, "comment_id": world.comment.pk,
            "notification_id": world.notification.pk, "group_id": group.pk, "team_name": team.name,
            "group_name": group.group_name, "name": team.name, "code": world.code.activation_code,
            "team_name_or_group_id": group.pk, "group_name_or_username": owner.username, "filter_by": "user",
            "bucket": owner.username, "limit": 10, "offset": 0, "exercise_types": "rbso", "start": "2021-01-01",
            "end": "2021-12-31", "interval": "year", "text": "saints", "target_id": target.pk,
        },
        "path GET /v2/forgot_password/validate/{code}": {"code": world.forgot_codes[OWNER].forgot_code},
        # The link mailed to an old address after an email change (to owner's current address, from another).
        "path GET /v2/users/email_undo/{token}": {"token": signing.dumps(
            {"user": owner.username, "old": "previous@example.com", "new": owner.email},
            salt=EMAIL_UNDO_SALT, compress=True)},
        "path GET /v2/groups/members/{team_name_or_group_id}/{group_name_or_username}": {
            "team_name_or_group_id": team.name, "group_name_or_username": group.group_name},
        "body": {
            "username": owner.username, "first": owner.first, "last": owner.last, "log_id": world.log.pk,
            "group_id": group.pk, "email": "newbie@example.com", "viewed": "Y", "week_start": "monday",
            "status": "accepted", "user": "admin", "forgot_password_code": world.forgot_codes[OWNER].forgot_code,
            "new_password": "a-new-password", "description": "Fuzzed", "content": "Fuzzed", "link": "/log/view/1",
            "time": "2021-06-01 12:00:00", "password": PASSWORD, "token": issue_access_token(owner),
            "refresh": str(issue_refresh_token(owner)),
            "to": "newbie@example.com", "contentType": "image/png", "groupId": group.pk, "report": "Fuzzed",
        },
        "body POST /fn/email/activation-code": {"code": world.invite.activation_code},
        "body POST /v2/users/": {"username": "newbie", "password": "long-enough",
                                 "activation_code": world.invite.activation_code},
        **{f"body {method} {path}": {"date": "2021-06-01", "type": "run", "distance": 5, "metric": "miles",
                                     "time": "0:40:00", "feel": 6, "name": "Canton", "location": "Canton, NY"}
           for method, path in [("POST", "/v2/logs/"), ("PUT", "/v2/logs/{log_id}")]},
        "body POST /v2/groups/targets/{group_id}": {"kind": "run", "weekly_miles": 25, "start": "2021-06-01",
                                                    "end": "2021-08-31", "note": "Fuzzed"},
        # The world's invitation holds newbie@example.com, which a profile may not take: a free address, and the
        # whole body offered, so the profile update reaches a 200 whatever strings the generator favours (they
        # follow the project's source: Hypothesis draws constants from the loaded modules).
        "body PUT /v2/users/{username}": {"email": "renamed@example.com"},
        "body PUT /v2/users/memberships/{username}": {
            "teams_joined": [], "teams_left": [], "groups_left": [],
            "groups_joined": [{"team_name": team.name, "group_name": world.other_group.group_name}]},
    })
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield world
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    KNOWN.clear()


def caller(operation) -> str:
    """Who calls: the owner of the world's things or, where only a group's admin may write, its admin."""
    admin_only = operation.path in ("/v2/activation_code/", "/fn/email/activation-code",
                                    "/fn/uasset/signed-url/group") or (
        operation.method.upper() == "PUT" and operation.path.startswith("/v2/groups/")) or \
        operation.path.startswith(("/v2/groups/dashboard/", "/v2/groups/targets/"))  # the coach's view
    return GROUP_ADMIN if admin_only else OWNER


@schema.parametrize()
@hypothesis.settings(
    max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_every_operation_conforms_to_the_schema(case, world):
    headers = {"Authorization": f"Bearer {issue_access_token(world.users[caller(case.operation)])}"}
    if case.method.upper() != case.operation.method.upper():
        # A method the path does not serve: the framework's 405 (DRF answers OPTIONS itself).
        response = case.call(headers=headers)
        if case.method.upper() == "OPTIONS" and response.status_code == 200:
            return
        assert response.status_code == 405, (case.method, case.path, response.status_code)
        assert set(response.json()) == {"error_description", "exception", "contact", "api_index"}
        return
    response = case.call_and_validate(headers=headers, checks=CHECKS)
    ANSWERS[label(case.operation)].append(response.status_code)
    # No secrets in any answer either (test_sensitive_data.py's rule; `email` keys are user and code objects).
    body = json.loads(response.content) if response.content else None
    viewer = world.users[caller(case.operation)].username
    assert secrets_in(body, viewer=viewer, email_keys_allowed=True, known=case.formatted_path) == []


def test_every_operation_was_fuzzed_and_reached_real_rows():
    """Runs after the fuzz test (same module): every operation got cases, and all but NEVER_2XX succeeded at
    least once, so the fuzz reached real rows and not only the error paths."""
    operations = {label(result.ok()) for result in schema.get_all_operations()}
    # Not a skip: a run that fuzzed only some operations (this test alone, `-k`, a crash) proves nothing.
    assert set(ANSWERS) == operations, (
        f"the fuzz ran for {len(ANSWERS)} of {len(operations)} operations: run this module whole "
        f"(missing: {sorted(operations - set(ANSWERS))[:5]})")
    never = {op for op, statuses in ANSWERS.items() if not any(200 <= status < 300 for status in statuses)}
    assert never == NEVER_2XX, {op: collections.Counter(ANSWERS[op]) for op in never}
    print(f"\nschemathesis: {len(ANSWERS)} operations, {sum(map(len, ANSWERS.values()))} cases")



# -- hostile shapes (issue 13) --------------------------------------------------------------------
# What schemathesis' generated cases never reach (security probe F9): every operation of the schema also gets
# each of these, and must answer below 500. Paths use the world's real values, so the hostile part is the only
# thing wrong with a request.
LONG_PASSWORD = "correct horse battery staple " * 5  # 145 bytes: past bcrypt's 72
EXTREME_NUMBERS = [10**30, -(10**30), 1e308, -1e308, 2**63, 86400 * 999999999]
EXTREME = {
    **dict.fromkeys(("distance", "feel", "group_id", "log_id", "class_year", "limit"), EXTREME_NUMBERS),
    "time": [*EXTREME_NUMBERS, "99999999:00:00"],
    "date": ["9999-12-31", "0001-01-01"],
    **dict.fromkeys(("username", "clientId", "email", "link"), ["\u0000", "x" * 5000]),
}


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def hostile_bodies(operation) -> list[tuple[str, bytes]]:
    """(what, raw JSON body) for one operation: its known good body with one hostile change at a time."""
    base = {**KNOWN.get("body", {}), **KNOWN.get(f"body {label(operation)}", {})}
    bodies = [
        ("long passwords", {**base, "clientId": base.get("username"), "password": LONG_PASSWORD,
                            "clientSecret": LONG_PASSWORD, "new_password": LONG_PASSWORD}),
        *[(f"{key}={value!r:.20}", {**base, key: value}) for key, values in EXTREME.items() for value in values],
    ]
    raw = [(what, json.dumps(body).encode()) for what, body in bodies]
    raw += [
        ("1e999 numbers", json.dumps(base).replace("}", ', "distance": 1e999, "time": -1e999}', 1).encode()
         if base else b'{"time": 1e999}'),
        ("JSON nested 1,000 deep", f'{{"username": "x", "a": {deep(1000)}}}'.encode()),
        ("a body nested 100,000 deep", deep(100_000).encode()),
        ("a 3 MB body", json.dumps({**base, "pad": "A" * 3_000_000}).encode()),
        ("a lone surrogate", json.dumps(base).replace("}", ', "clientId": "\\ud800", "username": "\\udfff"}', 1)
         .encode() if base else b'{"username": "\\ud800"}'),
    ]
    return raw


def hostile_paths(operation) -> list[str]:
    """The operation's path with real values, then with extreme ones in each numeric or date parameter."""
    values = {**KNOWN["path"], **KNOWN.get(f"path {label(operation)}", {})}
    names = [part[1:-1] for part in operation.path.split("/") if part.startswith("{")]
    real = operation.path.format(**{name: values.get(name, "x") for name in names})
    paths = [real]
    for name in names:
        for extreme in ("2147483648", str(10**30), "9999-12-31", "0001-01-01", "-1"):
            paths.append(operation.path.format(**{**{n: values.get(n, "x") for n in names}, name: extreme}))
    return paths


# Production's first hasher (bcrypt, where long passwords used to raise), at bcrypt's lowest cost for speed.
FastProductionHasher = type("FastProductionHasher", (import_string(project_settings.PASSWORD_HASHERS[0]),),
                            {"rounds": 4, "__module__": __name__})


@pytest.fixture
def unthrottled(settings, world):
    """The hostile requests all come from one address: lift the throttles (tested in their own files). Hash as
    production does (the callers' passwords too, so sign-ins check a bcrypt hash)."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        scope: "1000000/min" for scope in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}}
    settings.PASSWORD_HASHERS = [f"{__name__}.FastProductionHasher", *project_settings.PASSWORD_HASHERS[1:],
                                 "django.contrib.auth.hashers.MD5PasswordHasher"]
    for name in (OWNER, GROUP_ADMIN):
        world.users[name].set_password(PASSWORD)
        world.users[name].save(update_fields=["password"])


def test_hostile_shapes_never_answer_5xx(world, unthrottled):
    client = APIClient(raise_request_exception=False)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        method = operation.method.upper()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(world.users[caller(operation)])}")
        cases = [(path, None, b"") for path in hostile_paths(operation)]
        if method in ("POST", "PUT", "PATCH"):
            path = hostile_paths(operation)[0]
            cases += [(path, what, raw) for what, raw in hostile_bodies(operation)]
        for path, what, raw in cases:
            resp = client.generic(method, path, raw, content_type="application/json")
            if resp.status_code >= 500:
                failures.append((method, path[:80], what, resp.status_code))
    assert failures == []
