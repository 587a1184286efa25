"""How each legacy table maps onto our models: columns, keys, references and per-table fix-ups.

The legacy schema is in `saintsxctf/tests/data/legacy/test-db-init.sql` (a copy of the original's). Column names
are the same on both sides almost everywhere (our models keep the legacy `db_column`s); the exceptions are listed
in `renames`. Lookup tables whose values are our field choices (`metrics`, `status`, `weekstart`, `admins`) and
tables the contract does not use (`events`, `messages`) are not imported.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models

from comments.models import Comment
from groups.models import Group, GroupMember
from logs.models import ExerciseType, Log, compute_miles, compute_pace
from notifications.models import Notification
from teams.models import Team, TeamGroup, TeamMember
from users.models import ActivationCode, Flair, ForgotPasswordCode, User

AUDIT_COLUMNS = (
    "created_date", "created_user", "created_app", "modified_date", "modified_user", "modified_app",
    "deleted_date", "deleted_user", "deleted_app",
)
NOT_IMPORTED = ("metrics", "status", "weekstart", "admins", "events", "messages")


def _fix_log(values: dict) -> str | None:
    """Keep the runner's recorded miles and pace; derive them only where the legacy row has none."""
    if values["miles"] is None:
        values["miles"] = compute_miles(values["distance"], values["metric"])
    if values["pace"] is None:
        values["pace"] = compute_pace(values["miles"], values["time"])
    return None


@dataclass(frozen=True)
class TableMap:
    """One legacy table → one model.

    `key`: the legacy column that identifies a row and orders keyset pagination (None: the table has no
    key, so it is streamed through a server-side cursor). `natural_key`: our attribute names that identify
    an imported row (existence checks make reruns add nothing). `renames`: our attname → legacy column where
    they differ. `references`: our attname → (model, field) that must exist before the row can go in.
    `fix`: per-row adjustment that may reject the row by returning a reason. `sql_ready`: where a table has a
    `fix`, the SQL condition (on the legacy row aliased `s`) of the rows the fix leaves as they are; only those
    are copied in SQL, the others go through `fix` row by row (see importer.py). `copy_order`: the legacy column
    the SQL copy writes rows in, when not `key`: a reference to a big table (comments → logs), so that the
    reference checks walk that table's index in order instead of at random.
    """

    table: str
    model: type[models.Model]
    key: str | None
    natural_key: tuple[str, ...]
    renames: dict[str, str] = field(default_factory=dict)
    references: dict[str, tuple[type[models.Model], str]] = field(default_factory=dict)
    skip: tuple[str, ...] = ()
    fix: Callable[[dict], str | None] | None = None
    sql_ready: str | None = None
    copy_order: str | None = None

    def fields(self) -> list[models.Field]:
        """Our concrete fields that come from the legacy table (not those the database computes)."""
        return [f for f in self.model._meta.concrete_fields if f.attname not in self.skip and not f.generated]

    def column_for(self, f: models.Field) -> str:
        return self.renames.get(f.attname, f.column)


_USER_ONLY = ("is_staff", "is_superuser")

# In dependency order: every table's references are imported before it.
TABLES: list[TableMap] = [
    TableMap("types", ExerciseType, key="type", natural_key=("type",)),
    TableMap("users", User, key="username", natural_key=("username",), skip=_USER_ONLY),
    TableMap("teams", Team, key="name", natural_key=("name",)),
    TableMap("groups", Group, key="id", natural_key=("id",)),
    TableMap("teammembers", TeamMember, key=None, natural_key=("team_id", "user_id"), skip=("id",),
             references={"team_id": (Team, "name"), "user_id": (User, "username")}),
    TableMap("teamgroups", TeamGroup, key=None, natural_key=("team_id", "group_id"), skip=("id",),
             references={"team_id": (Team, "name"), "group_id": (Group, "id")}),
    TableMap("groupmembers", GroupMember, key="id", natural_key=("id",),
             references={"group_id": (Group, "id"), "user_id": (User, "username")}),
    TableMap("codes", ActivationCode, key="activation_code", natural_key=("activation_code",),
             references={"group_id": (Group, "id")}),
    TableMap("forgotpassword", ForgotPasswordCode, key="forgot_code", natural_key=("forgot_code",),
             references={"user_id": (User, "username")}),
    TableMap("flair", Flair, key="flair_id", natural_key=("flair_id",), references={"user_id": (User, "username")}),
    TableMap("logs", Log, key="log_id", natural_key=("log_id",),
             references={"user_id": (User, "username"), "type_id": (ExerciseType, "type")}, fix=_fix_log,
             sql_ready="s.`miles` IS NOT NULL AND s.`pace` IS NOT NULL"),
    TableMap("comments", Comment, key="comment_id", natural_key=("comment_id",),
             references={"user_id": (User, "username"), "log_id": (Log, "log_id")}, copy_order="log_id"),
    TableMap("notifications", Notification, key="notification_id", natural_key=("notification_id",),
             references={"user_id": (User, "username")}),
]
