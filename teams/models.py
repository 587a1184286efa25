"""Teams, their members and the groups they hold."""

from django.conf import settings
from django.db import models

from groups.models import ROLE_CHOICES, STATUS_CHOICES
from saintsxctf.foundation.models import AuditedModel
from saintsxctf.foundation.validators import not_a_route_word
from users.models import WEEK_START_CHOICES


class Team(AuditedModel):
    """A team (e.g. St. Lawrence Cross Country and Track & Field). Its name is its key."""

    name = models.CharField(max_length=31, primary_key=True, validators=[not_a_route_word])
    title = models.CharField(max_length=127)
    picture_name = models.CharField(max_length=255, null=True, blank=True)
    description = models.CharField(max_length=255, null=True, blank=True)
    week_start = models.CharField(max_length=15, null=True, blank=True, choices=WEEK_START_CHOICES)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.title


class TeamMember(AuditedModel):
    """A runner's membership in a team."""

    id = models.AutoField(primary_key=True)
    team = models.ForeignKey(Team, db_column="team_name", on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, to_field="username", db_column="username",
        on_delete=models.CASCADE, related_name="team_memberships",
    )
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default="pending")
    role = models.CharField(max_length=10, choices=ROLE_CHOICES, default="user", db_column="user")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["user", "team"], name="teammember_user_team")]

    def __str__(self):
        return f"{self.user_id} in {self.team_id} ({self.status})"


class TeamGroup(AuditedModel):
    """Places a group inside a team."""

    id = models.AutoField(primary_key=True)
    team = models.ForeignKey(Team, db_column="team_name", on_delete=models.CASCADE, related_name="team_groups")
    group = models.ForeignKey("groups.Group", on_delete=models.CASCADE, related_name="team_links")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["team", "group"], name="teamgroup_team_group")]

    def __str__(self):
        return f"{self.group_id} in {self.team_id}"
