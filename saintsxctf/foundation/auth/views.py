"""The auth service's endpoints, hosted by this API, speaking the legacy bodies."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView

from saintsxctf.foundation.api.schema import FrameworkErrorSerializer as ErrorBody
from saintsxctf.foundation.api.throttles import TOKEN_PAIR_THROTTLES, TOKEN_THROTTLES
from saintsxctf.foundation.auth.accounts import user_find
from saintsxctf.foundation.auth.serializers import (
    AuthenticateRequestSerializer,
    AuthenticateResultSerializer,
    LogoutRequestSerializer,
    TokenRequestSerializer,
    TokenResultSerializer,
)
from saintsxctf.foundation.auth.tokens import issue_refresh_token, legacy_access_token, logout, token_user


class PublicView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]


class TokenView(PublicView):
    """Exchange a username (or email) and password for a JWT."""

    throttle_classes = TOKEN_THROTTLES

    @extend_schema(request=TokenRequestSerializer,
                   responses={200: TokenResultSerializer, 400: ErrorBody, 429: ErrorBody})
    def post(self, request):
        """Issue a token: `{"result": "<jwt>", "refresh": "<refresh jwt>"}`; `{"result": ""}` when refused.
        Old clients read `result` only; new ones refresh with `refresh`."""
        # A refusal is the original auth service's empty string: the iOS app maps `result` as a String and
        # crashes on false or null; the web client shows "Invalid username and password" (other-clients.md 5.1).
        refused = Response({"result": ""})
        body = TokenRequestSerializer(data=request.data)
        if not body.is_valid():
            return refused
        client_id, secret = body.validated_data["clientId"], body.validated_data["clientSecret"]
        # The runner whose username this is, else whose email (the lookup every endpoint uses): never the lowest
        # id of several, so nobody can take a name by setting it as their email (security probe F6).
        user = user_find(client_id)
        if user is None:
            # The same work as a known user's check, so the answer's timing does not tell who exists.
            get_user_model()().set_password(secret)
            return refused
        if not user.check_password(secret):
            return refused
        refresh = issue_refresh_token(user)
        return Response({"result": str(legacy_access_token(refresh)), "refresh": str(refresh)})


class AuthenticateView(PublicView):
    """Check whether a JWT is valid."""

    @extend_schema(request=AuthenticateRequestSerializer, responses=AuthenticateResultSerializer)
    def post(self, request):
        """`{"result": true}` when the token is valid and its user exists, else `{"result": false}`."""
        body = AuthenticateRequestSerializer(data=request.data)
        valid = body.is_valid() and token_user(body.validated_data["token"]) is not None
        return Response({"result": valid})


class LogoutView(PublicView):
    """Log out: revoke a session (its refresh token and every access token it issued)."""

    @extend_schema(request=LogoutRequestSerializer, responses=AuthenticateResultSerializer)
    def post(self, request):
        """`{"refresh": "<jwt>"}` (or `{"token": "<access jwt>"}`, or only the bearer header) → `{"result": true}`
        when a session was revoked, `{"result": false}` when the token is not a valid one of ours."""
        body = LogoutRequestSerializer(data=request.data if isinstance(request.data, dict) else {})
        body.is_valid()
        raw = body.validated_data.get("refresh") or body.validated_data.get("token")
        if not raw:
            scheme, _, credentials = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
            raw = credentials.strip() if scheme == "Bearer" else ""
        return Response({"result": bool(raw) and logout(raw)})


class ThrottledTokenPairView(TokenObtainPairView):
    """Exchange a username and password for an access token and a refresh token (new clients)."""

    throttle_classes = TOKEN_PAIR_THROTTLES
