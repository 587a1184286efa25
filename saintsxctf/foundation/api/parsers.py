"""The one JSON parser of the API, with hard limits (README, "Security and reliability").

- A body larger than `API_MAX_BODY_BYTES` is refused with 413 before it is read past the limit (the declared
  Content-Length is checked first, and at most limit + 1 bytes are ever read).
- JSON nested deeper than `API_MAX_JSON_DEPTH` is refused with 400 before it is decoded (Python's decoder
  recurses, and a body of 1,000 brackets would otherwise end in a RecursionError).
- Only UTF-8 is spoken: a body declaring another charset is refused with 415 (the throttles read the same bytes
  the views read, so a body in cp500 cannot name one account to the view and none to the throttle).
- Strings that cannot be stored or encoded (a lone surrogate such as "\\ud800") are refused with 400.

`read_json()` is the same logic for code that must look at a body without consuming `request.data` (the
throttles): it answers None for anything the parser would refuse.
"""

import codecs
import json
import re

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser

STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
BRACKET = re.compile(rb"[\[\]{}]")


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def max_body_bytes() -> int:
    return settings.API_MAX_BODY_BYTES


def declared_length(meta) -> int:
    try:
        return int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def charset_of(media_type: str | None) -> str | None:
    """The charset parameter of a Content-Type value, lower case, or None."""
    for param in (media_type or "").split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


def is_utf8(charset: str | None) -> bool:
    if charset is None:
        return True
    try:
        return codecs.lookup(charset).name == "utf-8"
    except LookupError:
        return False


def nesting_depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text (strings skipped), without decoding it."""
    depth = deepest = 0
    for match in BRACKET.finditer(STRING.sub(b'""', raw)):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def decode(raw: bytes):
    """The JSON value of `raw` (UTF-8), or ParseError for anything the API refuses to read."""
    limit = settings.API_MAX_JSON_DEPTH
    if nesting_depth(raw) > limit:
        raise exceptions.ParseError(f"JSON parse error - nested deeper than {limit} levels")
    try:
        text = raw.decode("utf-8")
        data = json.loads(text, parse_constant=_refuse_constant)
        # A lone surrogate ("\ud800") decodes to a str that no database or encoder accepts.
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError) as exc:
        raise exceptions.ParseError(f"JSON parse error - {exc}")
    return data


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


class BoundedJSONParser(JSONParser):
    """DRF's JSONParser with the API's limits on size, depth and charset (the module docstring)."""

    def parse(self, stream, media_type=None, parser_context=None):
        if not is_utf8(charset_of(media_type)):
            raise exceptions.UnsupportedMediaType(media_type)
        request = (parser_context or {}).get("request")
        limit = max_body_bytes()
        if request is not None and declared_length(request.META) > limit:
            raise PayloadTooLarge()
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge()
        return decode(raw)


def read_json(request):
    """The JSON body of a DRF request read as BoundedJSONParser would, without consuming `request.data`; None
    when there is none or the parser would refuse it (the view then answers that refusal itself)."""
    django_request = getattr(request, "_request", request)
    if declared_length(django_request.META) > max_body_bytes():
        return None
    if not is_utf8(charset_of(django_request.META.get("CONTENT_TYPE"))):
        return None
    try:
        raw = django_request.body
    except Exception:  # noqa: BLE001 - RawPostDataException, RequestDataTooBig, a dropped connection
        return None
    if not raw or len(raw) > max_body_bytes():
        return None
    try:
        return decode(raw)
    except exceptions.ParseError:
        return None
