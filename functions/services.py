"""Profile and group pictures: upload keys, signed upload URLs, the checks an upload passes, and storage.

The clients' flow (other-clients.md section 6, web-client.md section 4), kept as the original had it:
1. `POST /fn/uasset/signed-url/user` (or `/group`) answers a `key`, `<env>/profile/<username>/<epoch ms>.<ext>`,
   and an `uploadUrl`, `https://s3.amazonaws.com/<bucket>/<key>?signature=...`. The web client rewrites that URL
   to same-origin `/s3/<bucket>/<key>?signature=...`, which the front proxy sends to us.
2. `PUT /s3/...` carries the raw bytes. The signature (Django's signing, salted, timestamped) names the key and
   the Content-Type and expires after UPLOAD_URL_MAX_AGE seconds, so the URL needs no Authorization header and
   only works for what it was issued for: the caller's own picture, or a group they administer.
3. The picture is read back from `/uasset/profile/<username>/<name>` or `/uasset/group/<id>/<name>`.

What the original let through and we do not: any Content-Type (stored as `.png`), any size, bytes that are not
an image, and key segments that climb out of their folder (`..`, slashes, control characters). An upload here
must decode (Pillow) as the JPEG, PNG, GIF or WebP its Content-Type names, within UPLOAD_MAX_BYTES and
UPLOAD_MAX_PIXELS. Storage is Django's default storage (a local folder, or S3-compatible: settings.py).
"""

import io
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, UnidentifiedImageError

from saintsxctf.foundation.api.errors import ContractError

PROFILE, GROUP = "profile", "group"
# Content-Type -> (file extension, the format Pillow must decode). The key's extension follows the type (the
# original wrote `png` for anything but image/jpeg; clients only use the key's last segment as a name).
IMAGE_TYPES = {
    "image/jpeg": ("jpg", "JPEG"),
    "image/png": ("png", "PNG"),
    "image/gif": ("gif", "GIF"),
    "image/webp": ("webp", "WEBP"),
}
# What a stored picture is served as, by its extension (`jpeg`/`jpg` both appear in the original's bucket).
SERVED_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif",
                "webp": "image/webp"}
SIGNING_SALT = "functions.upload-url"
# One path segment that stays inside its folder: not `.` or `..`, no separators, no control characters.
SAFE_SEGMENT = re.compile(r"(?!\.{1,2}\Z)[^/\\\x00-\x1f\x7f]{1,100}\Z")

UNSUPPORTED_TYPE = "contentType must be one of " + ", ".join(IMAGE_TYPES)
BAD_SEGMENT = "the name {value!r} cannot be part of a picture's path"
URL_INVALID = "the upload URL is not valid"
URL_EXPIRED = "the upload URL has expired"
URL_OTHER_TYPE = "the upload URL was signed for another Content-Type"
TOO_LARGE = "the picture is larger than {limit} bytes"
EMPTY = "the request body is empty"
NOT_AN_IMAGE = "the body is not a {format} image"
TOO_MANY_PIXELS = "the picture has more than {limit} pixels"
ALREADY_UPLOADED = "a picture was already uploaded with this URL"


@dataclass(frozen=True)
class PictureKey:
    """Where a picture lives: `<env>/<kind>/<owner>/<name>`, both its storage name and the upload key."""

    kind: str  # PROFILE or GROUP
    owner: str  # a username, or a group id as text
    name: str
    env: str = ""

    def __post_init__(self):
        if not self.env:
            object.__setattr__(self, "env", settings.UASSET_ENV)
        for value in (self.env, self.owner, self.name):
            if not SAFE_SEGMENT.match(value):
                raise ContractError(BAD_SEGMENT.format(value=value))

    @property
    def storage_name(self) -> str:
        return "/".join((self.env, self.kind, self.owner, self.name))

    @property
    def served_type(self) -> str | None:
        return SERVED_TYPES.get(self.name.rpartition(".")[2].lower())


def image_extension(content_type: str) -> str:
    """The key extension for an upload's Content-Type; 400 for a type we do not take."""
    if content_type not in IMAGE_TYPES:
        raise ContractError(UNSUPPORTED_TYPE)
    return IMAGE_TYPES[content_type][0]


def upload_key_new(*, kind: str, owner: str, content_type: str) -> PictureKey:
    """A fresh key for a new picture of `owner`, named by the time in milliseconds (as the original)."""
    extension = image_extension(content_type)
    return PictureKey(kind=kind, owner=owner, name=f"{time.time_ns() // 1_000_000}.{extension}")


def upload_signature(key: PictureKey, content_type: str) -> str:
    """The token an upload URL carries: signed, timestamped, naming the key and the Content-Type."""
    return signing.dumps([key.storage_name, content_type], salt=SIGNING_SALT)


def upload_signature_check(signature: str, key: PictureKey, content_type: str) -> None:
    """Raise a 403 unless `signature` was issued, less than UPLOAD_URL_MAX_AGE ago, for this key and type."""
    try:
        signed_name, signed_type = signing.loads(signature, salt=SIGNING_SALT, max_age=settings.UPLOAD_URL_MAX_AGE)
    except signing.SignatureExpired:
        raise ContractError(URL_EXPIRED, status_code=403) from None
    except (signing.BadSignature, TypeError, ValueError):
        raise ContractError(URL_INVALID, status_code=403) from None
    if signed_name != key.storage_name:
        raise ContractError(URL_INVALID, status_code=403)
    if signed_type != content_type:
        raise ContractError(URL_OTHER_TYPE, status_code=403)


def read_limited(stream, content_length: str | None, limit: int) -> bytes:
    """The request body, refused (413) as soon as it is known to be over `limit` bytes."""
    if content_length and content_length.isdigit() and int(content_length) > limit:
        raise ContractError(TOO_LARGE.format(limit=limit), status_code=413)
    chunks, size = [], 0
    while chunk := stream.read(min(64 * 1024, limit + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise ContractError(TOO_LARGE.format(limit=limit), status_code=413)
    return b"".join(chunks)


def picture_check(data: bytes, content_type: str) -> None:
    """400 unless `data` decodes completely as the image format its Content-Type names, within the pixel limit."""
    if not data:
        raise ContractError(EMPTY)
    expected = IMAGE_TYPES[content_type][1]
    try:
        with Image.open(io.BytesIO(data), formats=[expected]) as image:
            width, height = image.size
            if width * height > settings.UPLOAD_MAX_PIXELS:
                raise ContractError(TOO_MANY_PIXELS.format(limit=settings.UPLOAD_MAX_PIXELS))
            image.load()  # decodes the pixels: a truncated or corrupt file fails here
    except ContractError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError, EOFError):
        raise ContractError(NOT_AN_IMAGE.format(format=expected)) from None


def picture_store(*, key: PictureKey, content_type: str, data: bytes) -> None:
    """Check `data` and store it under `key`; 409 if something is stored there already (a replayed URL)."""
    picture_check(data, content_type)
    if default_storage.exists(key.storage_name):
        raise ContractError(ALREADY_UPLOADED, status_code=409)
    saved = default_storage.save(key.storage_name, ContentFile(data))
    if saved != key.storage_name:  # two uploads raced to the same key: the storage renamed the second
        default_storage.delete(saved)
        raise ContractError(ALREADY_UPLOADED, status_code=409)


def picture_open(key: PictureKey):
    """The stored picture as an open binary file, or None when there is none."""
    if key.served_type is None or not default_storage.exists(key.storage_name):
        return None
    return default_storage.open(key.storage_name, "rb")
