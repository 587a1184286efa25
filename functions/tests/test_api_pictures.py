"""Picture uploads as the web client makes them: a signed URL from /fn, a PUT to /s3, a GET from /uasset."""

import re
import time

import pytest
from django.core import signing
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import client_for
from functions.tests.conftest import image_bytes
from groups.tests.factories import GroupMemberFactory
from saintsxctf.foundation.auth.tokens import issue_access_token
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

USER_URL = reverse("functions:signed-url-user")
GROUP_URL = reverse("functions:signed-url-group")
S3 = "https://s3.amazonaws.com/"
FORMATS = {"image/jpeg": ("JPEG", "jpg"), "image/png": ("PNG", "png"), "image/gif": ("GIF", "gif"),
           "image/webp": ("WEBP", "webp")}


def s3_path(upload_url: str) -> str:
    """What the web client does (src/redux/modules/profile.ts): strip the S3 origin, PUT to its /s3/ base."""
    assert upload_url.startswith(S3)
    return "/s3/" + upload_url.replace(S3, "")


def put(path: str, data: bytes, content_type: str):
    """The upload: raw bytes, the file's Content-Type, no Authorization."""
    return APIClient().generic("PUT", path, data, content_type=content_type)


def signed_url(client, body):
    resp = client.post(USER_URL if "username" in body else GROUP_URL, body, format="json")
    assert resp.status_code == 200, resp.content
    return resp.json()


def test_paths_are_the_clients():
    assert (USER_URL, GROUP_URL) == ("/fn/uasset/signed-url/user", "/fn/uasset/signed-url/group")


@pytest.mark.parametrize("content_type", FORMATS)
def test_profile_picture_round_trip(auth_client, media, content_type):
    fmt, ext = FORMATS[content_type]
    body = signed_url(auth_client, {"username": "andy", "contentType": content_type})
    assert set(body) == {"self", "key", "uploadUrl"} and body["self"] == USER_URL
    assert re.fullmatch(rf"prod/profile/andy/\d{{13}}\.{ext}", body["key"])
    name = body["key"].split("/")[-1]  # what the client stores as profilepic_name
    assert body["uploadUrl"].startswith(f"{S3}uasset.saintsxctf.com/{body['key']}?signature=")

    data = image_bytes(fmt)
    resp = put(s3_path(body["uploadUrl"]), data, content_type)
    assert resp.status_code == 200, resp.content
    assert resp.json() == {"self": f"/s3/uasset.saintsxctf.com/{body['key']}", "uploaded": True,
                           "key": body["key"]}
    assert (media / body["key"]).read_bytes() == data

    resp = APIClient().get(reverse("functions:picture-profile", kwargs={"username": "andy", "name": name}))
    assert resp.status_code == 200
    assert resp["Content-Type"] == content_type
    assert b"".join(resp.streaming_content) == data
    assert f"/uasset/profile/andy/{name}" == reverse("functions:picture-profile",
                                                     kwargs={"username": "andy", "name": name})


def test_group_picture_round_trip(auth_client, group, media):
    body = signed_url(auth_client, {"groupId": group.id, "contentType": "image/jpeg"})
    assert re.fullmatch(rf"prod/group/{group.id}/\d{{13}}\.jpg", body["key"])
    data = image_bytes("JPEG")
    assert put(s3_path(body["uploadUrl"]), data, "image/jpeg").status_code == 200
    name = body["key"].split("/")[-1]
    resp = APIClient().get(f"/uasset/group/{group.id}/{name}")
    assert resp.status_code == 200 and b"".join(resp.streaming_content) == data
    assert resp["Content-Type"] == "image/jpeg"


def test_the_ios_app_reads_a_group_picture_by_the_groups_name(auth_client, group, media):
    body = signed_url(auth_client, {"groupId": group.id, "contentType": "image/png"})
    data = image_bytes("PNG")
    assert put(s3_path(body["uploadUrl"]), data, "image/png").status_code == 200
    name = body["key"].split("/")[-1]
    by_name = reverse("functions:picture-group-by-name", kwargs={"group_name": "alumni", "name": name})
    assert by_name == f"/uasset/group/alumni/{name}"
    assert APIClient().get(by_name).status_code == 404  # not the group's current picture yet
    group.grouppic_name = name
    group.save()
    resp = APIClient().get(by_name)
    assert resp.status_code == 200 and b"".join(resp.streaming_content) == data
    assert APIClient().get(f"/uasset/group/mensxc/{name}").status_code == 404


