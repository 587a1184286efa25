"""User statistics and snapshot read summaries: their query counts do not grow with the user's history."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from groups.tests.factories import GroupFactory, GroupMemberFactory
from logs.tests.factories import LogFactory

pytestmark = pytest.mark.django_db


def add_history(user, days: int):
    for n in range(days):
        LogFactory(user=user, date=date(2020, 1, 1) + timedelta(days=n * 9))


@pytest.mark.parametrize(("name", "queries"), [("users:user-statistics", 3), ("users:user-snapshot", 6)])
def test_query_count_does_not_grow_with_the_history(auth_client, user, other_user, name, queries,
                                                    django_assert_num_queries):
    group = GroupFactory()
    GroupMemberFactory(group=group, user=user, status="accepted")
    GroupMemberFactory(group=group, user=other_user, status="accepted")
    add_history(user, 3)
    url = reverse(name, kwargs={"username": user.username})
    with django_assert_num_queries(queries):
        small = auth_client.get(url)
    add_history(user, 40)
    add_history(other_user, 40)
    with django_assert_num_queries(queries):
        large = auth_client.get(url)
    assert small.status_code == large.status_code == 200
    stats = large.json().get("stats") or large.json()["user"]["statistics"]
    assert stats["miles_all_time"] == pytest.approx(43 * 5.0)
