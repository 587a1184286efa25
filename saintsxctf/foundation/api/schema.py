"""OpenAPI (drf-spectacular) helpers: the schema tells the truth about every operation.

Clients and fuzzers are generated from `/v2/schema`, so `ContractAutoSchema` adds, for every operation, what
each view's own `@extend_schema` would otherwise have to repeat:

- the envelopes of a contract viewset's standard actions, from its declaration (`key`, `plural`, its read and
  write serializers, `page_ordering`, `create_status`): list, retrieve, create, update, destroy and soft
  destroy need no per-method schema; the description of each action is the one its `/links` entry shows
  (`routers.describe`: the viewset's `descriptions`, else the action's docstring);
- the error bodies (errors.py): 400 is an endpoint body `{"self", ..., "error"}` (with `errors` when a body was
  rejected) or the framework body (e.g. unparseable JSON); 401/403 (the framework body) where a token is needed;
  429 where a throttle applies;
- the real success status of a create (the original answers 200 to most creates, `create_status`);
- no body for a 204 (`ContractJSONRenderer` sends none, whatever the envelope);
- every path parameter typed and described with the values it may hold (saintsxctf/foundation/api/parameters.py, and a
  viewset's own `path_parameters`);
- one tag per resource group (`/v2/<group>/...`, `auth`, `functions`, `index`), operation ids a client generator
  accepts, and the contract's example bodies (contract_examples.json) as response examples;
- the bearer JWT security scheme.
"""

import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.urls import Resolver404, resolve
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework_simplejwt.views import TokenViewBase

from saintsxctf.foundation.api.parameters import PATH_PARAMETERS

# Tags of the paths outside /v2/<group>/ (each /v2 resource group is its own tag, named as in its path).
TAG_OF_ROOT = {"auth": "auth", "fn": "functions"}
INDEX_TAG = "index"
TAG_DESCRIPTIONS = {
    "auth": "Tokens: the legacy auth service's endpoints (`/auth/token`, `/auth/authenticate`), logout, and "
            "simplejwt's pair, refresh and verify.",
    "functions": "The original's functions (fn.saintsxctf.com): emails and signed picture upload URLs.",
    INDEX_TAG: "Discovery (`/`, `/versions`, `/v2`, `/v2/links`) and the framework's error pages.",
}
# The actions a contract viewset's declaration describes whole (ContractAutoSchema.standard_response()).
STANDARD_ACTIONS = ("list", "retrieve", "create", "update", "destroy", "soft_destroy")
EXAMPLES_FILE = Path(__file__).with_name("contract_examples.json")


def tag_of(path: str) -> str:
    """The tag of an operation on `path`: its /v2 resource group, `auth`, `functions` or `index`."""
    parts = [part for part in path.split("/") if part]
    if len(parts) > 1 and parts[0] == "v2" and not parts[1].startswith("{") and parts[1] not in ("links", "schema"):
        return parts[1]
    return TAG_OF_ROOT.get(parts[0], INDEX_TAG) if parts else INDEX_TAG


def envelope_schema(name: str, **fields) -> serializers.Serializer:
    """A success envelope for a view's `@extend_schema`: the component `<name>Response`, `self` plus `fields`."""
    return inline_serializer(f"{name}Response", {"self": serializers.CharField(), **fields})


def page_schema(name: str, **fields) -> serializers.Serializer:
    """The envelope of one page of a list: `self`, `fields`, and the page's `next`, `prev` and `pages`."""
    return envelope_schema(name, **fields, next=serializers.CharField(allow_null=True),
                           prev=serializers.CharField(allow_null=True), pages=serializers.IntegerField())


def page_parameters() -> list:
    """The query parameters of a paged list (saintsxctf/foundation/api/pagination.py)."""
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


@cache
def contract_examples() -> dict[tuple, list[OpenApiExample]]:
    """The contract's example bodies (contract/examples: the web client's fixtures, bundled in
    contract_examples.json), keyed by the operation that answers them: (view class, method, action or None).

    Each example's `path` is resolved against our own URL conf, so an example lands on the operation that
    serves its path. `password` and `salt` keys are left out: this API never shows a salt, and shows a password
    hash only to its owner (deviations.md 1 and 13); the schema shows none."""
    found: dict[tuple, list[OpenApiExample]] = {}
    for example in json.loads(EXAMPLES_FILE.read_text()):
        path = example["path"].replace("{log_id}", "1")
        # A collection's `self` has no trailing slash; `/v2/<group>` itself is the redirect to `/v2/<group>/`.
        for candidate in (path, path.rstrip("/") + "/"):
            try:
                match = resolve(candidate)
            except Resolver404:
                continue
            actions = getattr(match.func, "actions", None)
            if (actions is None and not (match.url_name or "").endswith("-redirect")) or \
                    example["method"].lower() in (actions or {}):
                break
        else:
            continue
        action = actions.get(example["method"].lower()) if actions else None
        key = (match.func.cls, example["method"], action)
        name = example["source"].rsplit("/", 1)[-1].removesuffix(".json")
        found.setdefault(key, []).append(OpenApiExample(
            name, value=_without_secrets(example["body"]), response_only=True,
            status_codes=[str(example["status"])] if example.get("status") else None,
            summary=f"{name} (contract/examples/{example['source']})",
        ))
    return found