def test_the_raw_token_works_as_the_clients_send_it(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=issue_access_token(user))
    assert client.post(USER_URL, {"username": "andy", "contentType": "image/png"}, format="json").status_code == 200


def test_signed_urls_need_a_token(api_client, group):
    for url, body in ((USER_URL, {"username": "andy", "contentType": "image/png"}),
                      (GROUP_URL, {"groupId": group.id, "contentType": "image/png"})):
        assert api_client.post(url, body, format="json").status_code == 401
        assert api_client.post(url, body, format="json", HTTP_AUTHORIZATION="").status_code == 403


def test_a_runner_gets_no_url_for_someone_elses_picture(auth_client, other_user):
    resp = auth_client.post(USER_URL, {"username": "dotty", "contentType": "image/png"}, format="json")
    assert resp.status_code == 403
    assert resp.json() == {"self": USER_URL, "key": None, "uploadUrl": None,
                           "error": "User andy may only upload their own profile picture."}


def test_only_an_accepted_admin_gets_a_group_url(group, other_user):
    body = {"groupId": group.id, "contentType": "image/png"}
    GroupMemberFactory(group=group, user=other_user, status="accepted", role="user")
    pending = UserFactory(username="pending")
    GroupMemberFactory(group=group, user=pending, status="pending", role="admin")
    for runner in (other_user, pending, UserFactory(username="outsider")):
        resp = client_for(runner).post(GROUP_URL, body, format="json")
        assert resp.status_code == 403
        assert resp.json()["key"] is None and resp.json()["error"] == \
            f"User {runner.username} is not an admin of group {group.id}."
    resp = client_for(other_user).post(GROUP_URL, {"groupId": 999999, "contentType": "image/png"}, format="json")
    assert resp.status_code == 403


@pytest.mark.parametrize("body", [
    {"username": "andy", "contentType": "image/svg+xml"},
    {"username": "andy", "contentType": "text/html"},
    {"username": "andy"},
    {"contentType": "image/png"},
    {},
])
def test_bad_signed_url_requests_are_400(auth_client, body):
    resp = auth_client.post(USER_URL, body, format="json")
    assert resp.status_code == 400
    assert resp.json()["key"] is None and resp.json()["error"]


def test_a_group_id_that_is_not_a_number_is_400(auth_client):
    resp = auth_client.post(GROUP_URL, {"groupId": "../1", "contentType": "image/png"}, format="json")
    assert resp.status_code == 400


@pytest.mark.parametrize("username", ["..", "a/b", "a\\b", "tab\there"])
def test_a_username_that_would_leave_its_folder_gets_no_key(username):
    runner = UserFactory(username=username)
    resp = client_for(runner).post(USER_URL, {"username": username, "contentType": "image/png"}, format="json")
    assert resp.status_code == 400
    assert resp.json()["key"] is None


# -- the upload's refusals ----------------------------------------------------------------------------------------
@pytest.fixture
def upload(auth_client):
    """A fresh signed URL for andy's PNG: (s3 path, key)."""
    body = signed_url(auth_client, {"username": "andy", "contentType": "image/png"})
    return s3_path(body["uploadUrl"]), body["key"]


def stored(media) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()) if media.exists() else []


def test_no_signature_or_a_tampered_one_is_refused(upload, media):
    path, key = upload
    bare = path.split("?")[0]
    for url in (bare, bare + "?signature=", path[:-2] + "xx", bare + "?signature=" + signing.dumps([key, "x"])):
        resp = put(url, image_bytes("PNG"), "image/png")
        assert resp.status_code == 403, url
        assert resp.json()["uploaded"] is False and resp.json()["error"]
    assert stored(media) == []


def test_a_url_only_uploads_its_own_key(upload, media, other_user):
    path, key = upload
    signature = path.split("?")[1]
    others = f"/s3/uasset.saintsxctf.com/prod/profile/dotty/{key.split('/')[-1]}?{signature}"
    assert put(others, image_bytes("PNG"), "image/png").status_code == 403
    renamed = path.replace(key.split("/")[-1], "1.png")
    assert put(renamed, image_bytes("PNG"), "image/png").status_code == 403
    assert stored(media) == []


