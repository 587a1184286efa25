"""Throttles for the endpoints that let anyone try a password or a code, or make the API create something.

Each guarded endpoint gets limits counted in the database (`saintsxctf.foundation.models.ThrottleCount`), so every gunicorn
worker and machine counts together in every configuration, Redis or not, and a cache flush never resets a count:

- per client address (`REMOTE_ADDR`; behind a proxy set `THROTTLE_NUM_PROXIES` so the address is taken from
  `X-Forwarded-For` as the proxy wrote it: a client cannot dodge the limit by sending its own header);
- per account: the account the request names, in the body or the path, *as the lookup resolves it*
  (`canonical_account`): a name the database matches to a runner counts as that runner, however it is spelled
  (letter case, accents, zero-width or full-width characters, the email instead of the username). The password
  and code endpoints count an account *together with the address* (`with_address`): a stranger who names a
  runner spends their own address's allowance, never the runner's, so nobody can lock a runner out of signing in
  from their own address (security probe F8). A guesser gets `<account rate>` tries per address, and the
  per-address rate bounds them over all accounts;
- per sender: the signed-in caller (notifications).

Rates are settings (`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`, from `THROTTLE_*` environment variables) in
DRF's form `<requests>/<period>` where the period may carry a count: `30/min`, `100/10min`, `5/hour`; several
windows are separated by commas (`10/min,100/day`) and each must hold.
Counting is a fixed window per key with an atomic `UPDATE ... SET count = count + 1` (`count_request`), so
concurrent workers never lose a count; expired windows are deleted now and then. Refused requests answer 429 with the framework error body and `Retry-After` (saintsxctf/foundation/api/errors.py).

Attaching them: one line on the view; each throttle counts only its `methods` (POST unless told).

    throttle_classes = SIGNUP_THROTTLES                      # users.views.UserViewSet (POST /v2/users/)
    @action(..., throttle_classes=CHANGE_PASSWORD_THROTTLES) # one action
"""

import hashlib
import random
import re
import unicodedata
from datetime import datetime

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import F
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from saintsxctf.foundation import clock
from saintsxctf.foundation.api.parsers import read_json
from saintsxctf.foundation.auth.accounts import user_find
from saintsxctf.foundation.models import ThrottleCount

PURGE_ONE_IN = 64  # about one counted request in this many also deletes the expired windows

PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600,
           "d": 86400, "day": 86400}
RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*$")


def parse_rate(rate: str) -> tuple[int, int]:
    """`"30/min"` → (30, 60); `"100/10min"` → (100, 600)."""
    match = RATE.match(rate or "")
    if not match or match.group(3) not in PERIODS:
        raise ImproperlyConfigured(f"Bad throttle rate {rate!r}: use <requests>/<period>, e.g. 30/min")
    return int(match.group(1)), int(match.group(2) or 1) * PERIODS[match.group(3)]


def parse_rates(rates: str) -> list[tuple[int, int]]:
    """`"10/min,100/day"` → [(10, 60), (100, 86400)]: every window must hold."""
    return [parse_rate(rate) for rate in (rates or "").split(",")] if rates else [parse_rate(rates)]


def count_request(key: str, *, now: float, expires_at: float) -> int:
    """Add one request to the counter `key` and return its new count (atomic across processes and hosts).
    `now` and `expires_at` are epoch seconds of the throttle's clock.

    One UPDATE when the counter exists; the first request of a window inserts it (a concurrent first request
    that loses the insert race counts through the UPDATE). The UPDATE and the read of its result share one
    transaction: the UPDATE's row lock keeps every other worker's increment out until this one has read its own
    count, so each request sees exactly its place in the window (read outside the transaction, two racing
    requests could both read the later count and the allowance would come out short)."""
    counters = ThrottleCount.objects.filter(key=key)

    def increment() -> int | None:
        with transaction.atomic():
            if not counters.update(count=F("count") + 1):
                return None
            return counters.values_list("count", flat=True).first()

    count = increment()
    if count is None:
        try:
            with transaction.atomic():
                ThrottleCount.objects.create(key=key, count=1, expires_at=datetime.fromtimestamp(expires_at))
            count = 1
        except IntegrityError:  # another worker created it first
            count = increment() or 1
    if random.randrange(PURGE_ONE_IN) == 0:
        ThrottleCount.objects.filter(expires_at__lt=datetime.fromtimestamp(now)).delete()
    return count


# -- accounts ---------------------------------------------------------------------------------------
def normalized_name(value) -> str:
    """A name as the database's collation compares it (utf8mb4_unicode_ci): compatibility forms folded
    (full-width letters), format characters dropped (zero-width spaces), accents dropped, case folded,
    surrounding space trimmed."""
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(c for c in text if not unicodedata.combining(c) and unicodedata.category(c) != "Cf")
    return unicodedata.normalize("NFKC", text).casefold().strip()


def canonical_account(value) -> str | None:
    """The account a request names, as a throttle key: the username of the runner the lookup finds for it
    (saintsxctf/foundation/auth/accounts.py: username first, else email; tried as given and normalized), else the
    normalized name. None for nothing at all."""
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        return None
    text = str(value).strip()
    name = normalized_name(text)
    for candidate in dict.fromkeys((text, name)):
        if not candidate or len(candidate) > 254:
            continue
        try:
            user = user_find(candidate)
        except Exception:  # noqa: BLE001 - a value the database cannot even compare names no account
            user = None
        if user is not None:
            return normalized_name(user.username)
    return name or None


