from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from saintsxctf.admin import AuditedAdmin
from users.models import ActivationCode, Flair, ForgotPasswordCode, User


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    list_display = ("username", "first", "last", "email", "class_year", "member_since", "last_login", "is_staff",
                    "deleted")
    list_filter = ("is_staff", "is_superuser", "week_start", "class_year")
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


@admin.register(Flair)
class FlairAdmin(AuditedAdmin):
    list_display = ("flair_id", "user", "flair", "deleted")
    search_fields = ("user__username", "flair")
    raw_id_fields = ("user",)


@admin.register(ActivationCode)
class ActivationCodeAdmin(AuditedAdmin):
    list_display = ("activation_code", "email", "group", "expiration_date", "deleted")
    list_filter = ("group",)
    search_fields = ("activation_code", "email")
    raw_id_fields = ("group",)


@admin.register(ForgotPasswordCode)
class ForgotPasswordCodeAdmin(AuditedAdmin):
    list_display = ("forgot_code", "user", "expires", "deleted")
    search_fields = ("forgot_code", "user__username")
    raw_id_fields = ("user",)
