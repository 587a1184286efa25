from django.contrib import admin

from saintsxctf.operations.admin import AuditedAdmin
from teams.models import Team, TeamGroup, TeamMember


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ("name", "title", "week_start", "deleted")
    list_filter = ("week_start",)
    search_fields = ("name", "title", "description")


@admin.register(TeamMember)
class TeamMemberAdmin(AuditedAdmin):
    list_display = ("id", "team", "user", "status", "role", "deleted")
    list_filter = ("status", "role", "team")
    search_fields = ("user__username", "user__first", "user__last", "team__name")
    list_select_related = ("team", "user")
    raw_id_fields = ("user",)


@admin.register(TeamGroup)
class TeamGroupAdmin(AuditedAdmin):
    list_display = ("id", "team", "group", "deleted")
    list_filter = ("team",)
    search_fields = ("team__name", "group__group_name")
    list_select_related = ("team", "group")
    raw_id_fields = ("group",)
