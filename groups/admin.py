from django.contrib import admin
from django.db.models import Count, Q

from groups.models import Group, GroupMember
from logs.cached import invalidate
from logs.models import Log
from saintsxctf.admin import (
    LOG_CSV_COLUMNS,
    MILEAGE_CSV_COLUMNS,
    AuditedAdmin,
    audited_update,
    coach_group_ids,
    csv_response,
    is_coach,
    log_csv_rows,
    mileage_rows,
    runners_of,
)


class GroupMemberInline(admin.TabularInline):
    model = GroupMember
    fields = ("user", "status", "role")
    raw_id_fields = ("user",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def get_readonly_fields(self, request, obj=None):
        return () if request.user.is_superuser else ("user",)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or is_coach(request)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser or is_coach(request)

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.action(description="Export the selected groups' logs as CSV", permissions=["view"])
def export_group_logs(modeladmin, request, queryset):
    def rows():
        for group in queryset.order_by("group_name"):
            yield from log_csv_rows(Log.objects.filter(user_id__in=runners_of([group.id])), prefix=[group.group_name])
    return csv_response("group-logs.csv", ["group", *LOG_CSV_COLUMNS], rows())


@admin.action(description="Export the selected groups' mileage per runner as CSV", permissions=["view"])
def export_group_mileage(modeladmin, request, queryset):
    def rows():
        for group in queryset.order_by("group_name"):
            yield from mileage_rows(Log.objects.filter(user_id__in=runners_of([group.id])), prefix=[group.group_name])
    return csv_response("group-mileage.csv", ["group", *MILEAGE_CSV_COLUMNS], rows())


@admin.register(Group)
class GroupAdmin(AuditedAdmin):
    list_display = ("id", "group_name", "group_title", "week_start", "accepted", "pending", "deleted")
    list_filter = ("week_start", "team_links__team")
    search_fields = ("group_name", "group_title", "description")
    inlines = [GroupMemberInline]
    actions = [*AuditedAdmin.actions, export_group_logs, export_group_mileage]
    coach_permissions = frozenset({"view", "change"})

    def coach_queryset(self, queryset, group_ids):
        return queryset.filter(id__in=group_ids)

    def get_queryset(self, request):
        live = Q(members__deleted=False)
        return super().get_queryset(request).annotate(
            accepted_count=Count("members", filter=live & Q(members__status="accepted")),
            pending_count=Count("members", filter=live & Q(members__status="pending")),
        )

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return fields if request.user.is_superuser else ("group_name", *fields)

    @admin.display(description="members", ordering="accepted_count")
    def accepted(self, obj):
        return obj.accepted_count

    @admin.display(description="pending", ordering="pending_count")
    def pending(self, obj):
        return obj.pending_count


@admin.action(description="Approve the selected pending members", permissions=["change"])
def approve_members(modeladmin, request, queryset):
    count = audited_update(queryset.filter(status="pending", deleted=False), status="accepted")
    modeladmin.message_user(request, f"Approved {count} member(s).")


@admin.action(description="Decline the selected pending members", permissions=["change"])
def decline_members(modeladmin, request, queryset):
    count = queryset.filter(status="pending", deleted=False).soft_delete()
    invalidate()  # a queryset update sends no signals
    modeladmin.message_user(request, f"Declined {count} request(s).")


@admin.action(description="Promote the selected members to group admins", permissions=["change"])
def promote_members(modeladmin, request, queryset):
    count = audited_update(queryset.filter(status="accepted", deleted=False).exclude(role="admin"), role="admin")
    modeladmin.message_user(request, f"Promoted {count} member(s) to admin.")


@admin.action(description="Make the selected admins regular members", permissions=["change"])
def demote_members(modeladmin, request, queryset):
    mine = queryset.filter(role="admin", deleted=False).exclude(user_id=request.user.get_username())
    count = audited_update(mine, role="user")
    modeladmin.message_user(request, f"{count} admin(s) are regular members now (you cannot demote yourself).")


class CoachGroups(admin.SimpleListFilter):
    """The group filter, listing only the coach's own groups."""

    title = "group"
    parameter_name = "group__id__exact"

    def lookups(self, request, model_admin):
        return [(str(g.id), g.group_name) for g in Group.objects.filter(id__in=coach_group_ids(request))
                .order_by("group_name")]

    def queryset(self, request, queryset):
        return queryset.filter(group_id=self.value()) if self.value() and self.value().isdigit() else queryset


@admin.register(GroupMember)
class GroupMemberAdmin(AuditedAdmin):
    list_display = ("id", "group", "user", "full_name", "status", "role", "deleted")
    list_filter = ("status", "role", "group")
    search_fields = ("user__username", "user__first", "user__last", "group__group_name")
    list_select_related = ("group", "user")
    raw_id_fields = ("user", "group")
    actions = [approve_members, decline_members, promote_members, demote_members, *AuditedAdmin.actions]
    coach_permissions = frozenset({"view", "change"})

    def coach_queryset(self, queryset, group_ids):
        return queryset.filter(group_id__in=group_ids)

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        return filters if request.user.is_superuser else tuple(f for f in filters if f != "group") + (CoachGroups,)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return fields if request.user.is_superuser else ("group", "user", *fields)

    @admin.display(description="name", ordering="user__last")
    def full_name(self, obj):
        return obj.user.get_full_name()
