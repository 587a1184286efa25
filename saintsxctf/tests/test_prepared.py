"""PreparedQuery (saintsxctf/foundation/prepared.py): the same instances as the ORM, from SQL compiled once."""

from datetime import date

import pytest
from django.db.models import Count, Max

from groups.models import GroupMember
from logs.models import Log
from logs.tests.factories import LogFactory
from saintsxctf.foundation.models import RevokedSession
from saintsxctf.foundation.prepared import KeptQueries, PreparedListQuery, PreparedQuery
from users.models import User
from users.tests.factories import UserFactory

# The authentication's lookup: a user by key, annotated with whether a session was revoked.
TOKEN_USER = PreparedQuery(lambda name: User.objects.filter(username=name), params=1)

pytestmark = pytest.mark.django_db


def test_same_instance_as_the_orm(django_assert_num_queries):
    UserFactory(username="andy", is_superuser=True)
    expected = User.objects.get(username="andy")
    with django_assert_num_queries(1):
        found = TOKEN_USER.first("andy")
    assert found == expected and not found._state.adding and found._state.db == "default"
    assert {f.attname: getattr(found, f.attname) for f in User._meta.concrete_fields} == \
        {f.attname: getattr(expected, f.attname) for f in User._meta.concrete_fields}
    assert found.is_superuser is True and found.deleted is False  # the backend's converters ran


def test_annotations_become_attributes(django_assert_num_queries):
    """The authentication's query (saintsxctf/foundation/auth/tokens.py LIVE_USER): the user and its session's revocation."""
    from saintsxctf.foundation.auth.tokens import LIVE_USER

    UserFactory(username="andy")
    RevokedSession.objects.create(sid="gone", expires_at=date(2100, 1, 1))
    with django_assert_num_queries(1):
        live = LIVE_USER.first("andy", "live")
    assert live.username == "andy" and not live.session_revoked
    revoked = LIVE_USER.first("andy", "gone")
    assert revoked == User.objects.get(username="andy") and bool(revoked.session_revoked) is True
    assert LIVE_USER.first("nobody", "gone") is None


def test_missing_and_soft_deleted_rows_are_none():
    UserFactory(username="gone", deleted=True)
    assert TOKEN_USER.first("gone") is None
    assert TOKEN_USER.first("nobody") is None


def test_parameters_are_values_not_sql():
    UserFactory(username="andy")
    assert TOKEN_USER.first("andy' OR '1'='1") is None


def test_refuses_what_it_cannot_build():
    with pytest.raises(TypeError):
        PreparedQuery(lambda name: GroupMember.objects.select_related("user").filter(user_id=name), 1).first("a")
    with pytest.raises(TypeError):
        PreparedQuery(lambda name: User.objects.filter(username="andy"), 1).first("a")


def test_all_rows_in_the_querysets_order(django_assert_num_queries):
    for name in ("cara", "abe", "bo"):
        UserFactory(username=name, first="Same")
    UserFactory(username="dee", first="Other")
    UserFactory(username="gone", first="Same", deleted=True)
    by_first = PreparedQuery(lambda first: User.objects.filter(first=first).order_by("-username"), 1)
    with django_assert_num_queries(1):
        found = by_first.all("Same")
    assert [user.username for user in found] == ["cara", "bo", "abe"]
    assert found == list(User.objects.filter(first="Same").order_by("-username"))
    assert by_first.all("Nobody") == []


