import pytest

from logs.models import Log
from logs.tests.factories import LogFactory
from saintsxctf.foundation.audit import audit_context

pytestmark = pytest.mark.django_db


def test_audit_columns_are_set_on_create_update_and_soft_delete(user):
    with audit_context(actor="coach", app="tests"):
        log = LogFactory(user=user)
    assert (log.created_user, log.created_app) == ("coach", "tests")
    assert log.created_date is not None and log.modified_date is None

    with audit_context(actor="andy"):
        log.feel = 9
        log.save()
    log.refresh_from_db()
    assert (log.modified_user, log.modified_app) == ("andy", "saints-xctf-api")

    with audit_context(actor="andy"):
        log.soft_delete()
    assert not Log.objects.filter(pk=log.pk).exists()
    row = Log.all_objects.get(pk=log.pk)
    assert row.deleted and row.deleted_user == "andy" and row.deleted_date is not None


def test_default_manager_hides_soft_deleted_rows_in_related_reads(user):
    kept, gone = LogFactory(user=user), LogFactory(user=user)
    gone.soft_delete()
    assert list(user.logs.all()) == [kept]
