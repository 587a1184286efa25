"""Validators of values that become part of a URL."""

import functools
import re

from django.core.exceptions import ValidationError

WORD = re.compile(r"^[A-Za-z0-9_]+$")


@functools.cache
def route_words() -> frozenset[str]:
    """Every literal path segment of the API's routes (`links`, `members`, `search`, `soft`, ...), lower case:
    a team or group with such a name could never be read by name, since the route of that word wins."""
    from saintsxctf.urls import API_ROUTERS  # the URL conf imports the models that use this validator

    words = {"links"}
    for router in API_ROUTERS:
        words.add(router.path.strip("/"))
        for endpoint in router.endpoints():
            words.update(segment for segment in endpoint.regex.strip("^$/").split("/") if WORD.match(segment))
    return frozenset(word.lower() for word in words)


def not_a_route_word(value: str) -> None:
    """Refuse a name the routes use as a word (security probe: a team named `links`), in any letter case."""
    if str(value).strip().lower() in route_words():
        raise ValidationError("%(value)s is a word of the API's paths and cannot be a name.",
                              code="reserved", params={"value": value})
