"""Issuing and checking tokens (simplejwt), shared by the legacy auth endpoints and the tests."""

from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from users.models import User


def issue_refresh_token(user: User) -> RefreshToken:
    """A refresh token whose access token carries the claims the legacy auth service put in its tokens."""
    refresh = RefreshToken.for_user(user)
    refresh["email"] = user.email
    refresh["name"] = user.get_full_name()
    return refresh


def issue_access_token(user: User) -> str:
    """A signed access token for `user`."""
    return str(issue_refresh_token(user).access_token)


def token_user(raw_token: str) -> User | None:
    """The live user a valid access token belongs to, or None."""
    try:
        token = AccessToken(raw_token)
    except (TokenError, TypeError, ValueError):
        return None
    return User.objects.filter(username=token.get("sub")).first()
