"""Bearer JWT authentication for /v2 (simplejwt, verified locally: no network call per request)."""

from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError


class BearerTokenAuthentication(JWTAuthentication):
    """`Authorization: Bearer <jwt>`.

    A bad header does not raise here. Endpoints that need a token refuse an anonymous caller, and the
    exception handler tells the two cases apart as the contract does: no header 401, a bad one 403.
    Endpoints that need no token (signup, forgot password, links) ignore a bad header.
    """

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except (InvalidToken, TokenError, AuthenticationFailed):
            return None

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
