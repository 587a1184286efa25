"""The coach admin for logs: a coach reads, filters and exports only their runners' logs."""

import csv
import io

import pytest
from django.urls import reverse

from groups.tests.coaching import squad, superuser_client
from logs.models import Log

pytestmark = pytest.mark.django_db
URL = "admin:logs_log_changelist"


@pytest.fixture
def xc():
    return squad("xc")


@pytest.fixture
def tf():
    return squad("tf")


def names(response) -> set[str]:
    assert response.status_code == 200
    return {log.name for log in response.context["cl"].result_list}


def test_each_coach_sees_only_their_accepted_runners_logs(xc, tf):
    assert names(xc.client.get(reverse(URL))) == {"xc tempo", "xc spin"}
    assert names(tf.client.get(reverse(URL))) == {"tf tempo", "tf spin"}

    theirs = Log.objects.get(name="tf tempo")
    assert xc.client.get(reverse("admin:logs_log_change", args=[theirs.pk])).status_code == 302
    mine = Log.objects.get(name="xc tempo")
    page = xc.client.get(reverse("admin:logs_log_change", args=[mine.pk]))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]  # read only


def test_coach_filters_by_type_and_date(xc):
    assert names(xc.client.get(reverse(URL), {"type__type__exact": "bike"})) == {"xc spin"}
    spin = Log.objects.get(name="xc spin")
    by_date = xc.client.get(reverse(URL), {"date__gte": str(spin.date), "date__lte": str(spin.date)})
    assert names(by_date) == {"xc spin"}
    assert names(xc.client.get(reverse(URL), {"q": "tempo"})) == {"xc tempo"}


def test_superuser_sees_every_log_and_filters_by_group(xc, tf):
    client = superuser_client()

    assert len(names(client.get(reverse(URL)))) == 6
    assert names(client.get(reverse(URL), {"group": tf.group.pk})) == {"tf tempo", "tf spin"}


def test_group_filter_cannot_reach_another_coachs_group(xc, tf):
    assert names(xc.client.get(reverse(URL), {"group": tf.group.pk})) == set()


def test_coach_exports_selected_logs_and_mileage(xc, tf):
    ids = list(Log.objects.values_list("pk", flat=True))  # includes tf's logs: they must not come out

    response = xc.client.post(reverse(URL), {"action": "export_logs", "_selected_action": ids})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="logs.csv"'

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert {r["name"] for r in rows} == {"xc tempo", "xc spin"}
    assert {r["time"] for r in rows} == {"0:40:00"}

    mileage = xc.client.post(reverse(URL), {"action": "export_mileage", "_selected_action": ids})
    rows = list(csv.DictReader(io.StringIO(b"".join(mileage.streaming_content).decode("utf-8-sig"))))
    assert [(r["username"], r["logs"], r["miles"]) for r in rows] == [("xcrunner", "2", "25.0")]


def test_coach_cannot_add_change_or_soft_delete_logs(xc):
    assert xc.client.get(reverse("admin:logs_log_add")).status_code == 403
    mine = Log.objects.get(name="xc tempo")
    xc.client.post(reverse(URL), {"action": "soft_delete_selected", "_selected_action": [mine.pk]})
    mine.refresh_from_db()
    assert not mine.deleted


def test_log_list_query_count_does_not_grow(xc, django_assert_max_num_queries):
    from logs.tests.factories import LogFactory

    with django_assert_max_num_queries(12) as small:
        assert len(names(xc.client.get(reverse(URL)))) == 2  # the coach's page, not a redirect or a refusal
    LogFactory.create_batch(30, user=xc.runner)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = xc.client.get(reverse(URL))
    assert page.status_code == 200 and len(page.context["cl"].result_list) == 32
