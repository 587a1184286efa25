"""Base viewsets: the contract's envelopes, status codes, error messages and soft delete, in one place.

A resource viewset is a declaration:

    class LogViewSet(ContractModelViewSet):
        '''Exercise logs.'''
        key, plural = "log", "logs"
        queryset = Log.objects.all()
        serializer_class = LogSerializer
        write_serializer_class = LogWriteSerializer
        lookup_url_kwarg = "log_id"
        messages = {"retrieve.not_found": "there is no log with this identifier", ...}

Messages are keyed "<action>.<case>"; cases: `not_found` (the object does not exist), `forbidden` (a
template with {user}, {obj} and the URL kwargs, for an object permission refusal), `invalid` (the write
serializer rejected the body), `empty` (no body) and `unchanged` (an update that changes nothing).
"""

from django.db import OperationalError, transaction
from django.http import Http404
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.metadata import SimpleMetadata
from rest_framework.response import Response

from saintsxctf.foundation.api.errors import ContractError
from saintsxctf.foundation.api.links import self_link
from saintsxctf.foundation.api.pagination import paginate, query_page_params
from saintsxctf.foundation.api.parameters import is_id_parameter, parse_id

EMPTY_BODY = "the request body isn't populated"
REQUIRED = "This field is required."  # DRF's own message for a missing field, for the fields checked before it
# MySQL/MariaDB's "Deadlock found when trying to get lock; try restarting transaction".
DEADLOCK = 1213
WRITE_ATTEMPTS = 3


def atomic_write(operation):
    """`operation()` in its own transaction. When InnoDB picks it as a deadlock's victim (and rolls it back), it
    runs again, up to WRITE_ATTEMPTS times in all, as the error asks: a deadlock between two writers is an
    ordinary outcome of row locking, not a fault to show the client. Inside an enclosing transaction nothing
    can be retried, and the error goes up."""
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                return operation()
        except OperationalError as exc:
            retry = exc.args and exc.args[0] == DEADLOCK and attempt < WRITE_ATTEMPTS
            if not retry or transaction.get_connection().in_atomic_block:
                raise


class ResourceMetadata(SimpleMetadata):
    """OPTIONS answers what the resource is and speaks, without DRF's per-method introspection: that looks the
    object up as a detail route would (a 500 on routes keyed otherwise, e.g. /v2/groups/<team>/<group>) and
    would tell a caller whether they may change an object they cannot see."""

    def determine_metadata(self, request, view):
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
        }


