"""Feed paging: `limit` and `offset` come in the path, and a page answers `pages` and `self`/`next`/`prev`
links built with `link()`.

The original's arithmetic, kept: `pages` is ceil(count / limit); `prev` is the page `limit` earlier, or null
when that would start before 0; `next` is always the page after (even on the last page, as the clients
expect), except on an empty page, which answers `next: null` as the original did (deviations.md 3).
"""

import re
from dataclasses import dataclass

from django.db.models import QuerySet

from saintsxctf.api.errors import ContractError
from saintsxctf.api.links import link

# Larger numbers name no page of any feed, and would overflow some databases' LIMIT/OFFSET.
MAX_PAGE_NUMBER = 2**31 - 1
BAD_LIMIT = f"limit must be a whole number from 1 to {MAX_PAGE_NUMBER}"
BAD_OFFSET = f"offset must be a whole number from 0 to {MAX_PAGE_NUMBER}"


def page_params(limit: str, offset: str) -> tuple[int, int]:
    """`limit` and `offset` from the path as ints; a ContractError (400) for anything else."""
    if not re.fullmatch(r"\d{1,10}", limit) or not 1 <= int(limit) <= MAX_PAGE_NUMBER:
        raise ContractError(BAD_LIMIT)
    if not re.fullmatch(r"\d{1,10}", offset) or int(offset) > MAX_PAGE_NUMBER:
        raise ContractError(BAD_OFFSET)
    return int(limit), int(offset)


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


def paginate(queryset: QuerySet, *, limit: int, offset: int) -> PathPage:
    """Count the rows (one COUNT query) and fetch one page of them (skipped when the page is past the end)."""
    if not queryset.ordered:
        raise TypeError("paginate() needs an ordered queryset: pages would shuffle between requests")
    count = queryset.count()
    items = list(queryset[offset:offset + limit]) if offset < count else []
    return PathPage(items=items, count=count, limit=limit, offset=offset)
