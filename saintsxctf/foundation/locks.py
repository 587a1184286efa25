"""User-row locks: the one function that serializes writes per runner.

Two kinds of write take a runner's user row as their lock until their transaction ends:
- every log write, for each author it touches (logs/summaries.py): without it, two first logs of a day both
  find no summary row and both insert one (a duplicate key), or one sums without the other's log;
- every change of a runner's team or group memberships (groups/services.py, users/services.py): two of them
  (a runner joining a group twice at once, an admin accepting while the runner leaves) run one after the
  other, and the second reads what the first committed (READ COMMITTED).

Both go through `lock_users()`, which takes the rows in one order (sorted usernames, one statement), so two
writes that lock several runners cannot each hold one the other waits for. Lock the users before writing any
row that points at them: an insert (or an update of an indexed column) share-locks the user row for its foreign
key check, and two writers holding that share lock would deadlock when both then ask for the exclusive one.

The user model is reached through `get_user_model()`: this module belongs to the project's ground floor and
imports no app.
"""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS

from saintsxctf.foundation.prepared import PreparedQuery

# The common case, one runner, compiled once (saintsxctf/foundation/prepared.py): built through the ORM it took longer than
# the database took to answer it, on every log write.
LOCK_ONE_USER = PreparedQuery(
    lambda username: get_user_model()._base_manager.select_for_update().filter(username=username).values("pk"), 1)


def lock_users(usernames: Iterable[str], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Lock the user rows of `usernames` (soft-deleted users included) until the transaction ends, in sorted
    order. Call it inside the write's transaction, before the write."""
    names = sorted(set(usernames))
    if len(names) == 1:
        LOCK_ONE_USER.rows(names[0], using=using)
    elif names:
        list(get_user_model()._base_manager.using(using).select_for_update().filter(username__in=names)
             .order_by("username").values_list("pk", flat=True))
