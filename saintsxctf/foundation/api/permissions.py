"""Shared permission classes. Refusals are rendered by the viewset (`ContractViewSet.refuse`)."""

from rest_framework.permissions import SAFE_METHODS, BasePermission


class IsOwnerOrReadOnly(BasePermission):
    """Anyone authenticated reads; only the owner (`obj.user_id` is their username) writes."""

    owner_field = "user_id"

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        return getattr(obj, getattr(view, "owner_field", self.owner_field)) == request.user.get_username()


class IsOwner(BasePermission):
    """Only the owner (`obj.user_id` is their username) reads or writes."""

    def has_object_permission(self, request, view, obj):
        return getattr(obj, getattr(view, "owner_field", "user_id")) == request.user.get_username()


class IsSelfOrReadOnly(BasePermission):
    """Writes are allowed only when the `username` in the URL is the caller's own."""

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return view.kwargs.get("username") == request.user.get_username()
