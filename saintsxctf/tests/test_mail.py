"""The mail queue (saintsxctf/foundation/mail.py): mail is stored with what it announces, sent by the worker, retried through
an SMTP outage and sent exactly once; requests never wait on SMTP."""

import subprocess
import time
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from ops.harness import BIN, ROOT, Gunicorn, free_port, request
from saintsxctf.foundation.mail import deliver_due
from saintsxctf.foundation.models import OutgoingMail
from saintsxctf.tests.concurrency import needs_server_db, race
from saintsxctf.tests.hung import HungServer
from saintsxctf.tests.servers import configuration, served_database
from saintsxctf.tests.smtp import SMTPServer
from users import services
from users.models import ForgotPasswordCode

pytestmark = pytest.mark.django_db


def smtp(settings, port: int, timeout: float = 1) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, timeout
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""


def forgot_password(api_client, username="andy"):
    return api_client.post(reverse("forgot_password:forgot_password-detail", kwargs={"username": username}))


def make_due() -> None:
    """The retry's backoff has passed."""
    OutgoingMail.objects.update(next_attempt_at=datetime.now() - timedelta(seconds=1))


def test_a_request_queues_the_mail_and_the_worker_sends_it_once(api_client, user):
    assert forgot_password(api_client).status_code == 201
    assert mail.outbox == []  # nothing sent inside the request
    queued = OutgoingMail.objects.get()
    code = ForgotPasswordCode.objects.get(user=user)
    assert (queued.kind, queued.to, queued.status) == ("forgot_password", "andy@example.com", "queued")
    assert code.forgot_code in queued.body
    call_command("send_queued_mail", "--once")
    assert [m.to for m in mail.outbox] == [["andy@example.com"]] and code.forgot_code in mail.outbox[0].body
    assert mail.outbox[0].extra_headers["Message-ID"] == queued.message_id
    call_command("send_queued_mail", "--once")
    assert len(mail.outbox) == 1
    queued.refresh_from_db()
    assert queued.status == "sent" and queued.sent_at is not None and queued.attempts == 1


def test_a_rolled_back_write_queues_no_mail(user):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.forgot_password_code_create(user=user)
        assert OutgoingMail.objects.count() == 1
        raise RuntimeError("the request failed after the code was made")
    assert not OutgoingMail.objects.exists() and not ForgotPasswordCode.objects.exists()


def test_mail_survives_an_smtp_outage_and_is_sent_once_when_it_ends(api_client, user, settings):
    settings.MAIL_RETRY_SECONDS = 60
    smtp(settings, free_port())  # nothing listens: connection refused
    assert forgot_password(api_client).status_code == 201
    result = deliver_due()
    assert (result.sent, result.failed) == (0, 1)
    queued = OutgoingMail.objects.get()
    assert queued.status == "queued" and queued.attempts == 1 and "ConnectionRefused" in queued.last_error
    assert queued.next_attempt_at > datetime.now() + timedelta(seconds=50)  # backoff
    assert deliver_due().failed == 0  # not due yet: nothing tried
    with SMTPServer() as server:
        smtp(settings, server.port)
        make_due()
        assert deliver_due().sent == 1
        assert deliver_due().sent == 0
        assert len(server.messages) == 1
        received = server.messages[0]
    assert received["To"] == "andy@example.com" and received["Message-ID"] == queued.message_id
    queued.refresh_from_db()
    assert queued.status == "sent" and queued.attempts == 2 and queued.last_error == ""


def test_the_backoff_doubles_and_the_worker_gives_up(api_client, user, settings):
    settings.MAIL_RETRY_SECONDS, settings.MAIL_MAX_ATTEMPTS = 10, 3
    smtp(settings, free_port())
    forgot_password(api_client)
    waits = []
    for _ in range(3):
        make_due()
        before = datetime.now()
        deliver_due()
        waits.append(round((OutgoingMail.objects.get().next_attempt_at - before).total_seconds() / 10))
    assert waits[:2] == [1, 2]
    queued = OutgoingMail.objects.get()
    assert queued.status == "failed" and queued.attempts == 3
    make_due()
    assert deliver_due().failed == 0  # given up: never tried again


def test_a_hung_smtp_server_holds_neither_the_request_nor_the_worker(api_client, user, settings):
    with HungServer() as hung:
        smtp(settings, hung.port, timeout=1)
        start = time.monotonic()
        assert forgot_password(api_client).status_code == 201
        assert time.monotonic() - start < 1  # the request never talks to SMTP
        start = time.monotonic()
        result = deliver_due()
        elapsed = time.monotonic() - start
        assert hung.accepted
    assert result.failed == 1 and elapsed < 3  # EMAIL_TIMEOUT, then the mail waits for its retry
    assert OutgoingMail.objects.get().status == "queued"


