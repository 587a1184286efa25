from django.contrib import admin

from groups.models import Group, GroupMember
from saintsxctf.admin import AuditedAdmin


class GroupMemberInline(admin.TabularInline):
    model = GroupMember
    fields = ("user", "status", "role")
    raw_id_fields = ("user",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Group)
class GroupAdmin(AuditedAdmin):
    list_display = ("id", "group_name", "group_title", "week_start", "deleted")
    list_filter = ("week_start",)
    search_fields = ("group_name", "group_title", "description")
    inlines = [GroupMemberInline]


@admin.register(GroupMember)
class GroupMemberAdmin(AuditedAdmin):
    list_display = ("id", "group", "user", "status", "role", "deleted")
    list_filter = ("status", "role", "group")
    search_fields = ("user__username", "user__first", "user__last", "group__group_name")
    list_select_related = ("group", "user")
    raw_id_fields = ("user", "group")
