"""The auth service's endpoints, hosted by this API, speaking the legacy bodies."""

from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from saintsxctf.auth.serializers import (
    AuthenticateRequestSerializer,
    AuthenticateResultSerializer,
    TokenRequestSerializer,
    TokenResultSerializer,
)
from saintsxctf.auth.tokens import issue_access_token, token_user
from users.models import User


class PublicView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]


class TokenView(PublicView):
    """Exchange a username (or email) and password for a JWT."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=TokenRequestSerializer, responses=TokenResultSerializer, tags=["Auth"])
    def post(self, request):
        """Issue a token: `{"result": "<jwt>"}`; `{"result": null}` for an unknown user, false for a wrong password."""
        body = TokenRequestSerializer(data=request.data)
        if not body.is_valid():
            return Response({"result": False})
        client_id = body.validated_data["clientId"]
        user = User.objects.filter(Q(username=client_id) | Q(email=client_id)).order_by("pk").first()
        if user is None:
            return Response({"result": None})
        if not user.check_password(body.validated_data["clientSecret"]):
            return Response({"result": False})
        return Response({"result": issue_access_token(user)})


class AuthenticateView(PublicView):
    """Check whether a JWT is valid."""

    @extend_schema(request=AuthenticateRequestSerializer, responses=AuthenticateResultSerializer, tags=["Auth"])
    def post(self, request):
        """`{"result": true}` when the token is valid and its user exists, else `{"result": false}`."""
        body = AuthenticateRequestSerializer(data=request.data)
        valid = body.is_valid() and token_user(body.validated_data["token"]) is not None
        return Response({"result": valid})
