"""Users, flair, activation codes and forgot-password codes."""

from datetime import date

from django.apps import apps
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone

from saintsxctf.foundation.api.parameters import parse_id
from saintsxctf.foundation.auth.hashers import check_legacy_password, is_legacy_hash
from saintsxctf.foundation.models import AliveQuerySet, AuditedModel

WEEK_START_CHOICES = [("sunday", "Sunday"), ("monday", "Monday")]


class UserManager(BaseUserManager.from_queryset(AliveQuerySet)):
    """Default user manager: hides soft-deleted users (they cannot sign in either)."""

    use_in_migrations = True

    def get_queryset(self):
        return super().get_queryset().filter(deleted=False)

    def create_user(self, username, password=None, **fields):
        fields.setdefault("member_since", date.today())
        user = self.model(username=username, **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        fields.setdefault("first", username)
        fields.setdefault("last", "")
        return self.create_user(username, password, **fields)


class User(AuditedModel, AbstractBaseUser, PermissionsMixin):
    """A runner or coach. `username` is the natural key used in every URL and foreign key."""

    username = models.CharField(max_length=20, unique=True)
    first = models.CharField(max_length=30)
    last = models.CharField(max_length=30)
    # Legacy column: the original's pre-bcrypt salt. Imported as is, never returned (deviations.md 1).
    salt = models.CharField(max_length=255, null=True, blank=True, editable=False)
    profilepic = models.BinaryField(null=True, blank=True, editable=False)
    profilepic_name = models.CharField(max_length=50, null=True, blank=True)
    description = models.CharField(max_length=255, null=True, blank=True)
    member_since = models.DateField(default=date.today)
    class_year = models.IntegerField(null=True, blank=True)
    location = models.CharField(max_length=50, null=True, blank=True)
    favorite_event = models.CharField(max_length=20, null=True, blank=True)
    activation_code = models.CharField(max_length=8, blank=True, default="")
    email = models.CharField(max_length=50, null=True, blank=True, db_index=True)
    # The legacy `last_signin` column doubles as Django's last_login.
    last_login = models.DateTimeField(null=True, blank=True, db_column="last_signin")
    week_start = models.CharField(max_length=15, null=True, blank=True, choices=WEEK_START_CHOICES)
    subscribed = models.CharField(max_length=1, null=True, blank=True)
    is_staff = models.BooleanField(
        default=False, help_text="Coaches and operators: may sign in to the admin site."
    )

    objects = UserManager()
    all_objects = models.Manager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email", "first", "last"]

    class Meta:
        ordering = ["username"]

    def __str__(self):
        return self.username

    @property
    def is_active(self) -> bool:
        return not self.deleted

    @property
    def last_signin(self):
        return self.last_login

    def administers(self, group_id) -> bool:
        """Whether this user is an admin of the group `group_id` names: the API's one group-admin rule.

        The group must be live (nobody administers a soft-deleted group, nor a value that names no group); then
        a superuser administers every group (as in the admin site), anyone else through an accepted `admin`
        membership that is not deleted. One query. Checked by saintsxctf.foundation.api.permissions.IsGroupAdmin and by
        the writes whose group is named in the body (activation codes, the /fn functions)."""
        pk = parse_id(group_id)
        if pk is None:
            return False
        if self.is_superuser:
            return apps.get_model("groups", "Group").objects.filter(pk=pk).exists()
        return self.group_memberships.filter(group_id=pk, group__deleted=False, status="accepted", role="admin").exists()

    def get_full_name(self) -> str:
        return f"{self.first} {self.last}".strip()

    def get_short_name(self) -> str:
        return self.first

    def check_password(self, raw_password) -> bool:
        """Verify a password; legacy raw bcrypt hashes are accepted and upgraded on success."""
        if is_legacy_hash(self.password):
            if not check_legacy_password(raw_password, self.password):
                return False
            legacy = self.password
            self.set_password(raw_password)
            # Only the first of concurrent sign-ins upgrades the hash; the others adopt it, so every token
            # they issue carries the same password fingerprint (saintsxctf/foundation/auth/tokens.py).
            if not type(self).all_objects.filter(pk=self.pk, password=legacy).update(password=self.password):
                self.password = type(self).all_objects.filter(pk=self.pk).values_list("password", flat=True).get()
            return True
        return super().check_password(raw_password)


class Flair(AuditedModel):
    """A badge shown on a runner's profile."""

    flair_id = models.AutoField(primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, to_field="username", db_column="username",
        on_delete=models.CASCADE, related_name="flair",
    )
    flair = models.CharField(max_length=50)

    class Meta:
        ordering = ["flair_id"]

    def __str__(self):
        return f"{self.user_id}: {self.flair}"


class ActivationCode(AuditedModel):
    """A one-time code that lets a new runner sign up into a group."""

    activation_code = models.CharField(max_length=8, primary_key=True)
    email = models.CharField(max_length=50, null=True, blank=True)
    group = models.ForeignKey(
        "groups.Group", db_column="group_id", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="activation_codes",
    )
    expiration_date = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_date"]

    def __str__(self):
        return self.activation_code

    def is_expired(self, now=None) -> bool:
        return self.expiration_date is not None and self.expiration_date < (now or timezone.now())


class ForgotPasswordCode(AuditedModel):
    """A one-time code, emailed to a runner, that lets them set a new password."""

    forgot_code = models.CharField(max_length=8, primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, to_field="username", db_column="username",
        on_delete=models.CASCADE, related_name="forgot_password_codes",
    )
    expires = models.DateTimeField()

    class Meta:
        ordering = ["expires"]

    def __str__(self):
        return self.forgot_code

    def is_expired(self, now=None) -> bool:
        return self.expires < (now or timezone.now())
