"""Reading the mail a test made: requests only queue mail (saintsxctf/foundation/mail.py); this runs the worker's pass."""

from django.core import mail

from saintsxctf.foundation.mail import deliver_due


def sent_mail() -> list:
    """One pass of the mail worker over the queue, then every message sent so far (Django's test outbox)."""
    deliver_due(limit=10_000)
    return mail.outbox