def test_a_url_expires(upload, media, monkeypatch, settings):
    path, _ = upload
    later = time.time() + settings.UPLOAD_URL_MAX_AGE + 1
    monkeypatch.setattr(signing.time, "time", lambda: later)
    resp = put(path, image_bytes("PNG"), "image/png")
    assert resp.status_code == 403 and resp.json()["error"] == "the upload URL has expired"
    assert stored(media) == []


def test_the_content_type_is_the_signed_one(upload, media):
    path, _ = upload
    resp = put(path, image_bytes("JPEG"), "image/jpeg")
    assert resp.status_code == 403
    assert resp.json()["error"] == "the upload URL was signed for another Content-Type"


@pytest.mark.parametrize("data", [
    b"",
    b"<html><script>alert(1)</script></html>",
    image_bytes("JPEG"),  # a real image, but not the PNG the URL was signed for
    image_bytes("PNG")[:-30],  # truncated
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
])
def test_only_a_real_image_of_the_signed_type_is_stored(upload, media, data):
    path, _ = upload
    resp = put(path, data, "image/png")
    assert resp.status_code == 400, resp.content
    assert resp.json()["uploaded"] is False
    assert stored(media) == []


def test_size_and_pixel_limits(auth_client, media, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    body = signed_url(auth_client, {"username": "andy", "contentType": "image/png"})
    noisy = image_bytes("PNG", size=(200, 200))
    big = noisy + b"\x00" * 1000
    resp = put(s3_path(body["uploadUrl"]), big, "image/png")
    assert resp.status_code == 413 and resp.json()["error"] == "the picture is larger than 1000 bytes"

    settings.UPLOAD_MAX_BYTES = 10_000
    settings.UPLOAD_MAX_PIXELS = 100
    resp = put(s3_path(body["uploadUrl"]), image_bytes("PNG", size=(11, 10)), "image/png")
    assert resp.status_code == 400 and resp.json()["error"] == "the picture has more than 100 pixels"
    assert stored(media) == []
    assert put(s3_path(body["uploadUrl"]), image_bytes("PNG", size=(10, 10)), "image/png").status_code == 200


def test_a_url_is_good_for_one_upload(upload, media):
    path, key = upload
    assert put(path, image_bytes("PNG"), "image/png").status_code == 200
    resp = put(path, image_bytes("PNG", color=(0, 0, 0)), "image/png")
    assert resp.status_code == 409
    assert stored(media) == [key]
    assert (media / key).read_bytes() == image_bytes("PNG")


def test_another_bucket_is_404(upload):
    path, _ = upload
    assert put(path.replace("uasset.saintsxctf.com", "other-bucket"), image_bytes("PNG"), "image/png").status_code \
        == 404


# -- reading pictures -------------------------------------------------------------------------------------------
def test_pictures_are_public_and_missing_ones_are_404(api_client, media):
    (media / "prod/profile/andy").mkdir(parents=True)
    (media / "prod/profile/andy/1.png").write_bytes(image_bytes("PNG"))
    (media / "secret.txt").write_text("secret")
    resp = api_client.get("/uasset/profile/andy/1.png")
    assert resp.status_code == 200 and resp["Content-Type"] == "image/png"
    assert resp["Cache-Control"].startswith("public")
    for path in ("/uasset/profile/andy/2.png", "/uasset/profile/dotty/1.png", "/uasset/group/1/1.png"):
        assert api_client.get(path).status_code == 404


@pytest.mark.parametrize("path", [
    "/uasset/profile/andy/..",
    "/uasset/profile/../secret.txt",
    "/uasset/profile/andy/..%2F..%2F..%2Fsecret.txt",
    "/uasset/profile/..%2F..%2Fsecret.txt/x.png",
    "/uasset/profile/%2E%2E/%2E%2E",
    "/uasset/group/1/..%5C..%5Csecret.txt",
    "/uasset/profile/andy/secret.txt",  # not a picture's extension: never served, whatever is stored
])
def test_paths_never_leave_the_pictures(api_client, media, path):
    (media / "prod/profile/andy").mkdir(parents=True)
    (media / "prod/profile/andy/secret.txt").write_text("secret")
    (media / "secret.txt").write_text("secret")
    resp = api_client.get(path)
    assert resp.status_code == 404
    assert b"secret" not in (b"".join(resp.streaming_content) if resp.streaming else resp.content)
