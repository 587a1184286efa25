from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field({"anyOf": [{"type": "string"}, {"type": "boolean"}], "nullable": True})
class TokenResultField(serializers.JSONField):
    """The legacy token result: the JWT, `false` for a wrong password or `null` for an unknown user."""


class TokenRequestSerializer(serializers.Serializer):
    clientId = serializers.CharField(help_text="Username or email")  # noqa: N815 (legacy body)
    clientSecret = serializers.CharField(help_text="Password", trim_whitespace=False)  # noqa: N815


class TokenResultSerializer(serializers.Serializer):
    result = TokenResultField(help_text="The JWT, or false/null when refused")


class AuthenticateRequestSerializer(serializers.Serializer):
    token = serializers.CharField()


class AuthenticateResultSerializer(serializers.Serializer):
    result = serializers.BooleanField()
