"""Request middleware: audit attribution and the optional SQL query count header."""

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
