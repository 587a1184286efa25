"""The read serializers that build their fields once per class render exactly what DRF's own loop renders."""

import pytest
from rest_framework import serializers

from comments.tests.factories import CommentFactory
from groups.queries import group_members
from groups.serializers import GroupMemberListSerializer
from groups.tests.factories import GroupMemberFactory
from logs.models import Log
from logs.queries import with_comments
from logs.serializers import FeedLogSerializer, LogWithCommentsSerializer
from saintsxctf.foundation.api.serializers import FrozenFieldsMixin, ReadSerializer
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
    [log] = with_comments([Log.objects.get(pk=comment.log_id)])
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


class Odd:
    """An object whose attributes take every path DRF's get_attribute knows."""

    name = "odd"
    nothing = None
    related = {"first": "Ann", "nested": {"n": 3}}

    def method(self):
        return "called"

    @property
    def broken(self):
        raise AttributeError("not here")


class OddSerializer(ReadSerializer):
    name = serializers.CharField()
    method = serializers.CharField()  # a callable: DRF calls it
    through_none = serializers.CharField(source="nothing.first", allow_null=True)  # None midway: DRF answers None
    missing = serializers.CharField(required=False)  # missing and not required: left out
    with_default = serializers.CharField(source="broken", default="fallback")  # an AttributeError: the default
    first = serializers.CharField(source="related.first")  # dict keys
    n = serializers.IntegerField(source="related.nested.n")
    itself = serializers.SerializerMethodField()

    def get_itself(self, obj):
        return type(obj).__name__


def test_every_attribute_path_renders_as_drf_renders_it():
    rendered = OddSerializer(Odd()).data
    assert rendered == drf_representation(OddSerializer, Odd())
    assert rendered == {"name": "odd", "method": "called", "through_none": None, "with_default": "fallback",
                        "first": "Ann", "n": 3, "itself": "Odd"}


def test_group_members_rows_render_as_drf_renders_them():
    member = GroupMemberFactory()
    GroupMemberFactory(group=member.group, status="pending")
    rows = group_members(group_id=member.group_id)
    assert len(rows) == 2
    assert GroupMemberListSerializer(rows, many=True).data == [
        drf_representation(GroupMemberListSerializer, row) for row in rows]
