"""Logs operators can use: one JSON line per request, a request id on every line, 500s reported.

- `RequestLogMiddleware` takes `X-Request-ID` from the request (when it is a sane token: up to 128 of
  `A-Z a-z 0-9 . _ -`; a proxy's id is kept) or makes one, returns it on the response, and makes it part of every
  log line written while the request is handled (`RequestIdFilter`). When the response is ready it writes one
  line on the `saintsxctf.request` logger: time, level, request id, method, path, status, duration, user.
  The level follows the status: INFO below 500 (a contract 400 is the API working, not a warning), ERROR for
  5xx. Requests for `/health` and `/ready` are not logged (probes every few seconds would drown the rest).
- `JsonFormatter` writes each record as one JSON object; a record with an exception carries its traceback.
- `QuietClientErrors` keeps Django's "Bad Request: /path" warnings for 4xx out of the log (the request line
  has them); server errors stay.
- `QueuedAdminEmailHandler` reports errors that carry a traceback (an unhandled exception in a view: logged by
  `saintsxctf.foundation.api.errors` or Django itself) by mail to `ADMINS`, through the mail queue (saintsxctf/foundation/mail.py), so
  the failing request does not wait on SMTP either. Reporting never raises.
"""

import contextvars
import json
import logging
import re
import time
import traceback
import uuid
from datetime import UTC, datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils.log import AdminEmailHandler

REQUEST_ID_HEADER = "X-Request-ID"
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
UNLOGGED_PATHS = {"/health", "/ready"}

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
access_logger = logging.getLogger("saintsxctf.request")


def current_request_id() -> str | None:
    return request_id_var.get()


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if VALID_REQUEST_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        start = time.monotonic()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            if request.path not in UNLOGGED_PATHS:
                self.log(request, response.status_code, start)
            return response
        finally:
            request_id_var.reset(token)

    @staticmethod
    def log(request, status: int, start: float) -> None:
        user = getattr(request, "user", None)  # DRF sets the token's user on the Django request too
        access_logger.log(
            logging.ERROR if status >= 500 else logging.INFO,
            "%s %s %s", request.method, request.path, status,
            extra={"http": {"method": request.method, "path": request.path, "status": status,
                            "duration_ms": round((time.monotonic() - start) * 1000, 1),
                            "user": getattr(user, "username", None) if getattr(user, "is_authenticated", False)
                            else None}},
        )


class RequestIdFilter(logging.Filter):
    """Gives every record the id of the request being handled (None outside requests)."""

    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


class QuietClientErrors(logging.Filter):
    """Drops `django.request`'s records of 4xx responses (the request line has them)."""

    def filter(self, record):
        status = getattr(record, "status_code", None)
        return status is None or status >= 500


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", None),
            "message": record.getMessage(),
        }
        if hasattr(record, "http"):
            entry.update(record.http)
        if record.exc_info:
            entry["traceback"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(entry, default=str)


class QueuedAdminEmailHandler(AdminEmailHandler):
    """Django's error mail to ADMINS, queued (sent by the mail worker) and only for records with a traceback."""

    def emit(self, record):
        if not record.exc_info or not settings.ADMINS:
            return
        try:
            super().emit(record)
        except Exception:  # noqa: BLE001 - reporting an error must never cause one
            pass

    def send_mail(self, subject, message, *args, **kwargs):
        from saintsxctf.foundation import mail

        subject = f"{settings.EMAIL_SUBJECT_PREFIX}{subject}"[:255]
        request_id = current_request_id()
        if request_id:
            message = f"Request id: {request_id}\n\n{message}"
        for _, address in settings.ADMINS:
            mail.enqueue(EmailMultiAlternatives(subject=subject, body=message, from_email=settings.SERVER_EMAIL,
                                                to=[address]), kind="error_report")
