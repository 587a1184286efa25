"""One small, complete data set for the cross-cutting tests (authorization matrix, sensitive-data walk, schema
fuzzing), the callers who act in it, and the scanner for secrets in response bodies.

The callers (pretix style: names that say who is calling):
- `owner` (andy): the runner whose objects they are (author of the log, comment and flair, addressee of the
  notification, the user in the path, the address an activation code was made for, a plain group member);
- `other_runner` (dotty): a teammate in the same group, with no special role;
- `admin_of_other_group` (grandma): an accepted admin of another group of the same team;
- `admin_of_the_group` (coach): an accepted admin of the owner's group;
- `pending_admin` (hopeful): asked to join the owner's group as an admin, not yet accepted;
- `removed_admin` (excoach): was an accepted admin of the owner's group; that membership is soft-deleted;
- `admin_of_deleted_group` (oldcoach): an accepted admin of a group of the team that was soft-deleted;
- `deleted_runner` (ghost): was an accepted member of the owner's group and holds a token issued before the
  account was soft-deleted;
- `no_token`: no Authorization header at all.
"""

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import unquote

import factory.random
from django.apps import apps
from rest_framework.test import APIClient

from comments.tests.factories import CommentFactory
from conftest import client_for
from groups.tests.factories import GroupFactory, GroupMemberFactory
from logs.tests.factories import LogFactory
from notifications.tests.factories import NotificationFactory
from saintsxctf.foundation.auth.tokens import issue_access_token
from teams.tests.factories import TeamFactory, TeamGroupFactory, TeamMemberFactory
from users.tests.factories import ActivationCodeFactory, FlairFactory, ForgotPasswordCodeFactory, UserFactory

OWNER, RUNNER, OTHER_ADMIN, GROUP_ADMIN, ANON = (
    "owner", "other_runner", "admin_of_other_group", "admin_of_the_group", "no_token",
)
PENDING_ADMIN, REMOVED_ADMIN, DELETED_GROUP_ADMIN, DELETED_RUNNER = (
    "pending_admin", "removed_admin", "admin_of_deleted_group", "deleted_runner",
)
# No token last (ACTORS[:-1] are the callers with a token).
ACTORS = [OWNER, RUNNER, OTHER_ADMIN, GROUP_ADMIN, PENDING_ADMIN, REMOVED_ADMIN, DELETED_GROUP_ADMIN, DELETED_RUNNER,
          ANON]
# The tables an endpoint can touch: every model of the project's apps.
APP_LABELS = ["users", "teams", "groups", "logs", "comments", "notifications"]


@dataclass
class World:
    users: dict  # actor -> User (no entry for ANON)
    team: object
    group: object  # the owner's group; admin_of_the_group administers it
    other_group: object  # another group of the same team; admin_of_other_group administers it
    deleted_group: object  # a soft-deleted group of the same team; admin_of_deleted_group administered it
    log: object  # the owner's log, with a comment of the owner and one of the other runner
    comment: object  # the owner's comment
    notification: object  # to the owner
    code: object  # an activation code made for the owner's email address, into the owner's group
    invite: object  # an unused activation code a newcomer signs up with
    forgot_codes: dict = field(default_factory=dict)  # actor -> that user's live forgot-password code
    tokens: dict = field(default_factory=dict)  # actor -> a token issued to them (the deleted runner's before)

    @property
    def owner(self):
        return self.users[OWNER]

    @property
    def last_target(self):
        """The newest training target (the one a row's kwargs just made)."""
        from groups.models import TrainingTarget

        return TrainingTarget.all_objects.order_by("-pk").first()

    def client(self, actor: str) -> APIClient:
        if actor == ANON:
            return APIClient()
        if actor in self.tokens:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {self.tokens[actor]}")
            return client
        return client_for(self.users[actor])


def build_world() -> World:
    """The world, with the same fake texts every time (the fuzz test's answers must not vary between runs); the
    factories' random state is put back afterwards, so later tests do not depend on whether a world was built."""
    state = factory.random.get_random_state()
    factory.random.reseed_random("saintsxctf-world")
    try:
        return _build_world()
    finally:
        factory.random.set_random_state(state)


