"""Issue 13, security probe F13: a request can make a cache entry only for parameters that name real rows or
bounded values (100 GETs with made-up parameters used to add 101 Redis keys, each kept an hour)."""

from datetime import date

import pytest

from groups.tests.factories import GroupFactory, GroupMemberFactory
from logs.tests.factories import LogFactory
from saintsxctf.foundation import aggregates as cached

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(monkeypatch, settings):
    """The names of the aggregate entries stored while the test runs (with the aggregate cache on, whatever the
    configuration of the run)."""
    if "DummyCache" in settings.CACHES["default"]["BACKEND"]:  # a setup without a shared cache
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.AGGREGATE_CACHE = True
    names = []
    real = cached.cache

    class Spy:
        def __getattr__(self, name):
            return getattr(real, name)

        def set(self, key, value, *args, **kwargs):
            if key.count(":") >= 3:
                names.append(key.split(":")[3])
            return real.set(key, value, *args, **kwargs)

    monkeypatch.setattr(cached, "cache", Spy())
    return names


def test_made_up_parameters_store_nothing(auth_client, user, stored):
    for i in range(25):
        assert auth_client.get(f"/v2/range_view/users/nobody{i}/r/2026-01-0{1 + i % 9}/2026-01-20").status_code == 200
        assert auth_client.get(f"/v2/range_view/groups/{900000 + i}/r/2026-01-01/2026-01-20").status_code == 200
        assert auth_client.get(f"/v2/log_feed/user/nobody{i}/10/0").status_code == 200
        assert auth_client.get(f"/v2/groups/members/{900000 + i}").status_code == 400
        assert auth_client.get(f"/v2/groups/members/team{i}/group{i}").status_code == 400
    assert [name for name in stored if name in ("range_view", "log_count", "group_members")] == []


def test_range_views_of_a_runner_share_one_entry_per_month_span(auth_client, user, stored):
    LogFactory(user=user, date=date(2026, 1, 10))
    for start, end in [("2026-01-01", "2026-01-31"), ("2026-01-05", "2026-01-20"), ("2026-01-09", "2026-01-11"),
                       ("2026-01-10", "2026-01-10")]:
        days = auth_client.get(f"/v2/range_view/users/andy/r/{start}/{end}").json()["range_view"]
        assert [day["date"] for day in days] == ["Sat, 10 Jan 2026 00:00:00 GMT"]
    assert stored.count("range_view") == 1
    # Outside the logged day, within the same months: the same entry, trimmed.
    assert auth_client.get("/v2/range_view/users/andy/r/2026-01-11/2026-01-31").json()["range_view"] == []
    assert stored.count("range_view") == 1


def test_long_range_views_are_computed_not_stored(auth_client, user, stored):
    LogFactory(user=user, date=date(2026, 1, 10))
    days = auth_client.get("/v2/range_view/users/andy/r/2025-01-01/2026-12-31").json()["range_view"]
    assert len(days) == 1
    assert stored.count("range_view") == 0


def test_a_real_groups_members_are_cached(auth_client, user, stored):
    group = GroupFactory()
    GroupMemberFactory(group=group, user=user, status="accepted")
    for _ in range(3):
        assert auth_client.get(f"/v2/groups/members/{group.pk}").status_code == 200
    assert stored.count("group_members") == 1
