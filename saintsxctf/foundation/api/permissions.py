"""Shared permission classes. Refusals are rendered by the viewset (`ContractViewSet.refuse`).

Foundation: no app is imported here; the group-admin rule is the user's own (`User.administers`).
"""

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


class IsGroupAdmin(BasePermission):
    """Only an admin of the group the request is about, by the API's one group-admin rule (`User.administers`:
    a live group, and a superuser or an accepted, live admin membership).

    View level, for the actions a viewset lists in `group_admin_kwargs` (action -> the URL kwarg naming the
    group): checked before anything else, so a refusal never tells which groups exist. Object level (a view
    that finds the group first, then calls `check_object_permissions`): the object's `group_id`, or the object's
    own id when it is a group."""

    def has_permission(self, request, view):
        kwarg = getattr(view, "group_admin_kwargs", {}).get(getattr(view, "action", None))
        if kwarg is None:
            return True
        return bool(request.user and request.user.is_authenticated and request.user.administers(view.kwargs.get(kwarg)))

    def has_object_permission(self, request, view, obj):
        group_id = obj.group_id if hasattr(obj, "group_id") else obj.pk
        return bool(request.user and request.user.is_authenticated and request.user.administers(group_id))
