"""Bearer JWT authentication for /v2 (simplejwt, verified locally: no network call per request)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from saintsxctf.auth.tokens import token_is_live


class BearerTokenAuthentication(JWTAuthentication):
    """`Authorization: Bearer <jwt>`.

    A bad header does not raise here. Endpoints that need a token refuse an anonymous caller, and the
    exception handler tells the two cases apart as the contract does: no header 401, a bad one 403.
    Endpoints that need no token (signup, forgot password, links) ignore a bad header.

    A token is refused once its user's password changed (the `pwd` claim, checked against the user row that
    is loaded anyway) or its session was logged out (one shared-cache read); see saintsxctf/auth/tokens.py.
    """

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except (InvalidToken, TokenError, AuthenticationFailed):
            return None

    def get_user(self, validated_token):
        user = super().get_user(validated_token)
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