class WindowThrottle(BaseThrottle):
    """Fixed-window request counters per key in the database. Subclasses name a `scope` (the rate's key
    in DEFAULT_THROTTLE_RATES) and say which keys a request counts against (`idents`)."""

    scope: str = ""
    methods = frozenset({"POST"})

    def timer(self) -> float:
        """Now, in seconds: the one clock every throttle reads (saintsxctf/foundation/clock.py; tests pin it)."""
        return clock.seconds()

    def __init__(self):
        rates = api_settings.DEFAULT_THROTTLE_RATES or {}
        if self.scope not in rates:
            raise ImproperlyConfigured(f"No throttle rate for scope {self.scope!r}")
        self.windows = parse_rates(rates[self.scope])
        self.num_requests, self.duration = self.windows[0]
        self.retry_after: float | None = None

    def idents(self, request, view) -> list[str]:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        if request.method not in self.methods:
            return True
        now = self.timer()
        for ident in self.idents(request, view):
            digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:32]
            for num_requests, duration in self.windows:
                window = int(now // duration)
                key = f"throttle:{self.scope}:{duration}:{digest}:{window}"
                count = count_request(key, now=now, expires_at=(window + 1) * duration + 5)
                if count > num_requests:
                    self.retry_after = (window + 1) * duration - now
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
    """Counts the requests that name one account (`canonical_account`), in the body (`body_fields`) or the path
    (`path_kwargs`); with `with_address`, per account and client address together."""

    body_fields: tuple[str, ...] = ()
    path_kwargs: tuple[str, ...] = ()
    with_address = False

    def idents(self, request, view):
        values = [getattr(view, "kwargs", {}).get(name) for name in self.path_kwargs]
        if self.body_fields:
            data = json_body(request)
            if isinstance(data, dict):
                values += [data.get(name) for name in self.body_fields]
        accounts = sorted({account for account in map(canonical_account, values) if account})
        suffix = f"|ip:{self.get_ident(request)}" if self.with_address else ""
        return [f"account:{account}{suffix}" for account in accounts]


class SenderThrottle(WindowThrottle):
    """Counts the requests of one signed-in caller."""

    def idents(self, request, view):
        user = getattr(request, "user", None)
        return [f"sender:{user.get_username()}"] if user is not None and user.is_authenticated else []


def json_body(request):
    """The request's JSON body as the view will read it (saintsxctf/foundation/api/parsers.py), without consuming
    `request.data`: a body the parser refuses stays the view's to answer, exactly as it would without the
    throttle (and it reaches no password check)."""
    return read_json(request)


def throttles(name: str, *, methods=("POST",), body_fields: tuple[str, ...] = (), path_kwargs: tuple[str, ...] = (),
              with_address: bool = False) -> list[type]:
    """The address and account throttle classes of one guarded endpoint (rates `<name>_ip`, `<name>_account`)."""
    prefix = name.title().replace("_", "")
    by_address = type(f"{prefix}AddressThrottle", (AddressThrottle,),
                      {"scope": f"{name}_ip", "methods": frozenset(methods), "__module__": __name__})
    if not body_fields and not path_kwargs:
        return [by_address]
    by_account = type(f"{prefix}AccountThrottle", (AccountThrottle,),
                      {"scope": f"{name}_account", "body_fields": body_fields, "path_kwargs": path_kwargs,
                       "with_address": with_address, "methods": frozenset(methods), "__module__": __name__})
    return [by_address, by_account]


def sender_throttle(name: str, *, methods=("POST",)) -> list[type]:
    return [type(f"{name.title().replace('_', '')}SenderThrottle", (SenderThrottle,),
                 {"scope": f"{name}_sender", "methods": frozenset(methods), "__module__": __name__})]


# POST /auth/token: {"clientId": <username or email>, "clientSecret": ...}
TOKEN_THROTTLES = throttles("token", body_fields=("clientId",), with_address=True)
# POST /auth/token/pair: {"username": <username or email>, "password": ...} (the same allowance as /auth/token)
TOKEN_PAIR_THROTTLES = throttles("token", body_fields=("username",), with_address=True)
# The admin's login form (saintsxctf/admin_login.py): the same allowance as /auth/token.
ADMIN_LOGIN_THROTTLES = TOKEN_PAIR_THROTTLES
# Every endpoint that checks a code anyone could guess, one allowance per address for all of them:
# GET /v2/forgot_password/validate/<code>, GET /v2/activation_code/<code> and .../exists/<code>, change_password
# and signup (below).
CODE_CHECK_THROTTLES = throttles("code_check", methods=("GET", "PUT", "POST"))
# POST /v2/users/ (signup): {"username", "email", "activation_code", ...}; counts as a code check too.
SIGNUP_THROTTLES = [*throttles("signup", body_fields=("username", "email")), *throttles("code_check")]
# POST /v2/forgot_password/<username or email>: per account from every address (each request mails the runner)
FORGOT_PASSWORD_THROTTLES = throttles("forgot_password", path_kwargs=("username",))
# POST /v2/activation_code/: {"group_id", "email"}
ACTIVATION_CODE_THROTTLES = throttles("activation_code", body_fields=("email",))
# PUT /v2/users/<username>/change_password {forgot_password_code, new_password}: a code and the runner it is for.
CHANGE_PASSWORD_THROTTLES = [*CODE_CHECK_THROTTLES, *throttles(
    "change_password", methods=("PUT",), path_kwargs=("username",), with_address=True)[1:]]
# POST /v2/notifications/: per sender.
NOTIFICATION_THROTTLES = sender_throttle("notification")
