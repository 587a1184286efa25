"""Comments on exercise logs."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from saintsxctf.foundation.models import AuditedModel


class Comment(AuditedModel):
    """A runner's comment on a log."""

    comment_id = models.AutoField(primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, to_field="username", db_column="username",
        on_delete=models.CASCADE, related_name="comments",
    )
    first = models.CharField(max_length=30)
    last = models.CharField(max_length=30)
    log = models.ForeignKey("logs.Log", db_column="log_id", on_delete=models.CASCADE, related_name="comments")
    time = models.DateTimeField(default=timezone.now)
    content = models.CharField(max_length=1000, null=True, blank=True)

    class Meta:
        ordering = ["-time", "-comment_id"]
        indexes = [models.Index(fields=["log", "deleted", "time"], name="comment_log_deleted_time")]

    def __str__(self):
        return f"{self.comment_id}: {self.user_id} on {self.log_id}"

    def matches(self, **values) -> bool:
        """Whether writing `values` (field name -> value) would change nothing."""
        for name, value in values.items():
            if isinstance(value, models.Model):
                value = value.pk
            if getattr(self, self._meta.get_field(name).attname) != value:
                return False
        return True
