from rest_framework import serializers

from saintsxctf.api.fields import HttpDateField
from users.models import User


class UserSerializer(serializers.ModelSerializer):
    """A user as the contract shows one; never the password or salt (deviations.md 1)."""

    last_signin = HttpDateField(source="last_login")
    member_since = serializers.DateField(read_only=True)

    class Meta:
        model = User
        fields = [
            "activation_code", "class_year", "deleted", "description", "email", "favorite_event", "first",
            "last", "last_signin", "location", "member_since", "profilepic_name", "subscribed", "username",
            "week_start",
        ]
        read_only_fields = fields
