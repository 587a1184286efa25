"""Notifications: any runner reads them and posts them; only the addressee changes or deletes one."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated

from notifications.models import Notification
from notifications.serializers import (
    TIME_FORMAT,
    NotificationSerializer,
    NotificationUpdateSerializer,
    NotificationWriteSerializer,
)
from notifications.services import notification_create, notification_soft_delete
from saintsxctf.foundation.api.permissions import IsOwnerOrReadOnly
from saintsxctf.foundation.api.schema import envelope_schema
from saintsxctf.foundation.api.throttles import NOTIFICATION_THROTTLES
from saintsxctf.foundation.api.viewsets import EMPTY_BODY, REQUIRED, ContractModelViewSet
from users.models import User

CREATE_FAILED = "failed to create a new notification"
NO_RECIPIENT = "There is no user with this username."


class NotificationViewSet(ContractModelViewSet):
    """User notifications (new comments, membership requests, ...)."""

    key, plural = "notification", "notifications"
    page_ordering = ("-time", "-notification_id")  # newest first, one page at a time (ListMixin)
    queryset = Notification.objects.order_by("time", "notification_id")
    serializer_class = NotificationSerializer
    write_serializer_class = NotificationWriteSerializer
    permission_classes = [IsAuthenticated, IsOwnerOrReadOnly]
    throttle_classes = NOTIFICATION_THROTTLES  # POSTs, per sender
    lookup_url_kwarg = "notification_id"
    unparseable_body_is_empty = True
    messages = {
        "create.empty": EMPTY_BODY,
        "create.invalid": "'username' and 'description' are required fields",
        "create.failed": CREATE_FAILED,
        "retrieve.not_found": "there is no notification with this identifier",
        "update.not_found": "there is no existing notification with this id",
        "update.forbidden": "User {user} is not authorized to update a notification sent to {obj.user_id}.",
        "update.unchanged": "the notification submitted is equal to the existing notification with the same id",
        "update.empty": "the notification failed to update",
        "update.invalid": "the notification failed to update",
        "destroy.not_found": "There is no existing notification with this id.",
        "destroy.forbidden": "User {user} is not authorized to delete a notification sent to {obj.user_id}.",
        "soft_destroy.not_found": "there is no existing notification with this id",
        "soft_destroy.forbidden":
            "User {user} is not authorized to soft delete a notification sent to {obj.user_id}.",
    }
    descriptions = {
        "list": "Get all the user notifications in the database.",
        "retrieve": "Retrieve a single user notification with a given unique id.",
        "destroy": "Delete a user notification with a given unique id.",
        "soft_destroy": "Soft delete a user notification with a given unique id.",
    }

    @extend_schema(request=NotificationWriteSerializer, responses=envelope_schema(
        "NotificationAdded", added=serializers.BooleanField(), notification=NotificationSerializer()))
    def create(self, request, *args, **kwargs):
        """Create a new user notification."""
        body = self.body()
        missing = [field for field in ("username", "description") if body.get(field) is None]
        if missing:
            self.fail("invalid", errors={field: [REQUIRED] for field in missing})
        # The original answered 500 for these (a too long text, an unknown user): 400 (deviations.md 2).
        data = self.checked(NotificationWriteSerializer(data=body), "failed")
        # Stored under the recipient's username as the database has it, however the body spelled it (the
        # lookup matches `ROSA0` and `rosá0` to rosa0, who must be able to mark it viewed and delete it).
        recipient = User.objects.filter(username=data["username"]).first()
        if recipient is None:
            self.fail("failed", errors={"username": [NO_RECIPIENT]})
        # Old clients post the notification the API already created for the same event: return that one.
        notification = notification_create(
            user=recipient, description=data["description"], link=data.get("link"), deduplicate=True,
        )
        return self.envelope(added=True, notification=NotificationSerializer(notification).data)

    @extend_schema(request=NotificationUpdateSerializer, responses=envelope_schema(
        "NotificationUpdated", updated=serializers.BooleanField(), notification=NotificationSerializer()))
    def update(self, request, *args, **kwargs):
        """Update a user notification with a given unique id."""
        notification = self.get_object()
        body = self.body()
        stored = {
            "username": notification.user_id, "time": notification.time.strftime(TIME_FORMAT),
            "link": notification.link, "viewed": notification.viewed, "description": notification.description,
            "deleted": notification.deleted,
        }
        if all(body.get(name) == value for name, value in stored.items()):
            self.fail("unchanged")
        # Only `viewed` changes, whatever else the body says.
        notification.viewed = self.checked(NotificationUpdateSerializer(data=body))["viewed"]
        with transaction.atomic():
            self.lock_alive(notification)  # not marked viewed (nor answered 500) once soft deleted meanwhile
            notification.save(update_fields=["viewed"])
            notification = self.reread(notification)
        return self.envelope(updated=True, notification=NotificationSerializer(notification).data)

    def perform_soft_destroy(self, instance):
        notification_soft_delete(notification=instance)
