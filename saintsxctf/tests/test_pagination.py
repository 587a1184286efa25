"""saintsxctf.foundation.api.pagination: the feed's page arithmetic and its guards."""

import pytest

from logs.models import Log
from saintsxctf.foundation.api.errors import ContractError
from saintsxctf.foundation.api.pagination import PathPage, page_params, paginate


@pytest.mark.parametrize(("limit", "offset", "expected"), [("10", "0", (10, 0)), ("010", "00", (10, 0)),
                                                           ("100", "2147483647", (100, 2147483647))])
def test_page_params(limit, offset, expected):
    assert page_params(limit, offset) == expected


@pytest.mark.parametrize(("limit", "offset"), [("0", "0"), ("-1", "0"), ("1.0", "0"), (" 1", "0"), ("", "0"),
                                               ("101", "0"), ("2147483647", "0"), ("2147483648", "0"), ("10", "-1"), ("10", "a"), ("10", "2147483648")])
def test_page_params_refuse_anything_else(limit, offset):
    with pytest.raises(ContractError):
        page_params(limit, offset)


@pytest.mark.parametrize(("count", "limit", "pages"), [(0, 10, 0), (1, 10, 1), (10, 10, 1), (11, 10, 2),
                                                       (455, 10, 46), (14151, 10, 1416)])
def test_pages_is_the_ceiling(count, limit, pages):
    assert PathPage(items=[], count=count, limit=limit, offset=0).pages == pages


@pytest.mark.django_db
def test_paginate_refuses_an_unordered_queryset():
    with pytest.raises(TypeError):
        paginate(Log.objects.order_by(), limit=10, offset=0)
