"""Shared model machinery: audit columns and soft delete, set in one place for every table."""

from django.db import models
from django.utils import timezone

from saintsxctf.foundation.audit import current_app, current_user


class AliveQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted=False)

    def soft_delete(self) -> int:
        """Flag every row of the queryset deleted, with the audit columns, in one UPDATE."""
        return self.update(
            deleted=True, deleted_date=timezone.now(), deleted_user=current_user(), deleted_app=current_app()
        )


class AliveManager(models.Manager.from_queryset(AliveQuerySet)):
    """Default manager: soft-deleted rows are invisible to every read."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted=False)


class AllObjectsManager(models.Manager.from_queryset(AliveQuerySet)):
    """Every row, deleted or not (admin, importer, purge)."""


class AuditedModel(models.Model):
    """Adds the legacy audit columns and soft delete; `save()` fills the audit columns.

    Bulk writers (`bulk_create`, importer, seed) call `stamp_created()` on each row themselves.
    """

    deleted = models.BooleanField(default=False)
    created_date = models.DateTimeField(null=True, blank=True, editable=False)
    created_user = models.CharField(max_length=31, null=True, blank=True, editable=False)
    created_app = models.CharField(max_length=31, null=True, blank=True, editable=False)
    modified_date = models.DateTimeField(null=True, blank=True, editable=False)
    modified_user = models.CharField(max_length=31, null=True, blank=True, editable=False)
    modified_app = models.CharField(max_length=31, null=True, blank=True, editable=False)
    deleted_date = models.DateTimeField(null=True, blank=True, editable=False)
    deleted_user = models.CharField(max_length=31, null=True, blank=True, editable=False)
    deleted_app = models.CharField(max_length=31, null=True, blank=True, editable=False)

    objects = AliveManager()
    all_objects = AllObjectsManager()

    AUDIT_FIELDS = (
        "created_date", "created_user", "created_app",
        "modified_date", "modified_user", "modified_app",
        "deleted_date", "deleted_user", "deleted_app",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.stamp_created()
        else:
            self.stamp_modified()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "modified_date", "modified_user", "modified_app"}
        super().save(*args, **kwargs)

    def stamp_created(self):
        self.created_date = self.created_date or timezone.now()
        self.created_user = self.created_user or current_user()
        self.created_app = self.created_app or current_app()

    def stamp_modified(self):
        self.modified_date = timezone.now()
        self.modified_user = current_user()
        self.modified_app = current_app()

    def soft_delete(self):
        """Flag this row deleted and record who did it."""
        self.deleted = True
        self.deleted_date = timezone.now()
        self.deleted_user = current_user()
        self.deleted_app = current_app()
        super().save(update_fields=["deleted", "deleted_date", "deleted_user", "deleted_app"])


class RevokedSession(models.Model):
    """A logged-out login session (the `sid` claim of its tokens; saintsxctf/foundation/auth/tokens.py).

    Kept in the database, not in a cache: an eviction, a flush or a cache outage must never bring a revoked
    token back. Authentication reads it in the same query that loads the token's user (no extra query). A row
    is kept until every token the session could still hold has expired, then `purge_expired()` removes it.
    """

    sid = models.CharField(max_length=64, primary_key=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "auth_revoked_session"

    def __str__(self):
        return f"session {self.sid} (until {self.expires_at:%Y-%m-%d %H:%M})"


class ThrottleCount(models.Model):
    """One throttle window's request count (saintsxctf/foundation/api/throttles.py), shared by every process and host.

    In the database so that the default setup (no Redis) counts across gunicorn workers, and so that a cache
    flush never resets a password guesser's count. `key` holds the scope, the hashed identity and the window.
    """

    key = models.CharField(max_length=191, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "throttle_count"

    def __str__(self):
        return f"{self.key}: {self.count}"


class OutgoingMail(models.Model):
    """A mail the API has to send (saintsxctf/foundation/mail.py): written in the transaction of what it announces, sent
    by the mail worker (`manage.py send_queued_mail`) with retries, marked sent once."""

    QUEUED, SENT, FAILED = "queued", "sent", "failed"
    STATUSES = [(QUEUED, "queued"), (SENT, "sent"), (FAILED, "failed (gave up)")]

    kind = models.CharField(max_length=64, help_text="the template: welcome, activation_code, forgot_password")
    to = models.CharField(max_length=254)
    from_email = models.CharField(max_length=254)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    html = models.TextField(blank=True)
    message_id = models.CharField(max_length=255, unique=True, help_text="the same on every attempt")
    status = models.CharField(max_length=8, choices=STATUSES, default=QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(help_text="not sent before this")
    claimed_until = models.DateTimeField(null=True, blank=True, help_text="a worker is sending it until then")
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        db_table = "outgoing_mail"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outgoing_mail_due")]

    def __str__(self):
        return f"{self.kind} to {self.to} ({self.status})"
