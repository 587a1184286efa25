"""Issuing, checking and revoking tokens (simplejwt), shared by the auth endpoints, the users app and the tests.

Every token carries two claims of ours besides the legacy ones (`sub`, `email`, `name`):

- `pwd`: a keyed fingerprint of the user's password hash. Changing the password changes the hash, so every
  token issued before the change stops verifying. `BearerTokenAuthentication` checks it against the user row it
  loads anyway: no extra query per request.
- `sid`: the login session. It is set when a user signs in and carried through refresh rotation, so logging
  out (or `revoke_user_tokens`) can revoke the access tokens of a session as well as its refresh token: the
  revoked session ids live in the database (`saintsxctf.foundation.models.RevokedSession`, never a cache that an eviction,
  a flush or an outage could empty) until every token of theirs has expired. Authentication reads the revocation
  in the same query that loads the token's user (`live_user`), so it costs no extra query.

Lifetimes (settings, from the environment): `SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"]` for access tokens minted
by `/auth/token/refresh` and `/auth/token/pair`; `JWT_LEGACY_ACCESS_LIFETIME` for the `result` token of
`POST /auth/token`, which old clients use until it expires because they never refresh.
"""

import base64
import json
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Exists
from django.utils.crypto import constant_time_compare, salted_hmac
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken, Token, UntypedToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from saintsxctf.foundation.models import RevokedSession
from saintsxctf.foundation.prepared import PreparedQuery

logger = logging.getLogger("saintsxctf.auth")

PASSWORD_CLAIM = "pwd"
SESSION_CLAIM = "sid"
REFRESH_REUSE_GRACE = timedelta(seconds=10)


def password_fingerprint(user: AbstractBaseUser) -> str:
    """A keyed digest of the user's password hash: it changes with the password and reveals nothing of it."""
    return salted_hmac("saintsxctf.auth.tokens.password", user.password or "", algorithm="sha256").hexdigest()[:32]


def issue_refresh_token(user: AbstractBaseUser) -> RefreshToken:
    """A new login session: a refresh token (recorded as outstanding) whose access tokens carry our claims."""
    refresh = RefreshToken()
    refresh[api_settings.USER_ID_CLAIM] = getattr(user, api_settings.USER_ID_FIELD)
    refresh["email"] = user.email
    refresh["name"] = user.get_full_name()
    refresh[PASSWORD_CLAIM] = password_fingerprint(user)
    refresh[SESSION_CLAIM] = uuid.uuid4().hex
    OutstandingToken.objects.create(
        user=user, jti=refresh[api_settings.JTI_CLAIM], token=str(refresh), created_at=refresh.current_time,
        expires_at=datetime_from_epoch(refresh["exp"]),
    )
    return refresh


def legacy_access_token(refresh: RefreshToken) -> AccessToken:
    """The access token of `refresh` with the legacy lifetime (`POST /auth/token`'s `result`)."""
    access = refresh.access_token
    access.set_exp(from_time=refresh.current_time, lifetime=settings.JWT_LEGACY_ACCESS_LIFETIME)
    return access


def issue_access_token(user: AbstractBaseUser) -> str:
    """A signed access token for `user`, as `POST /auth/token` gives it (a new session)."""
    return str(legacy_access_token(issue_refresh_token(user)))


# The token's user and whether the token's session was logged out, in one query (compiled once: every
# authenticated request runs it).
LIVE_USER = PreparedQuery(
    lambda user_id, sid: get_user_model()._default_manager.filter(**{api_settings.USER_ID_FIELD: user_id}).annotate(
        session_revoked=Exists(RevokedSession.objects.filter(sid=sid))),
    params=2,
)


def live_user(user_id, sid) -> AbstractBaseUser | None:
    """The user `user_id` names, with `session_revoked` set for session `sid`, or None."""
    # Always the primary: a logout or a password change takes effect at once, whatever a replica's lag.
    return LIVE_USER.first(str(user_id), str(sid or ""), using=DEFAULT_DB_ALIAS)


def revocation_lifetime() -> timedelta:
    """How long a revoked session is remembered: the longest any token of the session can still live."""
    return max(api_settings.REFRESH_TOKEN_LIFETIME, api_settings.ACCESS_TOKEN_LIFETIME,
               settings.JWT_LEGACY_ACCESS_LIFETIME) + timedelta(minutes=1)


def purge_expired_revocations(now=None) -> int:
    """Forget revoked sessions whose every token has expired. Returns how many were removed."""
    now = now or RefreshToken().current_time
    deleted, _ = RevokedSession.objects.filter(expires_at__lt=now).delete()
    return deleted


def _revoke_sessions(sids) -> None:
    """Mark sessions revoked (in the database, in the caller's transaction) until every token they could still
    hold has expired; forget the revocations that outlived their tokens."""
    sids = {sid for sid in sids if sid}
    if not sids:
        return
    now = RefreshToken().current_time
    expires_at = now + revocation_lifetime()
    with transaction.atomic():
        RevokedSession.objects.filter(sid__in=sids).delete()  # a session revoked again: its newest expiry
        RevokedSession.objects.bulk_create([RevokedSession(sid=sid, expires_at=expires_at) for sid in sids],
                                           ignore_conflicts=True)
        purge_expired_revocations(now)


