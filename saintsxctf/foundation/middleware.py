"""Request middleware: audit attribution, draining refused bodies and the optional SQL query count header."""

from django.db import connections
from django.test.utils import CaptureQueriesContext

from saintsxctf.foundation.audit import audit_context


class AuditContextMiddleware:
    """Attributes every write made while handling a request to the request's user and app."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        app = "admin" if request.path.startswith("/admin/") else None
        with audit_context(actor=request, app=app):
            return self.get_response(request)


class QueryCountHeaderMiddleware:
    """Adds `X-SQL-Query-Count` (queries on the default database) to each response.

    Enabled only by the SQL_QUERY_COUNT_HEADER setting: it forces query capture, which costs memory.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with CaptureQueriesContext(connections["default"]) as captured:
            response = self.get_response(request)
        response["X-SQL-Query-Count"] = str(len(captured.captured_queries))
        return response


# Above the front proxy's largest `client_max_body_size` (11m, ops/nginx), so whatever the proxy lets through is
# drained; a larger body can only come from a client talking to gunicorn directly, and it is left unread.
DRAIN_MAX_BYTES = 16 * 1024 * 1024


class DrainRequestBodyMiddleware:
    """Reads to its end a request body the view refused without reading (413 by Content-Length, 403 on a signature).

    A sync worker closes the connection after each response; closing a socket with unread bytes in its receive
    buffer sends a TCP reset, and a proxy still writing the body then reports 502 instead of the API's answer.
    Draining after the response is built (the proxy has buffered the whole body, so this is a local read) makes the
    close orderly.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        drain(request)
        return response


def drain(request) -> None:
    if hasattr(request, "_body"):  # read already (request.body), nothing is left on the socket
        return
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    if not 0 < declared <= DRAIN_MAX_BYTES:
        return
    try:
        while request.read(64 * 1024):
            pass
    except OSError:  # a client that hangs up mid-body (UnreadablePostError, gunicorn's NoMoreData) leaves nothing
        return
