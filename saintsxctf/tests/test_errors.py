import pytest
from django.test import override_settings
from django.urls import reverse

from saintsxctf.foundation.auth.tokens import issue_access_token

pytestmark = pytest.mark.django_db

CONTACT = "coach@example.com"


def framework(reason: str) -> dict:
    return {"error_description": reason, "contact": CONTACT, "api_index": "/versions"}


def assert_framework_body(resp, status: int, reason: str):
    assert resp.status_code == status
    assert resp["Content-Type"].startswith("application/json")
    body = resp.json()
    assert {k: body[k] for k in ("error_description", "contact", "api_index")} == framework(reason)
    assert isinstance(body["exception"], str) and body["exception"]


@pytest.fixture(autouse=True)
def _contact(settings):
    settings.API_CONTACT_EMAIL = CONTACT


def test_missing_header_is_401(api_client, user):
    resp = api_client.get(reverse("users:user-detail", kwargs={"username": user.username}))
    assert_framework_body(resp, 401, "Unauthorized")


@pytest.mark.parametrize("header", ["Bearer not.a.jwt", "Bearer", "", "Basic YW5keTphcGl0ZXN0", "Bearer a b"])
def test_present_but_bad_header_is_403(api_client, user, header):
    resp = api_client.get(reverse("users:user-detail", kwargs={"username": user.username}),
                          HTTP_AUTHORIZATION=header)
    assert_framework_body(resp, 403, "Forbidden")


def test_token_of_a_deleted_user_is_403(api_client, user):
    token = issue_access_token(user)
    user.soft_delete()
    resp = api_client.get(reverse("users:user-detail", kwargs={"username": "andy"}),
                          HTTP_AUTHORIZATION=f"Bearer {token}")
    assert_framework_body(resp, 403, "Forbidden")


def test_unknown_path_is_404_json(api_client):
    assert_framework_body(api_client.get("/v2/nothing-here"), 404, "Page Not Found")
    assert_framework_body(api_client.get("/no/such/page"), 404, "Page Not Found")


@override_settings(DEBUG=True)
def test_unknown_path_is_json_even_in_debug(api_client):
    assert_framework_body(api_client.get("/v2/nothing-here"), 404, "Page Not Found")


def test_deliberate_404_and_500(api_client):
    assert_framework_body(api_client.get(reverse("error-404")), 404, "Page Not Found")
    assert_framework_body(api_client.get(reverse("error-500")), 500, "Internal Server Error")


def test_wrong_method_is_405(auth_client, user):
    resp = auth_client.post(reverse("users:user-detail", kwargs={"username": user.username}), {}, format="json")
    assert_framework_body(resp, 405, "Method Not Allowed")


def test_malformed_json_is_400(auth_client, user):
    resp = auth_client.generic("PUT", reverse("users:user-detail", kwargs={"username": user.username}),
                               "{not json", content_type="application/json")
    assert resp.status_code == 400
    body = resp.json()
    assert body["error_description"] == "Bad Request" and body["exception"].startswith("JSON parse error")
    assert body["contact"] == CONTACT


def test_endpoint_error_keeps_the_endpoint_envelope(auth_client):
    resp = auth_client.get(reverse("users:user-detail", kwargs={"username": "nobody"}))
    assert resp.status_code == 400
    assert resp.json() == {"self": "/v2/users/nobody", "user": None, "error": "there is no user with this username"}


def test_unhandled_error_is_500_json_without_traceback(auth_client, monkeypatch):
    from users import views

    def boom(self, *args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(views.UserViewSet, "retrieve", boom)
    resp = auth_client.get(reverse("users:user-detail", kwargs={"username": "andy"}))
    assert_framework_body(resp, 500, "Internal Server Error")
    assert "secret internals" not in resp.content.decode()
    assert "Traceback" not in resp.content.decode()


PROTECTED_REDIRECTS = ["users:user-redirect", "logs:log-redirect", "comments:comment-redirect",
                       "notifications:notification-redirect", "groups:group-redirect", "teams:team-redirect",
                       "flair:flair-redirect", "activation_code:activation_code-redirect"]


def test_every_collection_redirect_is_protected_but_types():
    """The list above is every redirect route the routers make (so a new one must be classified here)."""
    from saintsxctf.urls import API_ROUTERS

    names = {f"{router.namespace}:{pattern.name}" for router in API_ROUTERS for pattern in router.urls
             if pattern.name and pattern.name.endswith("-redirect")}
    assert names == {*PROTECTED_REDIRECTS, "types:type-redirect"}


@pytest.mark.parametrize("name", PROTECTED_REDIRECTS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_protected_collection_authenticates_before_it_redirects(api_client, user, name, method):
    """The original's redirect routes sat behind its auth check: 401 without a header, 403 with a bad one."""
    send = getattr(api_client, method)
    assert_framework_body(send(reverse(name), {}, format="json"), 401, "Unauthorized")
    for header in ("", "Bearer", "Bearer not.a.jwt"):
        assert_framework_body(send(reverse(name), {}, format="json", HTTP_AUTHORIZATION=header), 403, "Forbidden")

    resp = send(reverse(name), {}, format="json", HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user)}")
    assert resp.status_code == (302 if method == "get" else 307)
    assert resp["Location"] == reverse(name.replace("-redirect", "-list"))


@pytest.mark.parametrize("header", [None, "", "Bearer not.a.jwt"])
def test_types_redirect_needs_no_token(api_client, header):
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header}
    resp = api_client.get(reverse("types:type-redirect"), **extra)
    assert (resp.status_code, resp["Location"]) == (302, "/v2/types/")


def test_collection_redirects(auth_client):
    resp = auth_client.get(reverse("types:type-redirect"))
    assert resp.status_code == 302
    assert resp["Location"] == "/v2/types/"
    resp = auth_client.post(reverse("types:type-redirect"), {"a": 1}, format="json")
    assert resp.status_code == 307
    assert resp["Location"] == "/v2/types/"


@pytest.mark.django_db(transaction=True)
def test_a_204_goes_out_without_a_body(user):
    """Through the WSGI application itself: the test client would hide a body by stripping it."""
    from wsgiref.util import setup_testing_defaults

    from logs.tests.factories import LogFactory
    from saintsxctf.wsgi import application

    log = LogFactory(user=user)
    environ = {"REQUEST_METHOD": "DELETE", "PATH_INFO": reverse("logs:log-soft", kwargs={"log_id": log.pk}),
               "HTTP_AUTHORIZATION": f"Bearer {issue_access_token(user)}", "SERVER_NAME": "localhost"}
    setup_testing_defaults(environ)
    status = []
    body = b"".join(application(environ, lambda s, headers, exc_info=None: status.append(s)))
    assert status == ["204 No Content"]
    assert body == b""
