"""Validators of values that become part of a URL."""

import functools
import re

from django.core.exceptions import ValidationError
from django.urls import URLResolver, get_resolver

WORD = re.compile(r"^[A-Za-z0-9_]+$")


@functools.cache
def route_words() -> frozenset[str]:
    """Every literal path segment of the API's routes (`links`, `members`, `search`, `soft`, ...), lower case:
    a team or group with such a name could never be read by name, since the route of that word wins.

    Read from the URL conf Django serves (`ROOT_URLCONF`, through the resolver), not imported from it: the URL
    conf imports the models that use this validator. Every include under `v2/` is a resource group's router."""
    words = {"links"}

    def visit(patterns, prefix: str) -> None:
        for entry in patterns:
            if not isinstance(entry, URLResolver):
                continue
            path = prefix + str(entry.pattern)
            if path.startswith("v2/") and path != "v2/":
                words.add(path.removeprefix("v2/").strip("/"))
                for endpoint in entry.url_patterns:
                    words.update(segment for segment in str(endpoint.pattern).strip("^$/").split("/")
                                 if WORD.match(segment))
            else:
                visit(entry.url_patterns, path)

    visit(get_resolver().url_patterns, "")
    return frozenset(word.lower() for word in words)


def not_a_route_word(value: str) -> None:
    """Refuse a name the routes use as a word (security probe: a team named `links`), in any letter case."""
    if str(value).strip().lower() in route_words():
        raise ValidationError("%(value)s is a word of the API's paths and cannot be a name.",
                              code="reserved", params={"value": value})
