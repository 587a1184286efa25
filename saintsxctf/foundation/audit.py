"""Who and what is writing right now, for the audit columns (set by middleware, commands and tests)."""

import contextvars
from contextlib import contextmanager

from django.conf import settings

_actor: contextvars.ContextVar = contextvars.ContextVar("audit_actor", default=None)
_app: contextvars.ContextVar = contextvars.ContextVar("audit_app", default=None)


def current_user() -> str | None:
    """Username to record in `*_user` columns: the authenticated caller, or an explicit actor."""
    actor = _actor.get()
    if actor is None:
        return None
    if isinstance(actor, str):
        return actor
    # A Django request: DRF sets `request.user` on it after authenticating, so read it late.
    user = getattr(actor, "user", None)
    if user is not None and user.is_authenticated:
        return user.get_username()
    return None


def current_app() -> str:
    """Application name to record in `*_app` columns."""
    return _app.get() or settings.AUDIT_APP_NAME


@contextmanager
def audit_context(*, actor=None, app: str | None = None):
    """Attribute writes inside the block to `actor` (a username or a request) and `app`."""
    actor_token = _actor.set(actor)
    app_token = _app.set(app)
    try:
        yield
    finally:
        _actor.reset(actor_token)
        _app.reset(app_token)
