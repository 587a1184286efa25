"""The auth service's endpoints, hosted by this API, speaking the legacy bodies."""

from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView

from saintsxctf.api.throttles import TOKEN_THROTTLES
from saintsxctf.auth.serializers import (
    AuthenticateRequestSerializer,
    AuthenticateResultSerializer,
    LogoutRequestSerializer,
    TokenRequestSerializer,
    TokenResultSerializer,
)
from saintsxctf.auth.tokens import issue_refresh_token, legacy_access_token, logout, token_user
from saintsxctf.views import ErrorBody
from users.models import User


class PublicView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]


class TokenView(PublicView):
    """Exchange a username (or email) and password for a JWT."""

    throttle_classes = TOKEN_THROTTLES

    @extend_schema(request=TokenRequestSerializer, tags=["Auth"],
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
        client_id = body.validated_data["clientId"]
        user = User.objects.filter(Q(username=client_id) | Q(email=client_id)).order_by("pk").first()
        if user is None or not user.check_password(body.validated_data["clientSecret"]):
            return refused
        refresh = issue_refresh_token(user)
        return Response({"result": str(legacy_access_token(refresh)), "refresh": str(refresh)})


class AuthenticateView(PublicView):
    """Check whether a JWT is valid."""

    @extend_schema(request=AuthenticateRequestSerializer, responses=AuthenticateResultSerializer, tags=["Auth"])
    def post(self, request):
        """`{"result": true}` when the token is valid and its user exists, else `{"result": false}`."""
        body = AuthenticateRequestSerializer(data=request.data)
        valid = body.is_valid() and token_user(body.validated_data["token"]) is not None
        return Response({"result": valid})


class LogoutView(PublicView):
    """Log out: revoke a session (its refresh token and every access token it issued)."""

    @extend_schema(request=LogoutRequestSerializer, responses=AuthenticateResultSerializer, tags=["Auth"])
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

    throttle_classes = TOKEN_THROTTLES
