"""Notifications shown to a runner (new comments, membership requests, ...)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from saintsxctf.foundation.models import AuditedModel

VIEWED_CHOICES = [("Y", "Viewed"), ("N", "Not viewed")]


class Notification(AuditedModel):
    """A message addressed to one runner."""

    notification_id = models.AutoField(primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, to_field="username", db_column="username",
        on_delete=models.CASCADE, related_name="notifications",
    )
    time = models.DateTimeField(default=timezone.now)
    link = models.CharField(max_length=127, null=True, blank=True)
    viewed = models.CharField(max_length=1, choices=VIEWED_CHOICES, default="N")
    description = models.CharField(max_length=1000, null=True, blank=True)

    class Meta:
        ordering = ["-time", "-notification_id"]
        indexes = [models.Index(fields=["user", "deleted", "time"], name="notification_user_time")]

    def __str__(self):
        return f"{self.notification_id}: to {self.user_id}"
