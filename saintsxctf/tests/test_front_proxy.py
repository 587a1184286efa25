"""The front proxy file (ops/nginx/saintsxctf.conf.template) in a real nginx, in front of a real gunicorn.

The clients' calls go through it as they do in production: the web client's same-origin paths (`/api` stripped,
`/auth`, `/fn`, `/s3`, `/uasset`, its own files otherwise) and the iOS app's three hosts at their roots. The API
runs on a SQLite file of its own with a small demo data set (`seed_demo`), on free ports; everything started here
is stopped here. CI must run it: with CI=true a missing nginx fails the test instead of skipping it.
"""

import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from ops.harness import FrontProxy, Gunicorn, django_env, nginx_binary
from saintsxctf.operations.demo import COACH, DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
WEB = "www.saintsxctf.com"
IOS_API, IOS_AUTH, IOS_FN, IOS_UASSET = "api.saintsxctf.com", "auth.saintsxctf.com", "fn.saintsxctf.com", \
    "uasset.saintsxctf.com"
HOSTS = [WEB, "saintsxctf.com", IOS_API, IOS_AUTH, IOS_FN, IOS_UASSET]
INDEX = "<!doctype html><html><body><!-- the built web client --><div id=\"react-app\"></div></body></html>"
UPLOAD_LIMIT = 200_000  # bytes, lowered for the test so an oversized picture is quick to send


def require_nginx(binary: str | None) -> None:
    """Skip without nginx, except in CI (CI=true), where a missing nginx is a failure: the proxy must be tested."""
    if binary is None:
        message = "nginx is not installed: scripts/test-deps.sh installs it (make test)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.mark.parametrize(("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_without_nginx_ci_fails_and_a_laptop_skips(monkeypatch, ci, outcome):
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome):
        require_nginx(None)
    require_nginx("/usr/sbin/nginx")  # with it, nothing happens