def test_a_signup_queues_its_welcome_mail(api_client):
    from users.tests.factories import ActivationCodeFactory

    ActivationCodeFactory(activation_code="ABC123")
    body = {"username": "newbie", "first": "New", "last": "Runner", "email": "newbie@example.com",
            "password": "a-long-and-unusual-passphrase-42", "activation_code": "ABC123"}
    assert api_client.post(reverse("users:user-list"), body, format="json").status_code == 201
    assert list(OutgoingMail.objects.values_list("kind", "to")) == [("welcome", "newbie@example.com")]


@needs_server_db
@pytest.mark.django_db(transaction=True)
def test_workers_racing_send_each_mail_once(user):
    for _ in range(5):
        services.forgot_password_code_create(user=user)
    results = race(*[deliver_due for _ in range(4)])
    assert sum(result.sent for result in results) == 5
    assert len(mail.outbox) == 5
    assert set(OutgoingMail.objects.values_list("status", flat=True)) == {"sent"}


# -- the worker as a process: an SMTP outage and a restart -------------------------------------------------
@pytest.mark.realtime
@pytest.mark.skipif(configuration() is None, reason="MariaDB runs need REDIS_URL for this test")
def test_the_worker_process_survives_an_outage_and_a_restart_and_sends_once(tmp_path):
    """Real processes on a shared database: gunicorn takes a forgot-password request while SMTP hangs; the first
    worker is killed (SIGKILL) in the middle of its send; two new workers start once SMTP is back. The mail
    arrives exactly once."""
    lease = 3
    with served_database(tmp_path, ["shell", "-c", CREATE_RUNNER], MAIL_RETRY_SECONDS="1",
                         MAIL_LEASE_SECONDS=str(lease), EMAIL_TIMEOUT="1") as env, \
            HungServer() as hung, SMTPServer() as smtp_server, \
            Gunicorn(env, workers=2, logfile=tmp_path / "gunicorn.log") as api:
        status, _ = request(api.base, "POST", reverse("forgot_password:forgot_password-detail",
                                                      kwargs={"username": "racer"}), timeout=60)
        assert status == 201 and not hung.accepted  # answered without a word to the (hung) SMTP server
        first = worker(env, hung.port, tmp_path / "worker-1.log")
        deadline = time.monotonic() + 20
        while not hung.accepted and time.monotonic() < deadline:  # the worker is in the middle of its send
            time.sleep(0.05)
        assert hung.accepted, "the first worker never tried to send"
        first.kill()
        first.wait()
        assert smtp_server.messages == []
        others = [worker(env, smtp_server.port, tmp_path / f"worker-{i}.log") for i in (2, 3)]
        try:
            deadline = time.monotonic() + lease + 20
            while not smtp_server.messages and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(lease + 1)  # long enough for a second copy to arrive, if one could
        finally:
            for process in others:
                process.terminate()
            for process in others:
                assert process.wait(timeout=20) == 0  # SIGTERM: the worker stops cleanly
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["To"] == "racer@example.com"
    assert smtp_server.messages[0]["Subject"] == "SaintsXCTF Password Reset Request"


CREATE_RUNNER = ("from users.models import User; "
                 "User.objects.create_user(username='racer', email='racer@example.com', password='secret1', "
                 "first='Race', last='Runner')")


def worker(env: dict[str, str], smtp_port: int, log) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "python"), "manage.py", "send_queued_mail", "--poll", "0.2"], cwd=ROOT,
        env={**env, "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
             "EMAIL_PORT": str(smtp_port)},
        stdout=log.open("w"), stderr=subprocess.STDOUT)


def test_superusers_see_the_queue_in_the_admin_and_retry_a_failed_mail(client, user, settings):
    from users.tests.factories import UserFactory

    settings.MAIL_MAX_ATTEMPTS = 1
    smtp(settings, free_port())
    services.forgot_password_code_create(user=user)
    deliver_due()
    failed = OutgoingMail.objects.get(status="failed")
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    listing = client.get(reverse("admin:saintsxctf_outgoingmail_changelist"), {"status__exact": "failed"})
    assert listing.status_code == 200 and "andy@example.com" in listing.content.decode()
    client.post(reverse("admin:saintsxctf_outgoingmail_changelist"),
                {"action": "retry_now", "_selected_action": [failed.pk]})
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("queued", 0)
    client.force_login(UserFactory(username="staffer", is_staff=True))
    assert client.get(reverse("admin:saintsxctf_outgoingmail_changelist")).status_code == 403
