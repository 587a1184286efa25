"""`GET /health` and `GET /ready`: plain JSON for load balancers, orchestrators and the Docker HEALTHCHECK.

Answered by the first middleware, before host validation, the TLS redirect, authentication and throttles: a
probe needs no token, no `Host` the deployment lists, and can never be throttled.

- `/health`: the process is up and serving (no dependency is asked). 200 `{"status": "ok"}`.
- `/ready`: the database answers `SELECT 1` and the cache (Redis, when `REDIS_URL` is set) answers a PING,
  each within `READY_TIMEOUT` seconds (2 by default). 200 `{"status": "ready", "checks": {...}}`, or 503 with
  `Retry-After` and the check that failed: `{"status": "unavailable", "checks": {"database": "ok",
  "cache": "timeout"}}`. A check runs in its own thread so that a hung dependency costs the probe
  `READY_TIMEOUT`, never longer (the thread ends when the dependency's own timeout fires).

Why not django-health-check: it answers HTML or JSON depending on `Accept`, runs behind the URL conf (so behind
`ALLOWED_HOSTS` and the TLS redirect) and has no per-check deadline; these two views are thirty lines.
"""

import threading

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import JsonResponse

PATHS = {"/health", "/ready"}
RETRY_AFTER_SECONDS = 5


def check_database() -> None:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connections.close_all()  # this thread's own connection


def check_cache() -> None:
    client = cache._cache.get_client(write=True)
    if not client.ping():
        raise ConnectionError("no PONG")


def run_with_deadline(check, timeout: float) -> str:
    """`ok`, `timeout` or the error's class name."""
    outcome = {}

    def run():
        try:
            check()
            outcome["result"] = "ok"
        except Exception as error:  # noqa: BLE001 - reported in the body
            outcome["result"] = f"error: {type(error).__name__}"

    thread = threading.Thread(target=run, daemon=True, name=f"ready-{check.__name__}")
    thread.start()
    thread.join(timeout)
    return outcome.get("result", "timeout")


def readiness() -> tuple[bool, dict]:
    checks = {"database": run_with_deadline(check_database, settings.READY_TIMEOUT)}
    checks["cache"] = run_with_deadline(check_cache, settings.READY_TIMEOUT) if settings.REDIS_URL \
        else "not configured"
    return all(value in ("ok", "not configured") for value in checks.values()), checks


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path not in PATHS:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = JsonResponse({"status": "method not allowed"}, status=405)
            response["Allow"] = "GET, HEAD"
            return response
        if request.path == "/health":
            return JsonResponse({"status": "ok"})
        ready, checks = readiness()
        response = JsonResponse({"status": "ready" if ready else "unavailable", "checks": checks},
                                status=200 if ready else 503)
        if not ready:
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
