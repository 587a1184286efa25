"""The cached aggregates' one invalidation mechanism (saintsxctf/foundation/aggregates.py): every write of a watched table
marks them stale, whichever path it takes, with no call for the writer to remember."""

import time
from datetime import date

import pytest
from django.test import TestCase

from groups.models import Group, GroupMember
from groups.tests.factories import GroupFactory, GroupMemberFactory
from logs.models import LogSummary
from saintsxctf.foundation import aggregates
from saintsxctf.foundation.bulk import bulk_insert
from teams.models import Team, TeamGroup, TeamMember
from users.models import User
from users.tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("aggregate_cache")]


def versions() -> tuple:
    return aggregates.data_version(), aggregates.data_version(aggregates.PEOPLE_VERSION_KEY)


def bumps(write) -> tuple[bool, bool]:
    """Whether `write()` bumped (every value's version, the people version), at once and again on commit."""
    before = versions()
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        write()
    now = versions()
    for callback in callbacks:
        callback()
    after_commit = versions()
    bumped = tuple(before[k] != now[k] for k in range(2))
    assert bumped == tuple(now[k] != after_commit[k] for k in range(2)), "bumped at once but not on commit"
    return bumped


def test_the_inputs_of_the_aggregates_are_watched():
    assert set(aggregates.watched()) == {User, Group, GroupMember, Team, TeamGroup, TeamMember, LogSummary}
    assert aggregates.watched()[LogSummary][0] == (aggregates.VERSION_KEY,)  # log data: the people values stay


def test_every_manager_of_a_watched_model_announces_its_queryset_writes():
    assert aggregates.unannounced_managers() == []


def test_queryset_updates_bulk_creates_and_bulk_inserts_of_people_bump_both_versions():
    group = GroupFactory()
    runners = UserFactory.create_batch(2)
    assert bumps(lambda: Group.objects.filter(pk=group.pk).update(description="hills")) == (True, True)
    assert bumps(lambda: GroupMember.objects.bulk_create(
        [GroupMember(group=group, user=runner, status="pending", role="user") for runner in runners])) == (True, True)
    assert bumps(lambda: GroupMember.objects.filter(group=group).soft_delete()) == (True, True)
    assert bumps(lambda: User.all_objects.filter(pk=runners[0].pk).update(first="Zed")) == (True, True)
    assert bumps(lambda: bulk_insert(TeamMember, [{"team_id": Team.objects.create(name="t").pk,
                                                   "user_id": runners[1].username, "status": "pending",
                                                   "role": "user"}], with_pk=False)) == (True, True)


def test_saves_and_deletes_of_people_bump_both_versions():
    member = GroupMemberFactory()
    assert bumps(lambda: member.save(update_fields=["status"])) == (True, True)
    assert bumps(member.delete) == (True, True)


def test_writes_that_change_no_row_or_only_ignored_fields_keep_the_cache():
    runner = UserFactory()
    assert bumps(lambda: GroupMember.objects.filter(user=runner).update(status="accepted")) == (False, False)
    # A sign-in (users.services.user_update_last_login) and a legacy hash's upgrade (User.check_password).
    assert bumps(lambda: User.objects.filter(pk=runner.pk).update(last_login=date(2024, 1, 1))) == (False, False)
    assert bumps(lambda: User.all_objects.filter(pk=runner.pk).update(password="x")) == (False, False)
    assert bumps(lambda: User.objects.filter(pk=runner.pk).update(last_login=None, first="Zed")) == (True, True)


def test_a_log_write_bumps_only_the_version_of_values_that_read_logs(user):
    from logs.tests.factories import LogFactory

    assert bumps(lambda: LogFactory(user=user)) == (True, False)
    assert bumps(lambda: LogSummary.objects.none()) == (False, False)


def test_a_bump_of_the_shared_cache_starts_a_missing_counter_from_the_clock(settings):
    """Redis (saintsxctf/foundation/cache.py `incr_or_start`): one round trip; an evicted counter never restarts low, where
    it could meet values cached under its old numbers."""
    from django.core.cache import cache

    if not hasattr(cache, "incr_or_start"):
        pytest.skip("the shared Redis cache only (REDIS_URL)")
    key = "aggregates:test-counter"
    cache.delete(key)
    before = time.time_ns()
    first = cache.incr_or_start(key, aggregates._new_version())
    assert first > before and cache.get(key) == first
    assert cache.incr_or_start(key, 1) == first + 1  # an existing counter just counts on
    cache.delete(key)
