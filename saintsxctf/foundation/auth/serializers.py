from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import UntypedToken

from saintsxctf.foundation.auth.tokens import (
    SESSION_CLAIM,
    issue_refresh_token,
    live_user,
    rotate_refresh_token,
    token_is_live,
)


class TokenRequestSerializer(serializers.Serializer):
    clientId = serializers.CharField(help_text="Username or email")  # noqa: N815 (legacy body)
    clientSecret = serializers.CharField(help_text="Password", trim_whitespace=False)  # noqa: N815


@extend_schema_field({"type": "string"})
class JwtOrRefusalField(serializers.Field):
    """The legacy `result`: a JWT, or the empty string when the name or password is refused."""

    def to_representation(self, value):
        return value


class TokenResultSerializer(serializers.Serializer):
    result = JwtOrRefusalField(help_text="The JWT; an empty string when the name or password is refused")
    refresh = serializers.CharField(required=False, help_text="A refresh token for /auth/token/refresh "
                                    "(only with a JWT; clients that never refresh ignore it)")


class AuthenticateRequestSerializer(serializers.Serializer):
    token = serializers.CharField()


class AuthenticateResultSerializer(serializers.Serializer):
    result = serializers.BooleanField()


class LogoutRequestSerializer(serializers.Serializer):
    refresh = serializers.CharField(required=False, help_text="The session's refresh token")
    token = serializers.CharField(required=False, help_text="Or an access token of the session (legacy clients)")


class TokenPairSerializer(serializers.Serializer):
    """Username + password → a new session's refresh token and a short-lived access token."""

    username = serializers.CharField(write_only=True)
    password = serializers.CharField(write_only=True, trim_whitespace=False)
    access = serializers.CharField(read_only=True)
    refresh = serializers.CharField(read_only=True)

    def validate(self, attrs):
        user = authenticate(self.context.get("request"), username=attrs["username"], password=attrs["password"])
        if user is None:
            raise exceptions.AuthenticationFailed("No active account found with the given credentials")
        refresh = issue_refresh_token(user)
        return {"refresh": str(refresh), "access": str(refresh.access_token)}


class TokenRefreshSerializer(serializers.Serializer):
    """A refresh token → a new access token and a new refresh token (rotation; the old one is spent)."""

    refresh = serializers.CharField()
    access = serializers.CharField(read_only=True)

    def validate(self, attrs):
        access, refresh = rotate_refresh_token(attrs["refresh"])
        return {"access": str(access), "refresh": str(refresh)}


class TokenVerifySerializer(serializers.Serializer):
    """Any token of ours → 200 when it is valid and not revoked."""

    token = serializers.CharField(write_only=True)

    def validate(self, attrs):
        token = UntypedToken(attrs["token"])
        jti = token.get(api_settings.JTI_CLAIM)
        if BlacklistedToken.objects.filter(token__jti=jti).exists():
            raise TokenError("Token is blacklisted")
        user = live_user(token.get(api_settings.USER_ID_CLAIM), token.get(SESSION_CLAIM))
        if user is None or not token_is_live(token, user):
            raise TokenError("Token has been revoked")
        return {}
