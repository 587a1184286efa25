"""The bodies the /fn functions take (the original's API Gateway mapping templates picked these keys) and answer."""

from rest_framework import serializers

from saintsxctf.foundation.api.parameters import MAX_ID


class WelcomeEmailSerializer(serializers.Serializer):
    """`to` (web) or `email` (iOS) names the new runner's address; the names are the original's, unused here."""

    to = serializers.CharField(required=False, max_length=254)
    email = serializers.CharField(required=False, max_length=254)
    firstName = serializers.CharField(required=False, allow_blank=True, max_length=100)
    lastName = serializers.CharField(required=False, allow_blank=True, max_length=100)
    username = serializers.CharField(required=False, allow_blank=True, max_length=100)

    def validate(self, attrs):
        if not (attrs.get("to") or attrs.get("email")):
            raise serializers.ValidationError("'to' (or 'email') is a required field")
        return attrs


class ActivationCodeEmailSerializer(serializers.Serializer):
    """The invited address and the code the API created (and mailed) for it."""

    email = serializers.CharField(max_length=254)
    code = serializers.CharField(max_length=20)


class ReportEmailSerializer(serializers.Serializer):
    """A runner's report to the site's administrator (iOS)."""

    firstName = serializers.CharField(required=False, allow_blank=True, max_length=100)
    lastName = serializers.CharField(required=False, allow_blank=True, max_length=100)
    report = serializers.CharField(max_length=10_000)


class UserUploadUrlSerializer(serializers.Serializer):
    """Whose profile picture (the caller's own) and its Content-Type."""

    username = serializers.CharField(max_length=100)
    contentType = serializers.CharField(max_length=100)


class GroupUploadUrlSerializer(serializers.Serializer):
    """Which group's picture (one the caller administers) and its Content-Type."""

    groupId = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    contentType = serializers.CharField(max_length=100)
