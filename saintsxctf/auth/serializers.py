from rest_framework import serializers


class TokenRequestSerializer(serializers.Serializer):
    clientId = serializers.CharField(help_text="Username or email")  # noqa: N815 (legacy body)
    clientSecret = serializers.CharField(help_text="Password", trim_whitespace=False)  # noqa: N815


class TokenResultSerializer(serializers.Serializer):
    result = serializers.CharField(allow_null=True, help_text="The JWT, or false/null when refused")


class AuthenticateRequestSerializer(serializers.Serializer):
    token = serializers.CharField()


class AuthenticateResultSerializer(serializers.Serializer):
    result = serializers.BooleanField()
