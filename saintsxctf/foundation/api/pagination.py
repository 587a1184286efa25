"""Paging: the feeds take `limit` and `offset` in the path, the list endpoints (`GET /v2/logs/`, comments,
notifications, users) in the query (`?limit=50&offset=100`, newest first); a page answers `pages` and
`next`/`prev` links built with `link()` (a feed's `self` names its page too).

The original's arithmetic, kept: `pages` is ceil(count / limit); `prev` is the page `limit` earlier, or null
when that would start before 0; `next` is always the page after (even on the last page, as the clients
expect), except on an empty page, which answers `next: null` as the original did (deviations.md 3).
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import QuerySet

from saintsxctf.foundation.api.errors import ContractError
from saintsxctf.foundation.api.links import link
from saintsxctf.foundation.api.parameters import MAX_ID, parse_whole_number

# Larger offsets name no page of any feed, and would overflow some databases' LIMIT/OFFSET.
MAX_PAGE_NUMBER = MAX_ID
# The most rows one page may ask for (the web client asks for 10, the iOS app for 25): a page of every log
# took 10 s and 20 MB at 58,657 logs and tied up a worker (security probe F1). README, "Security and reliability".
MAX_LIMIT = settings.API_MAX_PAGE_SIZE
BAD_LIMIT = f"limit must be a whole number from 1 to {MAX_LIMIT}"
BAD_OFFSET = f"offset must be a whole number from 0 to {MAX_PAGE_NUMBER}"


def page_params(limit: str, offset: str) -> tuple[int, int]:
    """`limit` and `offset` from the path (or query) as ints; a ContractError (400) for anything else."""
    rows, skip = parse_whole_number(limit, low=1, high=MAX_LIMIT), parse_whole_number(offset, high=MAX_PAGE_NUMBER)
    if rows is None:
        raise ContractError(BAD_LIMIT)
    if skip is None:
        raise ContractError(BAD_OFFSET)
    return rows, skip


def query_page_params(query) -> tuple[int, int]:
    """`?limit=&offset=` of a list endpoint; the default page is the newest API_DEFAULT_PAGE_SIZE rows."""
    return page_params(query.get("limit", str(settings.API_DEFAULT_PAGE_SIZE)), query.get("offset", "0"))


@dataclass(frozen=True)
class PathPage:
    """One page of an ordered queryset, addressed by limit and offset in the path."""

    items: list
    count: int
    limit: int
    offset: int

    @property
    def pages(self) -> int:
        return -(-self.count // self.limit)

    def links(self, view_name: str, **kwargs) -> dict:
        """`self`, `next` and `prev` of this page: the route `view_name` with `kwargs`, limit and offset."""

        def at(offset: int) -> str:
            return link(view_name, **kwargs, limit=self.limit, offset=offset)

        return {
            "self": at(self.offset),
            "next": at(self.offset + self.limit) if self.items else None,
            "prev": at(self.offset - self.limit) if self.offset - self.limit >= 0 else None,
        }

    def query_links(self, view_name: str) -> dict:
        """`next` and `prev` of a list page: the route `view_name` with `?limit=&offset=` (the feeds' arithmetic)."""

        def at(offset: int) -> str:
            return f"{link(view_name)}?{urlencode({'limit': self.limit, 'offset': offset})}"

        return {
            "next": at(self.offset + self.limit) if self.items else None,
            "prev": at(self.offset - self.limit) if self.offset - self.limit >= 0 else None,
        }


def paginate(queryset: QuerySet, *, limit: int, offset: int, count: int | None = None) -> PathPage:
    """Count the rows and fetch one page of them (skipped when the page is past the end).

    The count is one COUNT query, unless the caller passes `count`: the exact number of rows of `queryset`,
    when it knows a cheaper way to get it.
    """
    if not queryset.ordered:
        raise TypeError("paginate() needs an ordered queryset: pages would shuffle between requests")
    if count is None:
        count = queryset.count()
    return fetched_page(lambda start, length: list(queryset[start:start + length]), limit=limit, offset=offset,
                        count=count)


def fetched_page(fetch: Callable[[int, int], list], *, limit: int, offset: int, count: int) -> PathPage:
    """The page `fetch(offset, limit)` reads, of rows the caller counted and ordered (`count`; not read past the
    end): for a caller with a quicker path to its pages than a queryset's slice (the log feed's kept queries)."""
    items = fetch(offset, limit) if offset < count else []
    return PathPage(items=items, count=count, limit=limit, offset=offset)