def _build_world() -> World:
    users = {
        OWNER: UserFactory(username="andy", first="Andy", last="Jarombek", email="andy@example.com"),
        RUNNER: UserFactory(username="dotty", first="Dotty", last="Jarombek", email="dotty@example.com"),
        OTHER_ADMIN: UserFactory(username="grandma", first="Lisa", last="Jarombek", email="grandma@example.com"),
        GROUP_ADMIN: UserFactory(username="coach", first="Coach", last="Smith", email="coach@example.com"),
    }
    for user in users.values():
        # A legacy salt, as imported rows carry one: it must never leave the API (deviations.md 1).
        type(user).all_objects.filter(pk=user.pk).update(salt=f"legacy-salt-of-{user.username}")
    team = TeamFactory(name="saintsxctf", title="St. Lawrence Cross Country and Track & Field")
    group = GroupFactory(group_name="alumni", group_title="Alumni", week_start="sunday")
    other_group = GroupFactory(group_name="wmensxc", group_title="Women's Cross Country", week_start="monday")
    TeamGroupFactory(team=team, group=group)
    TeamGroupFactory(team=team, group=other_group)
    for user in users.values():
        TeamMemberFactory(team=team, user=user, status="accepted", role="user")
    GroupMemberFactory(group=group, user=users[OWNER], status="accepted", role="user")
    GroupMemberFactory(group=group, user=users[RUNNER], status="accepted", role="user")
    GroupMemberFactory(group=group, user=users[GROUP_ADMIN], status="accepted", role="admin")
    GroupMemberFactory(group=other_group, user=users[OTHER_ADMIN], status="accepted", role="admin")

    log = LogFactory(user=users[OWNER], date=date(2021, 5, 30), description="Easy run")
    comment = CommentFactory(user=users[OWNER], log=log, content="Nice run!")
    CommentFactory(user=users[RUNNER], log=log, content="Well done")
    LogFactory(user=users[RUNNER], date=date(2021, 5, 29), description="Long run")
    FlairFactory(user=users[OWNER], flair="Runner of the Year")
    NotificationFactory(user=users[RUNNER], description="Andy commented on your log.")

    # The callers whose rights were taken away or never granted (made last: the texts above stay the same).
    users |= {
        PENDING_ADMIN: UserFactory(username="hopeful", first="Hope", last="Ful", email="hopeful@example.com"),
        REMOVED_ADMIN: UserFactory(username="excoach", first="Ex", last="Coach", email="excoach@example.com"),
        DELETED_GROUP_ADMIN: UserFactory(username="oldcoach", first="Old", last="Coach", email="oldcoach@example.com"),
        DELETED_RUNNER: UserFactory(username="ghost", first="Gone", last="Runner", email="ghost@example.com"),
    }
    for actor in (PENDING_ADMIN, REMOVED_ADMIN, DELETED_GROUP_ADMIN, DELETED_RUNNER):
        TeamMemberFactory(team=team, user=users[actor], status="accepted", role="user")
    deleted_group = GroupFactory(group_name="oldguard", group_title="Old Guard", week_start="monday")
    TeamGroupFactory(team=team, group=deleted_group)
    GroupMemberFactory(group=group, user=users[PENDING_ADMIN], status="pending", role="admin")
    GroupMemberFactory(group=group, user=users[REMOVED_ADMIN], status="accepted", role="admin").soft_delete()
    GroupMemberFactory(group=deleted_group, user=users[DELETED_GROUP_ADMIN], status="accepted", role="admin")
    GroupMemberFactory(group=group, user=users[DELETED_RUNNER], status="accepted", role="user")
    deleted_group.soft_delete()
    tokens = {DELETED_RUNNER: issue_access_token(users[DELETED_RUNNER])}
    users[DELETED_RUNNER].soft_delete()
    return World(
        users=users, team=team, group=group, other_group=other_group, deleted_group=deleted_group, tokens=tokens,
        log=log, comment=comment,
        notification=NotificationFactory(user=users[OWNER], description="Dotty commented on your log."),
        code=ActivationCodeFactory(activation_code="OWNR01", email="andy@example.com", group=group),
        invite=ActivationCodeFactory(activation_code="NEW001", email="newbie@example.com", group=group),
        forgot_codes={
            actor: ForgotPasswordCodeFactory(user=user, forgot_code=f"FP{index:06d}")
            for index, (actor, user) in enumerate(users.items())
        },
    )


