"""Durable mail: queued in the transaction of what it announces, sent by a worker with retries and backoff.

Why: a request must never wait on SMTP, and a mail must never be lost to an SMTP outage, nor sent for a
signup or a code that rolled back. So `enqueue()` writes the rendered message as an `OutgoingMail` row in the
caller's transaction (the row exists exactly when what it announces does), and the worker
(`manage.py send_queued_mail`, run by `make run` and beside the API in the documented Docker setup) sends due
rows through the configured backend (`EMAIL_BACKEND`, SMTP in production).

Sending exactly once, with any number of workers on any number of hosts: a worker claims a row with one
conditional UPDATE (`claimed_until` in the future, only if unclaimed or the claim expired), sends it, then
marks it sent. Two workers cannot hold one claim. A failed send is retried after a backoff (`MAIL_RETRY_SECONDS`
doubled per attempt, at most an hour) up to `MAIL_MAX_ATTEMPTS`, then the row is marked failed and logged as an
error. A worker killed mid-send leaves its claim to expire (`MAIL_LEASE_SECONDS`, longer than an SMTP timeout
allows a send to take) and another worker sends the row then: the one window where a mail can go out twice is a
worker dying after the SMTP server accepted the message and before the row was marked sent; the message keeps
its `Message-ID` on every attempt, so receiving servers can tell the copies apart.

Why not a library: django-mailer's queue locks with a file (one host) and retries only from cron; Celery or RQ
would add a broker and a second copy of the transaction problem (a task sent for a rolled-back row). The model
and the loop below are the whole mechanism.
"""

import logging
import signal
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid
from django.db import close_old_connections
from django.db.models import F, Q

from saintsxctf.foundation.models import OutgoingMail

logger = logging.getLogger("saintsxctf.mail")


def now() -> datetime:
    return datetime.now()


def enqueue(message: EmailMultiAlternatives, *, kind: str) -> OutgoingMail:
    """Queue `message` (one recipient) in the current transaction; the worker sends it once committed."""
    html = next((content for content, mimetype in message.alternatives if mimetype == "text/html"), "")
    moment = now()
    return OutgoingMail.objects.create(
        kind=kind, to=message.to[0], from_email=message.from_email, subject=message.subject, body=message.body,
        html=html, message_id=make_msgid(domain="saintsxctf.com"), created_at=moment, next_attempt_at=moment,
    )


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt."""
    return timedelta(seconds=min(settings.MAIL_RETRY_SECONDS * 2 ** (attempts - 1), 3600))


@dataclass
class Pass:
    sent: int = 0
    failed: int = 0  # attempts that failed (to be retried, or given up)
    given_up: int = 0


def _claim(mail_id: int, moment: datetime) -> bool:
    """Take the row for this worker: one UPDATE that only one worker can win."""
    return bool(OutgoingMail.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=moment),
        pk=mail_id, status=OutgoingMail.QUEUED, next_attempt_at__lte=moment,
    ).update(claimed_until=moment + timedelta(seconds=settings.MAIL_LEASE_SECONDS)))


def _message(mail: OutgoingMail, connection) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(subject=mail.subject, body=mail.body, from_email=mail.from_email,
                                     to=[mail.to], headers={"Message-ID": mail.message_id}, connection=connection)
    if mail.html:
        message.attach_alternative(mail.html, "text/html")
    return message


def deliver_due(*, limit: int = 50) -> Pass:
    """One pass of the worker: send up to `limit` due mails, each claimed first. Returns what happened."""
    result = Pass()
    moment = now()
    due = list(OutgoingMail.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=moment),
        status=OutgoingMail.QUEUED, next_attempt_at__lte=moment,
    ).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    if not due:
        return result
    connection = get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT) \
        if "smtp" in settings.EMAIL_BACKEND else get_connection(fail_silently=False)
    for mail_id in due:
        if not _claim(mail_id, now()):
            continue  # another worker has it
        mail = OutgoingMail.objects.get(pk=mail_id)
        try:
            _message(mail, connection).send(fail_silently=False)
        except Exception as error:  # noqa: BLE001 - SMTPException, OSError, timeouts: whatever the backend raises
            attempts = mail.attempts + 1
            gave_up = attempts >= settings.MAIL_MAX_ATTEMPTS
            OutgoingMail.objects.filter(pk=mail_id).update(
                attempts=F("attempts") + 1, claimed_until=None, last_error=f"{type(error).__name__}: {error}"[:2000],
                next_attempt_at=now() + backoff(attempts),
                status=OutgoingMail.FAILED if gave_up else OutgoingMail.QUEUED,
            )
            result.failed += 1
            if gave_up:
                result.given_up += 1
                logger.error("Gave up sending the %s mail %s after %s attempts: %s", mail.kind, mail_id, attempts,
                             error)
            else:
                logger.warning("Sending the %s mail %s failed (attempt %s), retrying later: %s", mail.kind,
                               mail_id, attempts, error)
            try:
                connection.close()  # a broken SMTP session is not reused
            except Exception:  # noqa: BLE001
                pass
            continue
        OutgoingMail.objects.filter(pk=mail_id).update(status=OutgoingMail.SENT, sent_at=now(), claimed_until=None,
                                                        attempts=F("attempts") + 1, last_error="")
        result.sent += 1
        logger.info("Sent the %s mail %s", mail.kind, mail_id)
    try:
        connection.close()
    except Exception:  # noqa: BLE001
        pass
    return result


def run_worker(*, poll: float = 1.0, stop: threading.Event | None = None, once: bool = False) -> None:
    """Send due mail until SIGTERM/SIGINT (or `stop`): the message in flight is finished first."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    while not stop.is_set():
        close_old_connections()
        try:
            result = deliver_due()
        except Exception:  # noqa: BLE001 - the database went away: wait and try again
            logger.exception("The mail worker could not read the queue")
            result = Pass()
        if once:
            return
        if not result.sent and not result.failed:
            stop.wait(poll)
        else:
            time.sleep(0)
