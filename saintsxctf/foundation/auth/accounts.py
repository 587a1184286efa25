"""The account a name or an email names: the one lookup sign-in, the throttles and every `/<username>` path use.

It speaks to the user model through `get_user_model()` (the model `AUTH_USER_MODEL` names, the users app's),
so the ground wing knows which account a request means without importing the users app.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from saintsxctf.foundation.prepared import PreparedQuery


def _find_queryset(identifier) -> QuerySet:
    user_model = get_user_model()
    username, email = user_model.USERNAME_FIELD, user_model.get_email_field_name()
    return (
        user_model._default_manager.filter(Q(**{username: identifier}) | Q(**{email: identifier}))
        .order_by(Case(When(**{username: identifier}, then=Value(0)), default=Value(1), output_field=IntegerField()),
                  username)[:1]
    )


# Every read of a user by the path's username runs this: compiled once (saintsxctf/foundation/prepared.py).
USER_FIND = PreparedQuery(_find_queryset, params=1)


def user_find(identifier: str) -> AbstractBaseUser | None:
    """The live user whose username is `identifier`, else the one whose email is (one query). Never the lowest
    id of several: nobody can take a name by setting it as their email (security probe F6)."""
    return USER_FIND.first(str(identifier))
