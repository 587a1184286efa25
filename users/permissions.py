"""Permissions of the users app."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from users.queries import is_group_admin


class IsCodeRecipientOrGroupAdmin(BasePermission):
    """Anyone reads an activation code; the address it was made for, or its group's admins, remove it."""

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        user = request.user
        if obj.email and user.email and obj.email.lower() == user.email.lower():
            return True
        return obj.group_id is not None and is_group_admin(user, obj.group_id)