def _without_secrets(value):
    if isinstance(value, dict):
        return {key: _without_secrets(item) for key, item in value.items() if key not in ("password", "salt")}
    if isinstance(value, list):
        return [_without_secrets(item) for item in value]
    return value


def tags_with_descriptions(result, generator, request, public):
    """Postprocessing hook: the document's `tags`, one per resource group in the order of the paths, each
    described by its viewset's docstring (or TAG_DESCRIPTIONS)."""
    views = {}
    for path, _, _, callback in generator.endpoints if generator else []:
        view = getattr(callback, "cls", None)
        if hasattr(view, "plural"):  # a resource's viewset (not a redirect or a links index)
            views.setdefault(tag_of(path), view)
    names = []
    for item in result.get("paths", {}).values():
        for operation in item.values():
            for tag in operation.get("tags", []) if isinstance(operation, dict) else []:
                if tag not in names:
                    names.append(tag)
    tags = []
    for name in names:
        description = TAG_DESCRIPTIONS.get(name)
        if description is None and views.get(name) is not None:
            description = (views[name].__doc__ or "").strip().splitlines()[0]
        tags.append({"name": name, "description": description or name})
    result["tags"] = tags
    return result


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """`Authorization: Bearer <jwt>` (saintsxctf.foundation.auth.authentication.BearerTokenAuthentication)."""

    target_class = "saintsxctf.foundation.auth.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


class ContractAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema with the contract's envelopes, status codes, error bodies, parameters, tags and
    examples (module docstring)."""

    # -- what a contract viewset declares ------------------------------------------------------------------------
    def _action(self) -> str | None:
        return getattr(self.view, "action", None)

    def _is_contract_viewset(self) -> bool:
        return hasattr(self.view, "envelope") and hasattr(self.view, "plural")

    def get_description(self) -> str:
        if self._is_contract_viewset() and self._action():
            # Imported here: routers.py decorates its views with extend_schema, which loads this module.
            from saintsxctf.foundation.api.routers import describe

            return describe(type(self.view), self._action())
        return super().get_description()

    def get_request_serializer(self):
        if self._is_contract_viewset() and self._action() in ("create", "update"):
            return self.view.get_write_serializer_class()
        return super().get_request_serializer()

    def get_response_serializers(self):
        standard = self.standard_response()
        return standard if standard is not None else super().get_response_serializers()

    def standard_response(self):
        """The envelope a standard action of a contract viewset answers, from the viewset's declaration."""
        view, action = self.view, self._action()
        if not self._is_contract_viewset() or action not in STANDARD_ACTIONS:
            return None
        if action in ("destroy", "soft_destroy"):
            return {204: None}
        name = "".join(part.title() for part in view.key.split("_"))
        serializer = view.get_serializer_class()
        if action == "list":
            build = envelope_schema if view.page_ordering is None else page_schema
            return build(f"{name}List", **{view.plural: serializer(many=True)})
        if action == "retrieve":
            return envelope_schema(f"{name}Envelope", **{view.key: serializer()})
        flag = {"create": ("added", "Created"), "update": ("updated", "Updated")}[action]
        return envelope_schema(f"{name}{flag[1]}", **{flag[0]: serializers.BooleanField(), view.key: serializer()})

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        paged = self._is_contract_viewset() and self._action() == "list" and self.view.page_ordering is not None
        return [*page_parameters(), *parameters] if paged else parameters

    # -- naming -----------------------------------------------------------------------------------------------
    def get_tags(self) -> list[str]:
        return [tag_of(self.path)]

    def _is_create_operation(self) -> bool:
        return super()._is_create_operation() and getattr(self.view, "create_status", 201) == 201

    def get_operation_id(self):
        self._naming = True  # a list is still named `..._list`
        try:
            operation_id = super().get_operation_id()
        finally:
            self._naming = False
        # Generated clients name a method after it: never a leading digit (`/404` is `index_404_retrieve`).
        return f"{tag_of(self.path)}_{operation_id}" if operation_id[:1].isdigit() else operation_id

    def _is_list_view(self, serializer=None) -> bool:
        # A list answers an envelope object (`{"self", "logs": [...]}`, declared whole by each view), never a
        # bare array.
        return getattr(self, "_naming", False) and super()._is_list_view(serializer)

    # -- parameters and examples ----------------------------------------------------------------------------------
    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        own = getattr(self.view, "path_parameters", {})
        for parameter in parameters:
            described = own.get(parameter["name"]) or PATH_PARAMETERS.get(parameter["name"])
            if described is not None:
                parameter.update(described.openapi(parameter["name"]))
        return parameters

    def get_examples(self):
        key = (type(self.view), self.method, self._action() if hasattr(self.view, "action") else None)
        return [*super().get_examples(), *contract_examples().get(key, [])]

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
        self._add_error_examples(responses)
        return responses

    def _add_error_examples(self, responses: dict) -> None:
        """The contract's error examples of this operation, on the 400 this class documents itself."""
        content = responses.get("400", {}).get("content", {}).get("application/json")
        if content is None or "examples" in content:
            return
        examples = {example.name: {"value": example.value, "summary": example.summary}
                    for example in self.get_examples() if example.status_codes == ["400"]}
        if examples:
            content["examples"] = examples

    def _needs_token(self) -> bool:
        return bool(self.view.get_authenticators()) and not all(
            isinstance(permission, AllowAny) for permission in self.view.get_permissions()
        )