def test_rows_of_a_grouped_values_query_with_date_parameters(django_assert_num_queries):
    """rows(): the dicts values() gives, for annotated and grouped querysets, with dates as parameters."""
    runner = UserFactory(username="runner")
    for day, kind in [(date(2024, 5, 1), "run"), (date(2024, 5, 1), "run"), (date(2024, 5, 2), "run"),
                      (date(2024, 5, 1), "bike")]:
        LogFactory(user=runner, date=day, type_id=kind)
    LogFactory(user=runner, date=date(2024, 5, 1), type_id="run", deleted=True)

    def build(username, first, last):
        return (Log.objects.filter(user_id=username, date__gte=first, date__lt=last).order_by("type_id", "date")
                .values("type_id", "date").annotate(logs=Count("log_id"), newest=Max("time_created")))

    per_day = PreparedQuery(build, 3, markers=("\x00user\x00", date(1001, 1, 1), date(1001, 1, 2)))
    expected = list(build("runner", date(2024, 5, 1), date(2024, 5, 2)))
    with django_assert_num_queries(1):
        assert per_day.rows("runner", date(2024, 5, 1), date(2024, 5, 2)) == expected
    assert [(row["type_id"], row["logs"]) for row in expected] == [("bike", 1), ("run", 2)]
    assert per_day.rows("runner", date(2024, 5, 2), date(2024, 6, 1)) == \
        list(build("runner", date(2024, 5, 2), date(2024, 6, 1)))
    with pytest.raises(TypeError):
        per_day.first("runner", date(2024, 5, 1), date(2024, 5, 2))  # rows() runs values() querysets
    with pytest.raises(TypeError):
        TOKEN_USER.rows("andy")


def test_a_parameter_the_lookup_rewrites_is_refused():
    with pytest.raises(TypeError):  # __icontains wraps its parameter in %...%
        PreparedQuery(lambda name: User.objects.filter(username__icontains=name), 1).first("a")


def test_a_list_parameter_is_compiled_per_length_with_the_orms_rows(django_assert_num_queries):
    """PreparedListQuery: the rows the ORM gives for the same list, for every length (one query each, none for an
    empty list), past its longest too."""
    runners = [UserFactory() for _ in range(3)]
    logs = [LogFactory(user=runners[k % 3], date=date(2024, 5, 1 + k % 4)) for k in range(9)]
    LogFactory(user=runners[0], deleted=True)

    def build(ids):
        return Log.objects.filter(log_id__in=ids).order_by("-date", "log_id")

    by_ids = PreparedListQuery(build, longest=4)
    ids = [log.pk for log in logs]
    for offset, length in ((0, 1), (1, 2), (2, 4), (5, 3), (7, 2), (3, 6)):
        chosen = ids[offset:offset + length]
        with django_assert_num_queries(1):
            found = by_ids.all(chosen)
        assert [log.pk for log in found] == [log.pk for log in build(chosen)]
        assert len(found) == len(chosen)
    assert sorted(by_ids._by_length) == [1, 2, 3, 4]  # the list of 6 ran through the ORM
    with django_assert_num_queries(0):
        assert by_ids.all([]) == []
    assert by_ids.all([ids[0], 2_000_000_011]) == [logs[0]]  # a marker's value is a value like any other
    assert by_ids.all([ids[0], ids[0]]) == [logs[0]]


def test_kept_queries_read_fresh_rows_and_keep_only_the_most_recent(django_assert_num_queries):
    """KeptQueries: one query compiled per key answers as the ORM does, with the rows as they are now; only the
    `keep` most recently used keys are kept."""
    runners = [UserFactory(username=name) for name in ("ann", "bo", "cy")]
    for k, runner in enumerate(runners):
        LogFactory.create_batch(k + 1, user=runner)
    kept = KeptQueries(keep=2)

    def page(names, offset, limit):
        return kept.all((tuple(names), offset, limit),
                        lambda: Log.objects.filter(user_id__in=names).order_by("-log_id")[offset:offset + limit])

    for names, offset, limit in [(["ann"], 0, 5), (["bo", "cy"], 1, 3), (["bo", "cy"], 1, 3), (["cy"], 0, 2)]:
        expected = list(Log.objects.filter(user_id__in=names).order_by("-log_id")[offset:offset + limit])
        with django_assert_num_queries(1):
            assert page(names, offset, limit) == expected
    assert len(kept) == 2  # ("ann", 0, 5) was the least recently used
    newest = LogFactory(user=runners[2])
    assert page(["cy"], 0, 2)[0] == newest  # a kept query reads the rows as they are
