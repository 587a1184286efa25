"""Index hints (saintsxctf/foundation/hints.py): the hinted query answers what the plain one answers, on both
backends, and on MariaDB reaches the database with its `IGNORE INDEX`."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from logs.models import Log
from logs.tests.factories import LogFactory
from saintsxctf.foundation.hints import ignoring_index
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_hinted_queryset_answers_what_the_plain_one_answers():
    runners = UserFactory.create_batch(3)
    for k in range(12):
        LogFactory(user=runners[k % 3], date=date(2024, 1, 1 + k % 5))
    plain = Log.objects.exclude(user=runners[0]).order_by("-date", "-log_id")
    hinted = ignoring_index(plain, "log_user_deleted_date_flag")
    with CaptureQueriesContext(connection) as queries:
        # Filtered, sliced and counted after the hint: it stays on the copies the queryset makes.
        assert list(hinted.filter(date__gte=date(2024, 1, 2))[:5]) == list(plain.filter(date__gte=date(2024, 1, 2))[:5])
        assert hinted.count() == plain.count() == 8
    hints = ["IGNORE INDEX (`log_user_deleted_date_flag`)" in query["sql"] for query in queries.captured_queries]
    assert hints == ([True, False, True, False] if connection.vendor == "mysql" else [False] * 4)
    assert "IGNORE INDEX" not in str(plain.query)  # the original is left as it was


def test_a_hint_naming_an_index_the_model_lacks_is_refused():
    with pytest.raises(ValueError, match="no index 'log_nothing'"):
        ignoring_index(Log.objects.all(), "log_nothing")