def database_rows() -> dict:
    """Every row of every project table, deleted ones included, in primary-key order."""
    return {
        model._meta.db_table: list(model._base_manager.order_by("pk").values())
        for label in APP_LABELS
        for model in apps.get_app_config(label).get_models()
    }


PRIMARY_KEYS = {model._meta.db_table: model._meta.pk.attname
                for label in APP_LABELS for model in apps.get_app_config(label).get_models()}


def changed_rows(before: dict, after: dict) -> dict:
    """What a write did, from two `database_rows()`: per table, `written` (the new and the updated rows, as they
    are after) and `removed` (the rows gone, as they were before)."""
    diff = {}
    for table, rows in after.items():
        old = {repr(row): row for row in before.get(table, [])}
        new = {repr(row): row for row in rows}
        written = [row for key, row in new.items() if key not in old]
        pk_name = PRIMARY_KEYS[table]
        kept = {row.get(pk_name) for row in rows}
        removed = [row for key, row in old.items() if key not in new and row.get(pk_name) not in kept]
        if written or removed:
            diff[table] = {"written": written, "removed": removed}
    return diff


# -- secrets in bodies -------------------------------------------------------------------------------
SECRET_KEYS = {"password", "salt"}
SECRET_KEY = object()  # what `walk` yields for the value of a `password` or `salt` key


def body_of(response):
    """The JSON a response sent (None for an empty body, e.g. a 204)."""
    return response.json() if response.content else None


def walk(value, path=()):
    """(path, key, value) of every scalar in a JSON document; `key` is the nearest object key."""
    if isinstance(value, dict):
        for key, item in value.items():
            # The keys of an error body's `errors` name the fields of the rejected request, not values: what they
            # hold (messages) is still scanned.
            if key in SECRET_KEYS and path != ("errors",):
                yield (*path, key), key, SECRET_KEY
            else:
                yield from walk(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, (*path, index))
    else:
        yield path, next((p for p in reversed(path) if isinstance(p, str)), None), value


def secrets_in(body, *, viewer: str | None, email_keys_allowed: bool = False, known: str = "") -> list[str]:
    """What `body` shows that the caller `viewer` (a username, or None) must not see.

    - a `password` or `salt` key, or any user's password hash or salt as a value (deviations.md 1);
    - another user's forgot-password code (a code is the key to that account: change_password needs no token);
    - another user's email address, except as the `email` of a user or activation-code object on the endpoints
      whose contract examples show it (`email_keys_allowed`).

    `known` is what the caller sent (the request path): echoing it back (`self`) shows them nothing new.
    """
    from users.models import ForgotPasswordCode, User

    users = list(User.all_objects.values("username", "password", "salt", "email"))
    secrets = {u["password"]: f"password hash of {u['username']}" for u in users if u["password"]}
    secrets |= {u["salt"]: f"salt of {u['username']}" for u in users if u["salt"]}
    codes = {c.forgot_code: c.user_id for c in ForgotPasswordCode.all_objects.exclude(user_id=viewer)}
    known = unquote(known).lower()
    emails = {u["email"].lower(): u["username"] for u in users
              if u["email"] and u["username"] != viewer and u["email"].lower() not in known}

    found = []
    for path, key, value in walk(body):
        where = "/".join(map(str, path))
        if value is SECRET_KEY:
            found.append(f"{where}: a `{key}` key")
            continue
        if not isinstance(value, str):
            continue
        found += [f"{where}: the {what}" for secret, what in secrets.items() if secret in value]
        found += [f"{where}: forgot-password code of {owner}" for code, owner in codes.items()
                  if code.lower() in value.lower()]
        if not (email_keys_allowed and key == "email"):
            found += [f"{where}: email of {owner}" for email, owner in emails.items() if email in value.lower()]
    return found
