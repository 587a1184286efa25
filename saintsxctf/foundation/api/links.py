"""The one link builder: every path this API emits comes from `reverse()`, relative, never formatted."""

from urllib.parse import unquote

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


def link(view_name: str, **kwargs) -> str:
    """Relative path of a named route."""
    return reverse(view_name, kwargs=kwargs or None)


def template_link(view_name: str, kwarg_names) -> str:
    """Path of a named route with `<kwarg>` placeholders, for the `/links` indexes."""
    return unquote(reverse(view_name, kwargs={name: f"<{name}>" for name in kwarg_names} or None))


def self_link(request) -> str | None:
    """Path of the resource a request addresses; a collection's path has no trailing slash."""
    match = getattr(request, "resolver_match", None)
    if match is None or not match.url_name:
        return request.path if request is not None else None
    view_name = match.view_name
    if view_name.endswith("-list"):
        view_name = view_name[: -len("-list")] + "-redirect"
    return reverse(view_name, kwargs=match.kwargs or None)


@extend_schema_field(OpenApiTypes.STR)
class LinkField(serializers.Field):
    """Read-only relative link from an object to `view_name` (e.g. a group member to its group)."""

    def __init__(self, view_name: str, url_kwarg: str, attr: str = "pk", **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)
        self.view_name, self.url_kwarg, self.attr = view_name, url_kwarg, attr

    def to_representation(self, obj):
        return link(self.view_name, **{self.url_kwarg: getattr(obj, self.attr)})
