"""The read serializers that build their fields once per class render exactly what DRF's own loop renders."""

import pytest
from rest_framework import serializers

from comments.tests.factories import CommentFactory
from logs.models import Log
from logs.serializers import FeedLogSerializer, LogWithCommentsSerializer
from saintsxctf.api.serializers import FrozenFieldsMixin, ReadSerializer
from users.serializers import UserListSerializer, UserSerializer
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def drf_representation(serializer_class, instance):
    """What `Serializer.to_representation` gives with fields built for this one instance."""
    return serializers.Serializer.to_representation(serializer_class(), instance)


@pytest.mark.parametrize("serializer_class", [UserSerializer, UserListSerializer])
def test_user_serializers_match_drf(serializer_class):
    user = UserFactory()
    assert serializer_class(user).data == drf_representation(serializer_class, user)


@pytest.mark.parametrize("serializer_class", [LogWithCommentsSerializer, FeedLogSerializer])
def test_log_serializers_with_nested_comments_match_drf(serializer_class):
    comment = CommentFactory()
    CommentFactory(log=comment.log)
    log = Log.objects.with_comments().get(pk=comment.log_id)
    rendered = serializer_class([log], many=True).data
    assert rendered == [drf_representation(serializer_class, log)]
    assert len(rendered[0]["comments"]) == 2


def test_fields_are_built_once_per_class():
    user = UserFactory()
    assert UserSerializer(user).data
    fields = UserSerializer.readable_fields()
    assert UserSerializer(user).data and UserSerializer.readable_fields() is fields
    # A subclass builds its own.
    assert UserListSerializer.readable_fields() is not fields


def test_hyperlinked_fields_are_refused():
    class Linked(FrozenFieldsMixin, serializers.Serializer):
        url = serializers.HyperlinkedIdentityField(view_name="users:user-detail")

    with pytest.raises(TypeError):
        Linked.readable_fields()
    assert issubclass(ReadSerializer, FrozenFieldsMixin)
