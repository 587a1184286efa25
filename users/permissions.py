"""Permissions of the users app."""

from rest_framework.permissions import SAFE_METHODS, BasePermission


class IsCodeRecipientOrReadOnly(BasePermission):
    """Anyone reads an activation code; the address it was made for removes it (or, beside this class, its
    group's admins: `IsCodeRecipientOrReadOnly | IsGroupAdmin`)."""

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        user = request.user
        return bool(obj.email and user.email and obj.email.lower() == user.email.lower())
