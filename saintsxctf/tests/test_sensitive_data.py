"""No sensitive data out: every GET endpoint, walked as an ordinary runner, and every body scanned.

The endpoints are generated from the URL registration (`saintsxctf.urls.API_ROUTERS`, plus each group's
`/links` and the index views); path parameters are filled from the data of `saintsxctf/tests/world.py`, naming
another runner's things (andy's) and the caller's own (dotty's). A new GET endpoint whose path parameter has
no value here fails `test_every_get_endpoint_is_walked`.

What no body may show (`world.secrets_in`):
- a `password` or `salt` key, or any user's password hash or legacy salt (deviations.md 1);
- another user's forgot-password code: whoever holds one can set that user's password without a token
  (PUT /v2/users/<username>/change_password). The caller's own codes may show (their own snapshot).
- another user's email address, except where the contract examples show it: the `email` of a user object
  (users list, user get, user snapshot: examples/api/users/get/andy.json) and of an activation code
  (the address it was sent to: examples/api/activationCode/post/newCode.json). Nowhere else: not in member
  lists, logs, comments, notifications, feeds, leaderboards or error bodies.
"""

import pytest
from django.urls import reverse

from saintsxctf.tests.world import RUNNER, body_of, build_world, secrets_in
from saintsxctf.urls import API_ROUTERS
from users.services import email_undo_token

pytestmark = pytest.mark.django_db

# Endpoints whose contract shape holds an `email` of someone else (see the module docstring).
EMAIL_SHOWN = {
    "users:user-list", "users:user-detail", "users:user-snapshot", "activation_code:activation_code-detail",
}

# The index's error pages answer their error on purpose (contract README); the coach's view refuses a runner
# who runs no group (the group's admins' answers are scanned in groups/tests/test_api_coach.py).
STATUS = {"error-404": 404, "error-500": 500, "groups:group-dashboard": 400, "groups:group-targets": 400}

# Values for every path parameter the routers use: lists of alternatives, another runner's first.
PARAMETERS = {
    "username": lambda w: [w.owner.username, w.users[RUNNER].username, w.owner.email],
    "log_id": lambda w: [w.log.pk, 999999],
    "comment_id": lambda w: [w.comment.pk, 999999],
    "notification_id": lambda w: [w.notification.pk, 999999],
    "group_id": lambda w: [w.group.pk, w.other_group.pk, 999999],
    "team_name": lambda w: [w.team.name],
    "group_name": lambda w: [w.group.group_name],
    "name": lambda w: [w.team.name, "nosuchteam"],
    "interval": lambda w: ["year", "month", "week", "all"],
    "text": lambda w: ["saints", "zzz"],
    "limit": lambda w: [10],
    "offset": lambda w: [0],
    "exercise_types": lambda w: ["rbso"],
    "start": lambda w: ["2021-01-01"],
    "end": lambda w: ["2021-12-31"],
}
# Where one parameter name means different things, or only some combinations make sense.
ENDPOINT_PARAMETERS = {
    # A forged link, then a valid one for the caller's own email change (it signs the caller out: last).
    "users:user-email-undo": lambda w: [{"token": "eyJ1c2VyIjoib3duZXIifQ:forged:signature"},
                                        {"token": email_undo_token(w.users[RUNNER], "previous@example.com")}],
    "activation_code:activation_code-detail": lambda w: [{"code": w.code.activation_code}, {"code": "NOPE00"}],
    "activation_code:activation_code-exists": lambda w: [{"code": w.code.activation_code}],
    # The caller's own code (another user's would be the caller already holding a secret).
    "forgot_password:forgot_password-validate": lambda w: [{"code": w.forgot_codes[RUNNER].forgot_code},
                                                           {"code": "NOPE0000"}],
    "groups:group-membership": lambda w: [
        {"team_name_or_group_id": w.team.name, "group_name_or_username": w.group.group_name}],
    "log_feed:log-feed": lambda w: [
        {"filter_by": "all", "bucket": "all", "limit": 10, "offset": 0},
        {"filter_by": "group", "bucket": w.group.pk, "limit": 10, "offset": 0},
        {"filter_by": "user", "bucket": w.owner.username, "limit": 10, "offset": 0},
    ],
    "range_view:range-view": lambda w: [
        {"filter_by": filter_by, "bucket": bucket, "exercise_types": "rbso", "start": "2021-01-01",
         "end": "2021-12-31"}
        for filter_by, bucket in [("all", "all"), ("group", w.group.pk), ("user", w.owner.username)]
    ],
}


