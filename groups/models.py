"""Groups of runners inside a team, and their members."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from saintsxctf.foundation.models import AuditedModel
from saintsxctf.foundation.validators import not_a_route_word
from users.models import WEEK_START_CHOICES

STATUS_CHOICES = [("accepted", "Accepted"), ("pending", "Pending")]
ROLE_CHOICES = [("user", "User"), ("admin", "Admin")]


class Group(AuditedModel):
    """A group (e.g. Men's Cross Country). Its name is unique inside its team, not globally."""

    id = models.AutoField(primary_key=True)
    group_name = models.CharField(max_length=20, db_index=True, validators=[not_a_route_word])
    group_title = models.CharField(max_length=50, null=True, blank=True)
    grouppic = models.BinaryField(null=True, blank=True, editable=False)
    grouppic_name = models.CharField(max_length=50, null=True, blank=True)
    description = models.CharField(max_length=255, null=True, blank=True)
    week_start = models.CharField(max_length=15, null=True, blank=True, choices=WEEK_START_CHOICES)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.group_title or self.group_name


class GroupMember(AuditedModel):
    """A runner's membership in a group: pending until an admin accepts it; role user or admin."""

    id = models.AutoField(primary_key=True)
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, to_field="username", db_column="username",
        on_delete=models.CASCADE, related_name="group_memberships",
    )
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default="pending")
    # The legacy column is called `user`; it holds the member's role in the group.
    role = models.CharField(max_length=10, choices=ROLE_CHOICES, default="user", db_column="user")

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["group", "status"], name="groupmember_group_status"),
            models.Index(fields=["user", "group"], name="groupmember_user_group"),
        ]

    def __str__(self):
        return f"{self.user_id} in {self.group_id} ({self.status}, {self.role})"

    @property
    def is_admin(self) -> bool:
        return self.status == "accepted" and self.role == "admin"


TARGET_KIND_CHOICES = [("run", "Run miles"), ("all", "All exercise miles")]


class TrainingTarget(AuditedModel):
    """A coach's weekly mileage target for a whole group, or for one runner of it, over a date range (a season).

    `kind` says which miles count: running only, or every exercise type. A runner's own target, where one
    covers the week, takes the place of the group's (groups/dashboard.py)."""

    id = models.AutoField(primary_key=True)
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="targets")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, to_field="username", db_column="username", null=True, blank=True,
        on_delete=models.CASCADE, related_name="training_targets",
        help_text="Leave empty for a target of the whole group.",
    )
    kind = models.CharField(max_length=3, choices=TARGET_KIND_CHOICES, default="run")
    weekly_miles = models.FloatField(validators=[MinValueValidator(0.1), MaxValueValidator(500)])
    start = models.DateField()
    end = models.DateField()
    note = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["-start", "id"]
        indexes = [models.Index(fields=["group", "deleted", "end"], name="target_group_deleted_end")]

    def __str__(self):
        who = self.user_id or "everyone"
        return f"{self.weekly_miles:g} {self.kind} mi/week for {who} in {self.group_id}, {self.start}–{self.end}"

    def clean(self):
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "The end of the range is before its start."})
