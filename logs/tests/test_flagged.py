"""`Log.flagged` (a low feel, or pain words in the notes) is computed by the database on every write path: the
API, a queryset update, the bulk inserts of seed_demo and the importer; the coach's dashboard reads it."""

from datetime import date

import pytest
from django.urls import reverse

from logs.models import LOW_FEEL, Log
from logs.tests.factories import LogFactory
from saintsxctf.foundation.bulk import bulk_insert

pytestmark = pytest.mark.django_db


def flagged(log_id: int):
    return Log.all_objects.values_list("flagged", flat=True).get(pk=log_id)


@pytest.mark.parametrize(("feel", "description", "expected"), [
    (LOW_FEEL, None, True),
    (LOW_FEEL + 1, None, False),  # false, not null: null notes match no word
    (8, "Left knee PAIN on the hills", True),  # any case, anywhere in the notes
    (8, "shin splints again", True),
    (8, "easy shakeout, felt great", False),
])
def test_a_log_written_through_the_api_is_flagged_by_the_database(auth_client, user, feel, description, expected):
    body = {"username": user.username, "first": user.first, "last": user.last, "date": "2024-05-02", "type": "run",
            "feel": feel, "description": description}
    response = auth_client.post(reverse("logs:log-list"), body, format="json")
    assert response.status_code == 200, response.content
    assert flagged(response.json()["log"]["log_id"]) is expected


def test_the_flag_follows_every_later_write(auth_client, user):
    log = LogFactory(user=user, feel=7, description="steady")
    assert flagged(log.pk) is False
    body = {"username": user.username, "first": user.first, "last": user.last, "date": "2024-05-02", "type": "run",
            "feel": 7, "description": "calves are sore"}
    assert auth_client.put(reverse("logs:log-detail", kwargs={"log_id": log.pk}), body,
                           format="json").status_code == 200
    assert flagged(log.pk) is True
    Log.objects.filter(pk=log.pk).update(description="all good", feel=2)  # a queryset write (the admin's)
    assert flagged(log.pk) is True
    Log.objects.filter(pk=log.pk).update(feel=9)
    assert flagged(log.pk) is False


def test_bulk_inserts_leave_the_flag_to_the_database(user):
    """seed_demo and the importer's per-row path write through bulk_insert, which skips the generated column."""
    rows = [{"user_id": user.username, "first": "A", "last": "B", "date": date(2024, 1, day), "type_id": "run",
             "feel": feel, "description": notes} for day, (feel, notes) in enumerate(
                 [(1, None), (6, "a tweak in the hamstring"), (6, None)], start=1)]
    assert bulk_insert(Log, rows, with_pk=False) == 3
    assert list(Log.all_objects.filter(user=user).order_by("date").values_list("flagged", flat=True)) == \
        [True, True, False]