def get_endpoints() -> list[tuple[str, list[str]]]:
    """(`namespace:url_name`, path parameter names) of every GET the routers register, and their /links."""
    found = []
    for router in API_ROUTERS:
        found.append((f"{router.namespace}:links", []))
        found += [(f"{router.namespace}:{endpoint.name}", endpoint.kwarg_names)
                  for endpoint in router.endpoints() if "get" in endpoint.mapping]
    return found + [(name, []) for name in ("root", "versions", "v2", "v2-links", "error-404", "error-500")]


def paths(world, name: str, kwarg_names: list[str]) -> list[str]:
    if name in ENDPOINT_PARAMETERS:
        variants = ENDPOINT_PARAMETERS[name](world)
    else:
        variants = [{}]
        for kwarg in kwarg_names:
            variants = [{**v, kwarg: value} for v in variants for value in PARAMETERS[kwarg](world)]
    return [reverse(name, kwargs=kwargs or None) for kwargs in variants]


def test_every_get_endpoint_is_walked():
    """Every path parameter of every GET endpoint has values here."""
    missing = [(name, kwarg) for name, kwargs in get_endpoints() if name not in ENDPOINT_PARAMETERS
               for kwarg in kwargs if kwarg not in PARAMETERS]
    assert missing == [], "give these path parameters values in PARAMETERS or ENDPOINT_PARAMETERS"


@pytest.mark.parametrize("name, kwarg_names", get_endpoints(), ids=[name for name, _ in get_endpoints()])
def test_an_ordinary_runner_sees_no_secrets(name, kwarg_names):
    world = build_world()
    caller = world.client(RUNNER)
    viewer = world.users[RUNNER].username
    answered = []
    for path in paths(world, name, kwarg_names):
        resp = caller.get(path)
        assert resp.status_code < 500 or name in STATUS, (path, resp.status_code)
        leaks = secrets_in(body_of(resp), viewer=viewer, email_keys_allowed=name in EMAIL_SHOWN,
                           known=path)
        assert leaks == [], f"GET {path} shows {leaks}"
        answered.append(resp.status_code)
    # The walk reads real data: at least one variant of each endpoint answers 200.
    assert STATUS.get(name, 200) in answered, (name, answered)


def test_the_scanner_finds_what_it_looks_for():
    """The walk would notice: a hash, a salt, someone else's code and someone else's email are each found."""
    world = build_world()
    owner = type(world.owner).all_objects.get(pk=world.owner.pk)
    body = {"user": {"password": owner.password}, "x": [owner.salt, world.forgot_codes["owner"].forgot_code],
            "members": [{"email": owner.email}]}
    leaks = secrets_in(body, viewer="dotty")
    assert any("`password` key" in leak for leak in leaks)
    assert any("salt of andy" in leak for leak in leaks)
    assert any("forgot-password code of andy" in leak for leak in leaks)
    assert any("email of andy" in leak for leak in leaks)
    assert secrets_in({"email": owner.email}, viewer="dotty", email_keys_allowed=True) == []
    assert secrets_in({"code": world.forgot_codes["other_runner"].forgot_code}, viewer="dotty") == []


def test_a_snapshot_never_shows_forgot_password_codes():
    """The original's snapshot listed a user's live forgot-password codes to any runner, enough to take the
    account over through change_password (no token needed). The key stays, always empty: not even the owner
    sees their codes, or a stolen token would be enough (issue 13); codes reach their runner by email only."""
    world = build_world()
    path = reverse("users:user-snapshot", kwargs={"username": world.owner.username})

    theirs = world.client(RUNNER).get(path).json()["user"]
    own = world.client("owner").get(path).json()["user"]

    assert theirs["forgotpassword"] == [] and own["forgotpassword"] == []