def session_revoked(sid: str | None) -> bool:
    """True when session `sid` was logged out (or the token names none)."""
    return not sid or RevokedSession.objects.filter(sid=sid).exists()


def token_is_live(token: Token, user: AbstractBaseUser) -> bool:
    """True when `token` (already verified: signature, expiry, type) still speaks for `user`. A user from
    `live_user` carries its session's revocation; for any other, the revocation is read here (one query)."""
    if not constant_time_compare(str(token.get(PASSWORD_CLAIM, "")), password_fingerprint(user)):
        return False
    sid = token.get(SESSION_CLAIM)
    if not sid:
        return False
    revoked = getattr(user, "session_revoked", None)
    return not (session_revoked(sid) if revoked is None else revoked)


def token_user(raw_token: str) -> AbstractBaseUser | None:
    """The live user a valid, unrevoked access token belongs to, or None."""
    try:
        token = AccessToken(raw_token)
    except (TokenError, TypeError, ValueError):
        return None
    user = live_user(token.get(api_settings.USER_ID_CLAIM), token.get(SESSION_CLAIM))
    return user if user is not None and token_is_live(token, user) else None


def logout(raw_token: str) -> bool:
    """Revoke the session of a refresh or access token of ours: its refresh token is blacklisted and every
    access token of the session stops working. False when the token is not one of ours (bad signature,
    expired, malformed)."""
    try:
        token = UntypedToken(raw_token)  # signature and expiry; a blacklisted refresh token is fine here
    except (TokenError, TypeError, ValueError):
        return False
    if token.get(api_settings.TOKEN_TYPE_CLAIM) not in ("access", "refresh"):
        return False
    if token.get(api_settings.TOKEN_TYPE_CLAIM) == "refresh":
        outstanding, _ = OutstandingToken.objects.get_or_create(
            jti=token[api_settings.JTI_CLAIM],
            defaults={"token": raw_token, "created_at": token.current_time,
                      "expires_at": datetime_from_epoch(token["exp"]),
                      "user": get_user_model()._default_manager.filter(username=token.get(api_settings.USER_ID_CLAIM)).first()},
        )
        BlacklistedToken.objects.get_or_create(token=outstanding)
    _revoke_sessions([token.get(SESSION_CLAIM)])
    return True


def rotate_refresh_token(raw_token: str) -> tuple[AccessToken, RefreshToken]:
    """Exchange a refresh token for a new access token and a new refresh token of the same session.

    The presented refresh token is blacklisted; each can be used once. Presenting one that was already used
    means two parties hold it (a stolen copy): the whole session is revoked. Raises TokenError when refused.
    """
    token = UntypedToken(raw_token)  # signature and expiry, blacklisted or not
    if token.get(api_settings.TOKEN_TYPE_CLAIM) != RefreshToken.token_type:
        raise TokenError("Token has wrong type")
    user = live_user(token.get(api_settings.USER_ID_CLAIM), token.get(SESSION_CLAIM))
    if user is None or not token_is_live(token, user):
        raise TokenError("Token has been revoked")
    outstanding, _ = OutstandingToken.objects.get_or_create(
        jti=token[api_settings.JTI_CLAIM],
        defaults={"user": user, "token": raw_token, "created_at": token.current_time,
                  "expires_at": datetime_from_epoch(token["exp"])},
    )
    spent, first_use = BlacklistedToken.objects.get_or_create(token=outstanding)
    if not first_use:
        # A used refresh token came back. Within a few seconds that is one client racing itself (two tabs
        # refreshing at once): refuse it only. Later it is a copy in someone else's hands: end the session.
        if token.current_time - spent.blacklisted_at > REFRESH_REUSE_GRACE:
            _revoke_sessions([token.get(SESSION_CLAIM)])
        raise TokenError("Token is blacklisted")
    refresh = RefreshToken(raw_token, verify=False)  # verified above
    refresh.set_jti()
    refresh.set_exp()
    refresh.set_iat()
    OutstandingToken.objects.create(
        user=user, jti=refresh[api_settings.JTI_CLAIM], token=str(refresh), created_at=refresh.current_time,
        expires_at=datetime_from_epoch(refresh["exp"]),
    )
    return refresh.access_token, refresh


def _unverified_claim(raw_token: str, claim: str):
    """A claim of a token we issued and stored ourselves (no signature check needed: it came from our DB)."""
    try:
        payload = raw_token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))).get(claim)
    except (IndexError, ValueError, AttributeError):
        return None


@transaction.atomic
def revoke_user_tokens(user: AbstractBaseUser) -> int:
    """Revoke every outstanding token of `user`: refresh tokens are blacklisted and the access tokens of
    their sessions stop working. Call it after a password change or reset (a changed password alone already
    invalidates every older token through the `pwd` claim) or to sign a user out everywhere.
    Returns how many refresh tokens were newly blacklisted."""
    outstanding = list(
        OutstandingToken.objects.filter(user=user, expires_at__gt=RefreshToken().current_time,
                                        blacklistedtoken__isnull=True).only("id", "token")
    )
    BlacklistedToken.objects.bulk_create([BlacklistedToken(token=token) for token in outstanding],
                                         ignore_conflicts=True)
    _revoke_sessions(_unverified_claim(token.token, SESSION_CLAIM) for token in outstanding)
    return len(outstanding)