class ContractViewSet(viewsets.GenericViewSet):
    """Envelope, messages and refusals shared by every resource of the API."""

    metadata_class = ResourceMetadata

    key: str = "item"  # the body key of one resource, e.g. "log"
    plural: str = "items"  # the body key of a list, e.g. "logs"
    write_serializer_class = None
    messages: dict[str, str] = {}
    # One line per inherited action, for its /links entry and its OpenAPI operation (routers.describe); an action
    # the viewset writes itself is described by its docstring. The schema of a standard action (list, retrieve,
    # create, update, destroy, soft destroy) follows from `key`, `plural` and the serializers (api/schema.py).
    descriptions: dict[str, str] = {}
    # The viewset's own path parameters, described for the schema (api/parameters.py has the shared ones).
    path_parameters: dict = {}
    # Status of a successful create: the original answers 200 for most creates, 201 for some.
    create_status = 200
    # Envelope keys of an error body for the current action; set per @action(error_body={...}).
    error_body = None
    # Unparseable JSON answers the action's `empty` error instead of the framework's 400 (see body()).
    unparseable_body_is_empty = False
    # A create body naming its owner, which must be the caller, and the fields it must carry (see validated()).
    body_owner_field: str | None = None
    required_fields: tuple[str, ...] = ()

    # -- envelope ---------------------------------------------------------------------------------
    def envelope(self, status: int = 200, **body) -> Response:
        """`{"self": <this resource>, **body}`."""
        return Response({"self": self_link(self.request), **body}, status=status)

    def error_fields(self) -> dict:
        """Keys of this action's error body besides `self` and `error` (the contract's per-endpoint shape)."""
        if self.error_body is not None:
            return dict(self.error_body)
        return {
            "list": {self.plural: None},
            "retrieve": {self.key: None},
            "create": {"added": False, self.key: None},
            "update": {"updated": False, self.key: None},
            "destroy": {"deleted": False},
            "soft_destroy": {"deleted": False},
        }.get(self.action, {})

    def message(self, case: str, **values) -> str | None:
        template = self.messages.get(f"{self.action}.{case}")
        if template is None:
            return None
        return template.format(**{**self.kwargs, **values})

    def fail(self, case: str, default: str | None = None, *, errors: dict | None = None, **values):
        """Raise the contract error for `case` of the current action (`errors`: what was wrong with each field
        of the body, answered beside the contract's string; see errors.ContractError)."""
        raise ContractError(self.message(case, **values) or default or case, errors=errors)

    # -- objects and refusals ---------------------------------------------------------------------
    def get_object(self):
        """The object of the path, or the action's not-found error. A path id that is no id (letters, a sign,
        too large: saintsxctf/foundation/api/parameters.py) names no object, and never reaches the database."""
        name = self.lookup_url_kwarg or self.lookup_field
        if is_id_parameter(name) and parse_id(self.kwargs.get(name)) is None:
            if self.message("not_found") is None:
                raise Http404
            self.fail("not_found")
        try:
            return super().get_object()
        except Http404:
            if self.message("not_found") is None:
                raise
            self.fail("not_found")

    def permission_denied(self, request, message=None, code=None):
        if request.authenticators and not request.successful_authenticator:
            raise exceptions.NotAuthenticated()
        self.refuse(message=message)

    def check_object_permissions(self, request, obj):
        for permission in self.get_permissions():
            if not permission.has_object_permission(request, self, obj):
                self.refuse(obj, message=getattr(permission, "message", None))

    def refuse(self, obj=None, message=None):
        """Refuse the caller: the action's contract message if it has one, else the framework's 403."""
        text = self.message("forbidden", user=self.request.user.get_username(), obj=obj)
        if text is None:
            raise exceptions.PermissionDenied(message)
        raise ContractError(text)

    # -- reading the request body -----------------------------------------------------------------
    def get_write_serializer_class(self):
        """The serializer that reads this action's body: `write_serializer_class`, else the read serializer."""
        return self.write_serializer_class or self.get_serializer_class()

    def get_write_serializer(self, *args, **kwargs):
        kwargs.setdefault("context", self.get_serializer_context())
        return self.get_write_serializer_class()(*args, **kwargs)

    def body(self, default: str = EMPTY_BODY, *, objects_only: bool = True, error_body: dict | None = None):
        """The request's JSON body: the action's `empty` error (else `default`, in the envelope `error_body` if
        given) when there is none or, with `objects_only`, when it is not a JSON object. Unparseable JSON is the
        framework's 400, or the `empty` error where the viewset sets `unparseable_body_is_empty`.

        A create (POST to a collection) reads its body as the original's `get_json(silent=True)`: only a missing
        body, JSON `null`, unparseable JSON or a body that is not JSON is empty. Any other JSON value goes on to
        the field checks (`{}` lacks the required fields); a value that is not an object counts as `{}`."""
        creating = self.action == "create"
        try:
            data = self.request.data
        except (exceptions.ParseError, exceptions.UnsupportedMediaType) as error:
            if not (creating or (self.unparseable_body_is_empty and isinstance(error, exceptions.ParseError))):
                raise
            data = None
        if creating:
            if data is None or not int(self.request.META.get("CONTENT_LENGTH") or 0):
                raise ContractError(self.message("empty") or default, body=error_body)
            return data if isinstance(data, dict) else {}
        if not data or (objects_only and not isinstance(data, dict)):
            raise ContractError(self.message("empty") or default, body=error_body)
        return data

    def validated(self, instance=None, partial: bool = False) -> dict:
        """The request body, checked by the write serializer; contract errors when empty or invalid.

        A create of a viewset declaring `body_owner_field` / `required_fields` checks, in the original's order:
        an empty (or non-object) body, then an owner other than the caller (the `forbidden` message, with the
        owner under the field's name), then a missing required field (the `required` message)."""
        if self.action == "create" and (self.body_owner_field or self.required_fields):
            body = self.body()
            caller = self.request.user.get_username()
            if self.body_owner_field and body.get(self.body_owner_field) != caller:
                self.fail("forbidden", user=caller, **{self.body_owner_field: body.get(self.body_owner_field)})
            missing = [field for field in self.required_fields if body.get(field) is None]
            if missing:
                self.fail("required", errors={field: [REQUIRED] for field in missing})
        data = self.body(objects_only=False)
        return self.checked(self.get_write_serializer(instance, data=data, partial=partial))

    def checked(self, serializer, case: str = "invalid") -> dict:
        """The serializer's validated data, or the action's `case` error naming each bad field (`errors`)."""
        if not serializer.is_valid():
            self.fail(case, "the request body is invalid", errors=serializer.errors)
        return serializer.validated_data

    def lock_alive(self, instance) -> None:
        """Inside a write's transaction: lock the object's row until it commits, or fail with the action's
        not-found error when a concurrent request has (soft) deleted it since this one read it."""
        manager = type(instance)._default_manager
        if not list(manager.select_for_update().filter(pk=instance.pk).values_list("pk", flat=True)):
            self.fail("not_found")

    def reread(self, instance):
        """The object as the read serializer needs it (with its prefetches), after a write."""
        return self.get_queryset().get(pk=instance.pk)


