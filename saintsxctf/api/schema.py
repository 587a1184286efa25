"""OpenAPI (drf-spectacular) helpers: the schema tells the truth about every operation.

Clients and fuzzers are generated from `/v2/schema`, so `ContractAutoSchema` adds, for every operation, what
each view's own `@extend_schema` would otherwise have to repeat:

- the error bodies (errors.py): 400 is an endpoint body `{"self", ..., "error"}` or the framework body
  (e.g. unparseable JSON); 401/403 (the framework body) where a token is needed; 429 where a throttle applies;
- the real success status of a create (the original answers 200 to most creates, `create_status`);
- no body for a 204 (`ContractJSONRenderer` sends none, whatever the envelope);
- the types of the path parameters the whole API shares (ids are integers, dates are dates);
- the bearer JWT security scheme.
"""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework_simplejwt.views import TokenViewBase

# Path parameters mean the same thing wherever they appear (DESIGN.md "Identity").
PATH_PARAMETER_SCHEMAS = {
    "log_id": {"type": "integer"},
    "comment_id": {"type": "integer"},
    "notification_id": {"type": "integer"},
    "group_id": {"type": "integer"},
    "limit": {"type": "integer"},
    "offset": {"type": "integer"},
    "start": {"type": "string", "format": "date"},
    "end": {"type": "string", "format": "date"},
}


def envelope_schema(name: str, **fields) -> serializers.Serializer:
    """A success envelope for a view's `@extend_schema`: the component `<name>Response`, `self` plus `fields`."""
    return inline_serializer(f"{name}Response", {"self": serializers.CharField(), **fields})


def page_schema(name: str, **fields) -> serializers.Serializer:
    """The envelope of one page of a list: `self`, `fields`, and the page's `next`, `prev` and `pages`."""
    return envelope_schema(name, **fields, next=serializers.CharField(allow_null=True),
                           prev=serializers.CharField(allow_null=True), pages=serializers.IntegerField())


def page_parameters() -> list:
    """The query parameters of a paged list (saintsxctf/api/pagination.py)."""
    from drf_spectacular.utils import OpenApiParameter

    return [
        OpenApiParameter("limit", int, description=f"rows per page, 1 to {settings.API_MAX_PAGE_SIZE} "
                         f"(default {settings.API_DEFAULT_PAGE_SIZE})"),
        OpenApiParameter("offset", int, description="rows to skip, newest first (default 0)"),
    ]


class FrameworkErrorSerializer(serializers.Serializer):
    """The framework error body (401, 403, 404, 405, 429, 500 and unparseable requests)."""

    error_description = serializers.CharField()
    exception = serializers.CharField()
    contact = serializers.CharField()
    api_index = serializers.CharField()


@extend_schema_field({
    "type": "object", "additionalProperties": {},
    "description": "Only when a request body was rejected: each bad field of the body (as the body names it) with "
                   "what is wrong with it, e.g. `{\"feel\": [\"Ensure this value is less than or equal to 10.\"]}` "
                   "(a list of messages; nested fields nest). Additive: clients read `error`.",
    "example": {"date": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."],
                "feel": ["Ensure this value is less than or equal to 10."]},
})
class FieldErrorsField(serializers.DictField):
    """The `errors` of an endpoint error body (errors.ContractError.errors)."""


class EndpointErrorSerializer(serializers.Serializer):
    """An endpoint's own error body: `self`, the endpoint's flag and resource keys (e.g. `"added": false,
    "log": null`), the contract's exact `error` string and, when a request body was rejected, `errors`: what was
    wrong with each of its fields."""

    def get_fields(self):
        return {"self": serializers.CharField(allow_null=True), "error": serializers.CharField(),
                "errors": FieldErrorsField(required=False)}


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """`Authorization: Bearer <jwt>` (saintsxctf.auth.authentication.BearerTokenAuthentication)."""

    target_class = "saintsxctf.auth.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


class ContractAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema with the contract's status codes and error bodies (module docstring)."""

    def _is_create_operation(self) -> bool:
        return super()._is_create_operation() and getattr(self.view, "create_status", 201) == 201

    def get_operation_id(self):
        self._naming = True  # a list is still named `..._list`
        try:
            return super().get_operation_id()
        finally:
            self._naming = False

    def _is_list_view(self, serializer=None) -> bool:
        # A list answers an envelope object (`{"self", "logs": [...]}`, declared whole by each view), never a
        # bare array.
        return getattr(self, "_naming", False) and super()._is_list_view(serializer)

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["name"] in PATH_PARAMETER_SCHEMAS:
                parameter["schema"] = dict(PATH_PARAMETER_SCHEMAS[parameter["name"]])
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        if "204" in responses:
            responses["204"] = {"description": "No response body"}
        framework = self.resolve_serializer(FrameworkErrorSerializer, "response").ref
        endpoint = self.resolve_serializer(EndpointErrorSerializer, "response").ref
        errors = {}
        # Only a body, a path parameter or a paged list's query (`?limit=&offset=`) can be bad input.
        paged = self.method == "GET" and getattr(self.view, "page_ordering", None) is not None and \
            getattr(self.view, "action", None) == "list"
        if self.method != "GET" or "{" in self.path or paged:
            errors["400"] = ("Bad input: the endpoint's error body, or the framework's for an unreadable request",
                             {"anyOf": [endpoint, framework]})
        if self._needs_token():
            errors["401"] = ("No Authorization header", framework)
            errors["403"] = ("A bad token, or a refusal", framework)
        elif isinstance(self.view, TokenViewBase):
            errors["403"] = ("Wrong credentials, or a bad token in the body", framework)
        if self.view.get_throttles():
            errors["429"] = ("Too many requests (see Retry-After)", framework)
        for code, (description, schema) in errors.items():
            if code not in responses:
                responses[code] = {"description": description, "content": {"application/json": {"schema": schema}}}
        return responses

    def _needs_token(self) -> bool:
        return bool(self.view.get_authenticators()) and not all(
            isinstance(permission, AllowAny) for permission in self.view.get_permissions()
        )
