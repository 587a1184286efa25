"""Viewsets of comments on exercise logs."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated

from comments.models import Comment
from comments.serializers import (
    CommentCreateSerializer,
    CommentHttpTimeSerializer,
    CommentListSerializer,
    CommentSerializer,
    CommentUpdateSerializer,
)
from comments.services import comment_create, comment_delete, comment_soft_delete, comment_update
from saintsxctf.foundation.api.links import link
from saintsxctf.foundation.api.permissions import IsOwnerOrReadOnly
from saintsxctf.foundation.api.schema import envelope_schema
from saintsxctf.foundation.api.viewsets import ContractModelViewSet

COMMENT_REQUIRED = ("username", "first", "last", "log_id")


class CommentViewSet(ContractModelViewSet):
    """Comments on exercise logs. Any runner reads them; only the author changes or deletes one."""

    key, plural = "comment", "comments"
    page_ordering = ("-time", "-comment_id")  # newest first, one page at a time (ListMixin)
    queryset = Comment.objects.order_by("time", "comment_id")
    serializer_class = CommentHttpTimeSerializer
    permission_classes = [IsAuthenticated, IsOwnerOrReadOnly]
    lookup_url_kwarg = "comment_id"
    body_owner_field, required_fields = "username", COMMENT_REQUIRED  # checked in validated(), as the original did
    messages = {
        "retrieve.not_found": "there is no comment with this identifier",
        "create.forbidden": "User {user} is not authorized to create a comment for user {username}.",
        "create.required": "'username', 'first', 'last', and 'log_id' are required fields",
        "create.invalid": "failed to create a new comment",
        "update.not_found": "there is no existing comment with this id",
        "update.forbidden": "User {user} is not authorized to update a comment with id {obj.comment_id}.",
        "update.invalid": "the comment failed to update",
        "update.same": "the comment submitted is equal to the existing comment with the same id",
        "destroy.not_found": "there is no existing comment with this id",
        "destroy.forbidden": "User {user} is not authorized to delete a comment with id {obj.comment_id}.",
        "soft_destroy.not_found": "there is no existing comment with this id",
        "soft_destroy.forbidden": "User {user} is not authorized to soft delete a comment with id {obj.comment_id}.",
    }
    descriptions = {
        "list": "Get all the comments in the database.",
        "create": "Create a new comment.",
        "update": "Update a comment with a given unique id.",
        "destroy": "Delete a single comment with a given unique id.",
        "soft_destroy": "Soft delete a single comment with a given unique id.",
    }

    def get_serializer_class(self):
        return CommentListSerializer if self.action == "list" else CommentHttpTimeSerializer

    @property
    def write_serializer_class(self):
        return CommentUpdateSerializer if self.action == "update" else CommentCreateSerializer

    def error_fields(self) -> dict:
        if self.action == "retrieve":
            return {"comment": None, "log": None}
        return super().error_fields()

    def perform_create(self, data: dict):
        # `username` was checked to be the caller's own in validated(). `data` stays as it is: a deadlocked
        # write runs this again (atomic_write).
        return comment_create(author=self.request.user, **{k: v for k, v in data.items() if k != "username"})

    @extend_schema(responses=envelope_schema("CommentWithLog", comment=CommentSerializer(), log=serializers.CharField()))
    def retrieve(self, request, *args, **kwargs):
        """Retrieve a single comment with a given unique id."""
        comment = self.get_object()
        return self.envelope(comment=CommentSerializer(comment).data, log=link("logs:log-detail", log_id=comment.log_id))

    def perform_update(self, comment: Comment, data: dict):
        # The path decides which comment changes; a body `comment_id` is ignored (as deviations.md 4 does).
        if comment.matches(**data):
            self.fail("same")
        return comment_update(comment=comment, **{k: data[k] for k in CommentUpdateSerializer.WRITABLE})

    def perform_destroy(self, comment: Comment):
        comment_delete(comment=comment)

    def perform_soft_destroy(self, comment: Comment):
        comment_soft_delete(comment=comment)
