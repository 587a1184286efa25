"""One error path: every error this API answers is rendered here, in one of the contract's two shapes.

- The endpoint shape `{"self", <flag>: false, <resource>: null, "error"}` for errors an endpoint handles
  (raised as `ContractError`); the view supplies the flag/resource keys for the action. A rejected request body
  also answers `"errors": {<field>: [<message>, ...]}` (additive: clients read only `error`).
- The framework shape `{"error_description", "exception", "contact", "api_index"}` for everything else
  (401, 403, 404, 405, 429, 500, ...), from DRF views and from Django's handler404/handler500 alike.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from saintsxctf.foundation.api.links import link, self_link
from saintsxctf.foundation.api.parsers import PayloadTooLarge

logger = logging.getLogger("saintsxctf.errors")

REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Page Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    424: "Failed Dependency",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
DATABASE_UNAVAILABLE = "The database is unavailable or busy; try again shortly."
RETRY_AFTER_DATABASE = 5  # seconds: a MariaDB restart is back within that (README, make faults)


class ContractError(Exception):
    """An error an endpoint answers in its own envelope, with one of the contract's exact strings.

    `body` overrides the envelope keys the view would otherwise give for the action. `errors` names what was
    wrong with each field of a rejected body (a serializer's `errors`: field name -> messages, nested for nested
    fields); it is answered beside the contract's `error`, which stays the one string clients read.
    """

    def __init__(self, message: str, *, status_code: int = 400, body: dict | None = None,
                 errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.body = body
        self.errors = errors


def framework_body(status_code: int, exception: str | None = None) -> dict:
    reason = REASONS.get(status_code, "Error")
    return {
        "error_description": reason,
        "exception": exception or f"{status_code} {reason}",
        "contact": settings.API_CONTACT_EMAIL,
        "api_index": link("versions"),
    }


def endpoint_body(request, view, error: ContractError) -> dict:
    fields = error.body if error.body is not None else getattr(view, "error_fields", lambda: {})()
    body = {"self": self_link(request), **fields, "error": error.message}
    if error.errors:
        # Additive: which fields were wrong and why. Clients read only `error` (the contract's string).
        body["errors"] = error.errors
    return body


def _status_for(exc: exceptions.APIException, request) -> int:
    if isinstance(exc, exceptions.NotAuthenticated):
        # The contract: no Authorization header at all is 401; a present but bad one is 403.
        return 403 if request is not None and request.META.get("HTTP_AUTHORIZATION") is not None else 401
    if isinstance(exc, exceptions.AuthenticationFailed):
        return 403
    return exc.status_code


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every exception raised in a view ends here."""
    view = context.get("view")
    request = context.get("request")
    set_rollback()

    if isinstance(exc, ContractError):
        return Response(endpoint_body(request, view, exc), status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()

    if isinstance(exc, exceptions.APIException):
        code = _status_for(exc, request)
        headers = {}
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            # DRF rounded the wait up already: the seconds until the throttle's window ends, at least 1.
            headers["Retry-After"] = str(max(1, int(exc.wait)))
        if code == 401 and getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.default_detail)
        return Response(framework_body(code, detail), status=code, headers=headers)

    if isinstance(exc, (OperationalError, InterfaceError)):
        # The database is down, restarting, or gave up on a lock (deadlock, lock wait timeout): a transient
        # fault. The request's transaction rolled back (or, if the connection died during its COMMIT, its
        # outcome is unknown): it was not acknowledged. Say so, and when to retry.
        logger.warning("Database unavailable in %s: %s", getattr(request, "path", "?"), exc)
        return Response(framework_body(503, DATABASE_UNAVAILABLE), status=status.HTTP_503_SERVICE_UNAVAILABLE,
                        headers={"Retry-After": str(RETRY_AFTER_DATABASE)})

    logger.exception("Unhandled error in %s", getattr(request, "path", "?"), exc_info=exc)
    return Response(framework_body(500, "An unexpected error occurred."), status=status.HTTP_500_INTERNAL_SERVER_ERROR)


def handler404(request, exception=None):
    """Django's handler404: unknown paths answer the framework body, never an HTML page."""
    return JsonResponse(framework_body(404, "404 Not Found: The requested URL was not found on the server."), status=404)


def handler500(request):
    """Django's handler500: a crash outside DRF still answers JSON, never a traceback."""
    return JsonResponse(framework_body(500, "An unexpected error occurred."), status=500)


def handler403(request, exception=None):
    """Django's handler403: the API's 403 body. (The URL conf answers the admin's pages with the admin's own
    HTML page first: saintsxctf/operations/admin_site.py `handler403`.)"""
    return JsonResponse(framework_body(403, "You do not have permission to perform this action."), status=403)


def handler400(request, exception=None):
    return JsonResponse(framework_body(400, "The request could not be understood."), status=400)
