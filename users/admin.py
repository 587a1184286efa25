import secrets
import string
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.mail import send_mail
from django.utils import timezone

from groups.models import Group, GroupMember
from saintsxctf.admin import AuditedAdmin, CoachGroupFilter, coach_group_ids
from users.models import ActivationCode, Flair, ForgotPasswordCode, User

CODE_ALPHABET = string.ascii_uppercase + string.digits
CODE_LIFETIME = timedelta(days=14)  # as the API's POST /v2/activation_code


class UserGroupFilter(CoachGroupFilter):
    user_lookup = "username"


class MembershipInline(admin.TabularInline):
    model = GroupMember
    fk_name = "user"
    fields = ("group", "status", "role")
    readonly_fields = ("group", "status", "role")
    extra = 0
    can_delete = False
    verbose_name_plural = "group memberships"

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("group")
        return queryset if request.user.is_superuser else queryset.filter(group_id__in=coach_group_ids(request))

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    list_display = ("username", "first", "last", "email", "class_year", "member_since", "last_login", "is_staff",
                    "deleted")
    list_filter = (UserGroupFilter, "is_staff", "is_superuser", "week_start", "class_year")
    search_fields = ("username", "first", "last", "email")
    ordering = ("username",)
    date_hierarchy = "member_since"
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Profile", {"fields": ("first", "last", "email", "description", "class_year", "location", "favorite_event",
                                "week_start", "subscribed", "profilepic_name", "member_since", "activation_code")}),
        ("Access", {"fields": ("is_staff", "is_superuser", "groups", "user_permissions", "last_login")}),
        ("Audit", {"fields": AuditedAdmin.audit_fields}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "first", "last", "email", "password1", "password2")}),
    )
    filter_horizontal = ("groups", "user_permissions")
    inlines = [MembershipInline]
    coach_permissions = frozenset({"view"})

    def coach_queryset(self, queryset, group_ids):
        """A coach sees everyone in their groups, pending requests included."""
        return queryset.filter(username__in=GroupMember.objects.filter(group_id__in=group_ids).values("user_id"))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        return [(name, options) for name, options in fieldsets if name in (None, "Profile")]


@admin.register(Flair)
class FlairAdmin(AuditedAdmin):
    list_display = ("flair_id", "user", "flair", "deleted")
    search_fields = ("user__username", "flair")
    raw_id_fields = ("user",)
    list_select_related = ("user",)


class ActivationCodeForm(forms.ModelForm):
    """Coaches and admins give an email and a group; the code and its expiry are generated."""

    class Meta:
        model = ActivationCode
        fields = ("email", "group")

    def __init__(self, *args, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["group"].required = True
        if groups is not None:
            self.fields["group"].queryset = groups


def new_activation_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if not ActivationCode.all_objects.filter(activation_code=code).exists():
            return code


def send_activation_code(code: ActivationCode):
    """Email the invitation (plain text, Django's mail backend)."""
    group = code.group
    send_mail(
        subject=f"Your SaintsXCTF activation code for {group}",
        message=(
            f"You have been invited to join {group} on SaintsXCTF.\n\n"
            f"Your activation code is {code.activation_code}.\n"
            f"Sign up at {settings.WEB_APP_URL}/register and enter it before "
            f"{code.expiration_date:%B %d, %Y}.\n"
        ),
        from_email=None,
        recipient_list=[code.email],
    )


@admin.register(ActivationCode)
class ActivationCodeAdmin(AuditedAdmin):
    """Creating a code here emails it to the runner."""

    list_display = ("activation_code", "email", "group", "expiration_date", "deleted")
    list_filter = ("group", "expiration_date")
    search_fields = ("activation_code", "email", "group__group_name")
    list_select_related = ("group",)
    coach_permissions = frozenset({"view", "add"})

    def coach_queryset(self, queryset, group_ids):
        return queryset.filter(group_id__in=group_ids)

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        return filters if request.user.is_superuser else tuple(f for f in filters if f != "group")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        groups = None if request.user.is_superuser else Group.objects.filter(id__in=coach_group_ids(request))

        class Form(ActivationCodeForm):
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, groups=groups, **form_kwargs)

        return Form

    def get_fields(self, request, obj=None):
        return ("email", "group") if obj is None else super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return ("activation_code", *fields) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        if not change:
            obj.activation_code = new_activation_code()
            obj.expiration_date = timezone.now() + CODE_LIFETIME
        super().save_model(request, obj, form, change)
        if not change:
            send_activation_code(obj)
            self.message_user(request, f"Emailed activation code {obj.activation_code} to {obj.email}.")


@admin.register(ForgotPasswordCode)
class ForgotPasswordCodeAdmin(AuditedAdmin):
    list_display = ("forgot_code", "user", "expires", "deleted")
    list_filter = ("expires",)
    search_fields = ("forgot_code", "user__username")
    raw_id_fields = ("user",)
    list_select_related = ("user",)
