"""The admin site's login, behind the sign-in throttles (security probe F2: it had none).

The stock `admin.site.login` checks a password on every POST; here each POST first counts against the same
allowances as `/auth/token` (per address, and per account and address, the account resolved as the API's lookup
resolves it: saintsxctf/foundation/api/throttles.py). A refused POST checks no password and answers 429 with the framework
error body and `Retry-After`.
"""

from django.contrib import admin
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from saintsxctf.foundation.api.errors import framework_body
from saintsxctf.foundation.api.throttles import ADMIN_LOGIN_THROTTLES, AccountThrottle, canonical_account


class FormView:
    """What a throttle reads from a view: the URL kwargs (none here)."""

    kwargs: dict = {}


def form_account_throttle(throttle_class):
    """The account throttle `throttle_class`, reading the account from the login form instead of a JSON body."""

    class FormAccountThrottle(throttle_class):
        def idents(self, request, view):
            account = canonical_account(request.POST.get("username"))
            suffix = f"|ip:{self.get_ident(request)}" if self.with_address else ""
            return [f"account:{account}{suffix}"] if account else []

    return FormAccountThrottle


@csrf_protect
@never_cache
def admin_login(request, extra_context=None):
    """`admin.site.login`, refused with 429 once the caller has tried too many passwords."""
    if request.method == "POST":
        for throttle_class in ADMIN_LOGIN_THROTTLES:
            if issubclass(throttle_class, AccountThrottle):
                throttle_class = form_account_throttle(throttle_class)
            throttle = throttle_class()
            if not throttle.allow_request(request, FormView()):
                response = JsonResponse(framework_body(429, "Too many sign-in attempts; try again later."), status=429)
                response["Retry-After"] = str(int(throttle.wait() or 0) + 1)
                return response
    return admin.site.login(request, extra_context)