@pytest.fixture(scope="module")
def stack():
    """nginx on ops/nginx's file -> gunicorn (2 workers) -> a migrated, seeded SQLite file."""
    require_nginx(nginx_binary())
    with tempfile.TemporaryDirectory(prefix="saintsxctf-proxy-test-") as tmp:
        tmp = Path(tmp)
        os.chmod(tmp, 0o755)
        web = tmp / "web"
        web.mkdir()
        (web / "index.html").write_text(INDEX)
        (web / "app.bundle.js").write_text("console.log('saintsxctf');\n")
        env = django_env(f"sqlite:///{tmp / 'db.sqlite3'}", ALLOWED_HOSTS=",".join(HOSTS + ["127.0.0.1"]),
                         MEDIA_ROOT=str(tmp / "media"), THROTTLE_NUM_PROXIES="1",
                         UPLOAD_MAX_BYTES=str(UPLOAD_LIMIT), EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
        if os.environ.get("REDIS_URL"):
            env["REDIS_URL"] = os.environ["REDIS_URL"]  # two workers share the cache, as in production
        for command in (["migrate", "--noinput", "-v0"],
                        ["seed_demo", "--users", "3", "--groups", "1", "--logs", "20", "--weeks", "2"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True,
                           capture_output=True, timeout=300)
        with Gunicorn(env, workers=2, logfile=tmp / "gunicorn.log") as api, FrontProxy(api.port, web) as proxy:
            yield proxy
            assert "[emerg]" not in proxy.error_log() and "[crit]" not in proxy.error_log()


def call(proxy, method, path, *, host=WEB, body=None, data=None, headers=None):
    """(status, headers, body bytes) of one request through the proxy, as `host`."""
    headers = {"Host": host, "Accept": "*/*", **(headers or {})}
    if body is not None:
        data = json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json;charset=UTF-8")
    request = urllib.request.Request(proxy.base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def call_json(proxy, method, path, **kwargs):
    status, _, raw = call(proxy, method, path, **kwargs)
    return status, json.loads(raw) if raw else None


@pytest.fixture(scope="module")
def token(stack):
    """The web client's sign-in: POST /auth/token, as the coach (an admin of every demo group)."""
    status, body = call_json(stack, "POST", "/auth/token", body={"clientId": COACH, "clientSecret": DEMO_PASSWORD})
    assert status == 200 and body["result"].count(".") == 2, body
    return body["result"]


def png(size=(24, 24)) -> bytes:
    import io

    out = io.BytesIO()
    Image.new("RGB", size, (153, 0, 0)).save(out, format="PNG")
    return out.getvalue()


# -- the web client ---------------------------------------------------------------------------------------------
def test_the_web_clients_files_and_client_side_routes(stack):
    for path in ("/", "/profile/coach", "/log/view/3", "/index.html"):
        status, _, raw = call(stack, "GET", path)
        assert status == 200 and raw.decode() == INDEX, path
    status, headers, raw = call(stack, "GET", "/app.bundle.js")
    assert status == 200 and b"saintsxctf" in raw and "javascript" in headers["Content-Type"]
    assert call(stack, "GET", "/asset/saintsxctf.png")[0] == 404


def test_sign_in_then_read_the_runner_and_the_feed(stack, token):
    bearer = {"Authorization": f"Bearer {token}"}
    status, body = call_json(stack, "GET", f"/api/v2/users/{COACH}", headers=bearer)
    assert status == 200 and body["self"] == f"/v2/users/{COACH}" and body["user"]["username"] == COACH
    status, body = call_json(stack, "GET", "/api/v2/log_feed/all/all/10/0", headers=bearer)
    assert status == 200 and body["self"] == "/v2/log_feed/all/all/10/0"
    assert len(body["logs"]) == 10 and {"log_id", "username", "comments"} <= set(body["logs"][0])
    # A path parameter with a space (the client's team search) reaches the API encoded as it was sent.
    status, body = call_json(stack, "GET", "/api/v2/teams/search/saints%20xc/6", headers=bearer)
    assert status == 200 and body["self"] == "/v2/teams/search/saints%20xc/6"
    # Signed out: the contract's 401 from the API itself, through the proxy.
    status, body = call_json(stack, "GET", "/api/v2/log_feed/all/all/10/0")
    assert status == 401 and body["error_description"] == "Unauthorized"


def test_a_profile_picture_upload_and_read_as_the_web_client_does(stack, token):
    # 1. The signed URL, from /fn with the raw token (the client's fn axios instance sends no "Bearer").
    status, body = call_json(stack, "POST", "/fn/uasset/signed-url/user", headers={"authorization": token},
                             body={"username": COACH, "contentType": "image/png"})
    assert status == 200, body
    key, upload_url = body["key"], body["uploadUrl"]
    # 2. The bytes, to the URL rewritten to same-origin /s3/ (src/redux/modules/profile.ts), no Authorization.
    s3_path = "/s3/" + upload_url.replace("https://s3.amazonaws.com/", "")
    data = png()
    status, body = call_json(stack, "PUT", s3_path, data=data, headers={"Content-Type": "image/png"})
    assert status == 200 and body["uploaded"] is True and body["key"] == key
    # 3. The runner's record names the picture (PUT users with the whole stored user, as the client sends it).
    name = key.split("/")[-1]
    bearer = {"Authorization": f"Bearer {token}"}
    _, user = call_json(stack, "GET", f"/api/v2/users/{COACH}", headers=bearer)
    status, body = call_json(stack, "PUT", f"/api/v2/users/{COACH}", headers=bearer,
                             body={**user["user"], "profilepic_name": name, "isFetching": False})
    assert status == 200 and body["user"]["profilepic_name"] == name, body
    # 4. The <img> tag's read: public, the same bytes.
    status, headers, raw = call(stack, "GET", f"/uasset/profile/{COACH}/{name}")
    assert status == 200 and raw == data and headers["Content-Type"] == "image/png"
    # The same URL cannot be used twice, and a refused upload is the API's JSON answer.
    status, body = call_json(stack, "PUT", s3_path, data=data, headers={"Content-Type": "image/png"})
    assert status == 409 and body["uploaded"] is False


def test_an_oversized_or_fake_picture_is_refused_by_the_api(stack, token):
    def fresh_upload_path():
        _, body = call_json(stack, "POST", "/fn/uasset/signed-url/user", headers={"authorization": token},
                            body={"username": COACH, "contentType": "image/png"})
        return "/s3/" + body["uploadUrl"].replace("https://s3.amazonaws.com/", "")

    status, body = call_json(stack, "PUT", fresh_upload_path(), data=png() + b"\0" * UPLOAD_LIMIT,
                             headers={"Content-Type": "image/png"})
    assert status == 413 and body["error"] == f"the picture is larger than {UPLOAD_LIMIT} bytes"
    status, body = call_json(stack, "PUT", fresh_upload_path(), data=b"<svg onload=alert(1)>",
                             headers={"Content-Type": "image/png"})
    assert status == 400 and body["uploaded"] is False


def test_the_welcome_and_activation_code_functions(stack, token):
    # Signed out, the web client sends an empty `authorization:` to the welcome function.
    status, body = call_json(stack, "POST", "/fn/email/welcome", headers={"authorization": ""},
                             body={"to": "new@example.com", "firstName": "New", "lastName": "Bie",
                                   "username": "newbie"})
    assert status == 200 and body == {"self": "/fn/email/welcome", "result": True}
    status, body = call_json(stack, "POST", "/fn/email/activation-code", headers={"authorization": ""},
                             body={"email": "new@example.com", "code": "NOPE"})
    assert status == 403


# -- the iOS app's hosts ----------------------------------------------------------------------------------------
def test_the_ios_app_at_its_three_host_roots(stack):
    status, body = call_json(stack, "POST", "/token", host=IOS_AUTH,
                             body={"clientId": COACH, "clientSecret": DEMO_PASSWORD},
                             headers={"Accept": "application/json"})
    assert status == 200 and body["result"].count(".") == 2
    jwt = body["result"]
    bearer = {"Authorization": f"Bearer {jwt}", "Accept": "application/json"}
    status, body = call_json(stack, "GET", f"/v2/users/{COACH}", host=IOS_API, headers=bearer)
    assert status == 200 and body["user"]["username"] == COACH
    status, body = call_json(stack, "GET", f"/v2/log_feed/user/{COACH}/25/0", host=IOS_API, headers=bearer)
    assert status == 200 and isinstance(body["logs"], list)
    # fn: the welcome mail with `email` (not `to`) and no Authorization; the report with the raw JWT.
    status, body = call_json(stack, "POST", "/email/welcome", host=IOS_FN,
                             body={"email": "new@example.com", "firstName": "New", "lastName": "Bie"})
    assert status == 200 and body["result"] is True
    status, body = call_json(stack, "POST", "/email/report", host=IOS_FN, headers={"Authorization": jwt},
                             body={"firstName": "Casey", "lastName": "Coach", "report": "The feed is slow."})
    assert status == 200 and body["result"] is True
    # A picture in PUT users (the app's data URI) is far over the API host's body limit: a 4xx, not a 403.
    status, _, _ = call(stack, "PUT", f"/v2/users/{COACH}", host=IOS_API, headers=bearer,
                        data=b"{" + b" " * 2_000_000 + b"}")
    assert status == 413
    # The auth host serves only /auth: the API's other paths are not reachable through it.
    assert call(stack, "GET", f"/v2/users/{COACH}", host=IOS_AUTH, headers=bearer)[0] == 404


def test_the_ios_app_reads_pictures_from_the_uasset_host(stack, token):
    _, body = call_json(stack, "POST", "/fn/uasset/signed-url/user", headers={"authorization": token},
                        body={"username": COACH, "contentType": "image/png"})
    data = png((8, 8))
    s3_path = "/s3/" + body["uploadUrl"].replace("https://s3.amazonaws.com/", "")
    assert call(stack, "PUT", s3_path, data=data, headers={"Content-Type": "image/png"})[0] == 200
    status, _, raw = call(stack, "GET", "/" + body["key"], host=IOS_UASSET)  # /prod/profile/<username>/<name>
    assert status == 200 and raw == data
    assert call(stack, "GET", "/v2/users", host=IOS_UASSET)[0] == 404


def test_the_ios_app_reads_a_group_picture_by_the_groups_name(stack, token):
    bearer = {"Authorization": f"Bearer {token}"}
    _, groups = call_json(stack, "GET", f"/api/v2/users/groups/{COACH}", headers=bearer)
    group = next(g for g in groups["groups"] if g["user"] == "admin" and g["status"] == "accepted")
    _, body = call_json(stack, "POST", "/fn/uasset/signed-url/group", headers={"authorization": token},
                        body={"groupId": group["id"], "contentType": "image/png"})
    data = png((6, 6))
    s3_path = "/s3/" + body["uploadUrl"].replace("https://s3.amazonaws.com/", "")
    assert call(stack, "PUT", s3_path, data=data, headers={"Content-Type": "image/png"})[0] == 200
    name = body["key"].split("/")[-1]
    _, current = call_json(stack, "GET", f"/api/v2/groups/{group['id']}", headers=bearer)
    status, _ = call_json(stack, "PUT", f"/api/v2/groups/{group['id']}", headers=bearer,
                          body={**current["group"], "grouppic_name": name})
    assert status == 200
    # The web client by id, the iOS app by name on its picture host.
    assert call(stack, "GET", f"/uasset/group/{group['id']}/{name}")[2] == data
    status, _, raw = call(stack, "GET", f"/prod/group/{group['group_name']}/{name}", host=IOS_UASSET)
    assert status == 200 and raw == data
