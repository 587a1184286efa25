"""Throttles for the endpoints that let anyone try a password or make the API create something for them.

Each guarded endpoint gets two limits, both counted in the shared cache (Redis when `REDIS_URL` is set, so
every gunicorn worker and machine counts together):

- per client address (`REMOTE_ADDR`; behind a proxy set `THROTTLE_NUM_PROXIES` so the address is taken from
  `X-Forwarded-For` as the proxy wrote it: a client cannot dodge the limit by sending its own header), and
- per account: the username/email the request names, in the body or the path, whoever sends it (this is
  what stops a password guesser who spreads over many addresses).

Rates are settings (`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`, from `THROTTLE_*` environment variables) in
DRF's form `<requests>/<period>` where the period may carry a count: `30/min`, `100/10min`, `5/hour`.
Counting is a fixed window per key with atomic `add`/`incr`, so concurrent workers never lose a count.
Refused requests answer 429 with the framework error body and `Retry-After` (saintsxctf/api/errors.py).

Attaching them: one line on the view. Only POST requests are counted, so a viewset may carry them whole.

    throttle_classes = SIGNUP_THROTTLES                      # users.views.UserViewSet (POST /v2/users/)
    throttle_classes = ACTIVATION_CODE_THROTTLES             # the activation-code viewset (POST create)
    @action(..., throttle_classes=FORGOT_PASSWORD_THROTTLES) # or on the forgot-password viewset itself
"""

import hashlib
import re
import time

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from saintsxctf.api.parsers import read_json

PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600,
           "d": 86400, "day": 86400}
RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*$")


def parse_rate(rate: str) -> tuple[int, int]:
    """`"30/min"` → (30, 60); `"100/10min"` → (100, 600)."""
    match = RATE.match(rate or "")
    if not match or match.group(3) not in PERIODS:
        raise ImproperlyConfigured(f"Bad throttle rate {rate!r}: use <requests>/<period>, e.g. 30/min")
    return int(match.group(1)), int(match.group(2) or 1) * PERIODS[match.group(3)]


class WindowThrottle(BaseThrottle):
    """A fixed-window request counter per key in the shared cache. Subclasses name a `scope` (the rate's key
    in DEFAULT_THROTTLE_RATES) and say which keys a request counts against (`idents`)."""

    scope: str = ""
    methods = frozenset({"POST"})
    timer = time.time

    def __init__(self):
        rates = api_settings.DEFAULT_THROTTLE_RATES or {}
        if self.scope not in rates:
            raise ImproperlyConfigured(f"No throttle rate for scope {self.scope!r}")
        self.num_requests, self.duration = parse_rate(rates[self.scope])
        self.retry_after: float | None = None

    def idents(self, request, view) -> list[str]:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        if request.method not in self.methods:
            return True
        now = self.timer()
        window = int(now // self.duration)
        for ident in self.idents(request, view):
            digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
            key = f"throttle:{self.scope}:{digest}:{window}"
            cache.add(key, 0, timeout=self.duration + 5)
            try:
                count = cache.incr(key)
            except ValueError:  # the key expired between add and incr
                cache.add(key, 1, timeout=self.duration + 5)
                count = 1
            if count > self.num_requests:
                self.retry_after = (window + 1) * self.duration - now
                return False
        return True

    def wait(self):
        return self.retry_after


class AddressThrottle(WindowThrottle):
    """Counts the requests of one client address."""

    def idents(self, request, view):
        ident = self.get_ident(request)
        return [f"ip:{ident}"] if ident else []


class AccountThrottle(WindowThrottle):
    """Counts the requests that name one account, in the body (`body_fields`) or the path (`path_kwargs`)."""

    body_fields: tuple[str, ...] = ()
    path_kwargs: tuple[str, ...] = ()

    def idents(self, request, view):
        values = [getattr(view, "kwargs", {}).get(name) for name in self.path_kwargs]
        if self.body_fields:
            data = json_body(request)
            if isinstance(data, dict):
                values += [data.get(name) for name in self.body_fields]
        return sorted({f"account:{str(value).strip().lower()}" for value in values
                       if isinstance(value, str | int) and str(value).strip()})


def json_body(request):
    """The request's JSON body as the view will read it (saintsxctf/api/parsers.py), without consuming
    `request.data`: a body the parser refuses stays the view's to answer, exactly as it would without the
    throttle (and it reaches no password check)."""
    return read_json(request)


def throttles(name: str, *, body_fields: tuple[str, ...] = (), path_kwargs: tuple[str, ...] = ()) -> list[type]:
    """The address and account throttle classes of one guarded endpoint (rates `<name>_ip`, `<name>_account`)."""
    by_address = type(f"{name.title().replace('_', '')}AddressThrottle", (AddressThrottle,),
                      {"scope": f"{name}_ip", "__module__": __name__})
    by_account = type(f"{name.title().replace('_', '')}AccountThrottle", (AccountThrottle,),
                      {"scope": f"{name}_account", "body_fields": body_fields, "path_kwargs": path_kwargs,
                       "__module__": __name__})
    return [by_address, by_account]


# POST /auth/token (and /auth/token/pair): {"clientId": <username or email>, "clientSecret": ...}
TOKEN_THROTTLES = throttles("token", body_fields=("clientId", "username"))
# POST /v2/users/ (signup): {"username", "email", ...}
SIGNUP_THROTTLES = throttles("signup", body_fields=("username", "email"))
# POST /v2/forgot_password/<username> (the path names a username or an email)
FORGOT_PASSWORD_THROTTLES = throttles("forgot_password", path_kwargs=("username",))
# POST /v2/activation_code/: {"group_id", "email"}
ACTIVATION_CODE_THROTTLES = throttles("activation_code", body_fields=("email",))
