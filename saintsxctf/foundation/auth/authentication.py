"""Bearer JWT authentication for /v2 (simplejwt, verified locally: no network call per request)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings

from saintsxctf.foundation.auth.tokens import SESSION_CLAIM, live_user, token_is_live


class BearerTokenAuthentication(JWTAuthentication):
    """`Authorization: Bearer <jwt>`.

    A bad header does not raise here. Endpoints that need a token refuse an anonymous caller, and the
    exception handler tells the two cases apart as the contract does: no header 401, a bad one 403.
    Endpoints that need no token (signup, forgot password, links) ignore a bad header.

    A token is refused once its user's password changed (the `pwd` claim, checked against the user row that
    is loaded anyway) or its session was logged out (read in the same query); see saintsxctf/foundation/auth/tokens.py.
    """

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except (InvalidToken, TokenError, AuthenticationFailed):
            return None

    def get_user(self, validated_token):
        """simplejwt's lookup (live users only; CHECK_REVOKE_TOKEN is off), through a prepared query."""
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as e:
            raise InvalidToken("Token contained no recognizable user identification") from e
        user = live_user(user_id, validated_token.get(SESSION_CLAIM))  # one query: the user and the revocation
        if user is None:
            raise AuthenticationFailed("User not found", code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed("User is inactive", code="user_inactive")
        if not token_is_live(validated_token, user):
            raise AuthenticationFailed("Token has been revoked", code="token_revoked")
        return user

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Documents BearerTokenAuthentication in the OpenAPI schema as an HTTP bearer JWT."""

    target_class = BearerTokenAuthentication
    name = "jwtAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
