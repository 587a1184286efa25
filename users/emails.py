"""The API's own email: every message it sends goes through `send()`, from templates in users/templates/emails.

Each message has a plain text part (`<name>.txt`) and an HTML alternative (`<name>.html`), rendered with the
same context. `send()` does not talk to a mail server: it queues the rendered message in the caller's
transaction (saintsxctf/foundation/mail.py), and the mail worker (`manage.py send_queued_mail`) sends it through the
configured backend (console locally, SMTP in production) with retries. So the mail exists exactly when what it
announces was committed, and no request waits on SMTP.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from rest_framework.exceptions import APIException

from saintsxctf.foundation import mail

logger = logging.getLogger("saintsxctf.emails")

ACTIVATION_CODE_SUBJECT = "Request to Join SaintsXCTF"
FORGOT_PASSWORD_SUBJECT = "SaintsXCTF Password Reset Request"
WELCOME_SUBJECT = "Welcome to SaintsXCTF"
EMAIL_CHANGED_SUBJECT = "Your SaintsXCTF email address was changed"


class EmailNotSent(APIException):
    """The message cannot be sent (the runner has no address): the contract's 424 (Failed Dependency) body."""

    status_code = 424
    default_detail = "The email could not be sent."
    default_code = "email_not_sent"


def send(*, template: str, subject: str, to: str, context: dict) -> None:
    """Render `emails/<template>.txt` and `.html` with `context` and queue them for `to`, in the caller's
    transaction (the worker sends them after the commit). Raises EmailNotSent when there is no address."""
    if not to:
        logger.error("No address to send the %s email to", template)
        raise EmailNotSent()
    context = {"web_app_url": settings.WEB_APP_URL.rstrip("/"), **context}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(render_to_string(f"emails/{template}.html", context), "text/html")
    mail.enqueue(message, kind=template)


def send_activation_code(code, invited_by=None) -> None:
    """Mail a new activation code to the address it was made for (naming its group, and the coach who sent it
    from the admin)."""
    group = code.group
    send(template="activation_code", subject=ACTIVATION_CODE_SUBJECT, to=code.email,
         context={"code": code.activation_code, "group": str(group) if group else None,
                  "inviter": invited_by.get_full_name() if invited_by else None})


def send_forgot_password(code) -> None:
    """Mail a forgot-password code to its owner."""
    user = code.user
    send(template="forgot_password", subject=FORGOT_PASSWORD_SUBJECT, to=user.email,
         context={"code": code.forgot_code, "username": user.username, "first": user.first, "last": user.last})


def send_welcome(user) -> None:
    """Welcome a runner who just signed up."""
    send(template="welcome", subject=WELCOME_SUBJECT, to=user.email,
         context={"username": user.username, "first": user.first, "last": user.last})


def send_email_changed(*, user, old_email: str, undo_token: str) -> None:
    """Tell the old address that the account's email changed, with the link that undoes it."""
    from saintsxctf.foundation.api.links import link

    undo_url = settings.API_PUBLIC_URL.rstrip("/") + link("users:user-email-undo", token=undo_token)
    send(template="email_changed", subject=EMAIL_CHANGED_SUBJECT, to=old_email,
         context={"username": user.username, "first": user.first, "last": user.last, "new_email": user.email or "",
                  "undo_url": undo_url})


REPORT_SUBJECT = "{first} {last} SaintsXCTF Report"


def send_report(*, user, report: str) -> None:
    """Mail a runner's report (iOS: POST /fn/email/report) to the site's administrator (REPORT_EMAIL)."""
    send(template="report", subject=REPORT_SUBJECT.format(first=user.first, last=user.last),
         to=settings.REPORT_EMAIL,
         context={"username": user.username, "first": user.first, "last": user.last, "report": report})