class ListMixin:
    # Lists anyone can grow (logs, comments, notifications, users) answer a bounded page, newest first, in this
    # order (saintsxctf/foundation/api/pagination.py; deviations: the original returned every row). None: the whole list
    # (exercise types, teams, groups: rows only an admin creates).
    page_ordering: tuple[str, ...] | None = None

    def list(self, request, *args, **kwargs):
        """Get all the {plural}."""
        queryset = self.filter_queryset(self.get_queryset())
        if self.page_ordering is None:
            return self.envelope(**{self.plural: self.get_serializer(queryset, many=True).data})
        limit, offset = query_page_params(request.query_params)
        page = paginate(queryset.order_by(*self.page_ordering), limit=limit, offset=offset)
        return self.envelope(**{self.plural: self.get_serializer(self.page_items(page.items), many=True).data},
                             **page.query_links(request.resolver_match.view_name), pages=page.pages)

    def page_items(self, items: list) -> list:
        """The rows of a page as the serializer reads them: override to attach what they show beside their own
        columns, in one query for the page (the logs' comments)."""
        return items


class RetrieveMixin:
    def retrieve(self, request, *args, **kwargs):
        """Get a single {key}."""
        return self.envelope(**{self.key: self.get_serializer(self.get_object()).data})


class CreateMixin:
    def create(self, request, *args, **kwargs):
        """Create a new {key}."""
        data = self.validated()
        instance = atomic_write(lambda: self.perform_create(data))
        body = {"added": True, self.key: self.get_serializer(self.reread(instance)).data}
        return self.envelope(self.create_status, **body)

    def perform_create(self, data: dict):
        """Override with the resource's service; the default saves the validated fields."""
        instance = self.get_queryset().model(**data)
        instance.full_clean()
        instance.save()
        return instance


class UpdateMixin:
    def update(self, request, *args, **kwargs):
        """Update a {key}."""
        instance = self.get_object()
        data = self.validated(instance)
        if self.message("unchanged") and all(getattr(instance, k) == v for k, v in data.items()):
            self.fail("unchanged")

        def write():
            self.lock_alive(instance)  # an edit never lands on a row deleted since it was read
            return self.reread(self.perform_update(instance, data))  # as committed, under the lock

        instance = atomic_write(write)
        return self.envelope(updated=True, **{self.key: self.get_serializer(instance).data})

    def perform_update(self, instance, data: dict):
        """Override with the resource's service; the default saves the validated fields."""
        for field, value in data.items():
            setattr(instance, field, value)
        instance.full_clean()
        instance.save()
        return instance


class DestroyMixin:
    def destroy(self, request, *args, **kwargs):
        """Delete a {key}."""
        instance = self.get_object()
        atomic_write(lambda: self.perform_destroy(instance))
        return self.envelope(204, deleted=True)

    def perform_destroy(self, instance):
        instance.delete()


class SoftDestroyMixin:
    @action(detail=True, methods=["delete"], url_path="soft", url_name="soft")
    def soft_destroy(self, request, *args, **kwargs):
        """Soft delete a {key}."""
        instance = self.get_object()
        atomic_write(lambda: self.perform_soft_destroy(instance))
        return self.envelope(204, deleted=True)

    def perform_soft_destroy(self, instance):
        instance.soft_delete()


class ReadOnlyContractViewSet(ListMixin, RetrieveMixin, ContractViewSet):
    """List and retrieve."""


class ContractModelViewSet(
    ListMixin, CreateMixin, RetrieveMixin, UpdateMixin, DestroyMixin, SoftDestroyMixin, ContractViewSet
):
    """List, create, retrieve, update, destroy and soft destroy in the contract's shapes."""
