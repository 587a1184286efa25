from django.contrib import admin

from logs.models import ExerciseType, Log
from saintsxctf.admin import (
    LOG_CSV_COLUMNS,
    MILEAGE_CSV_COLUMNS,
    AuditedAdmin,
    CoachGroupFilter,
    CoachScopedMixin,
    csv_response,
    log_csv_rows,
    mileage_rows,
    runners_of,
)


@admin.register(ExerciseType)
class ExerciseTypeAdmin(CoachScopedMixin, admin.ModelAdmin):
    """Coaches may open a type (a log's page links to it) but it is not one of their tools on the index."""

    list_display = ("type",)
    search_fields = ("type",)
    coach_permissions = frozenset({"view"})

    def coach_queryset(self, queryset, group_ids):
        return queryset

    def has_module_permission(self, request):
        return request.user.is_superuser and super().has_module_permission(request)

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))


@admin.action(description="Export the selected logs as CSV", permissions=["view"])
def export_logs(modeladmin, request, queryset):
    return csv_response("logs.csv", LOG_CSV_COLUMNS, log_csv_rows(queryset))


@admin.action(description="Export the selected logs' mileage per runner as CSV", permissions=["view"])
def export_mileage(modeladmin, request, queryset):
    return csv_response("mileage.csv", MILEAGE_CSV_COLUMNS, mileage_rows(queryset))


@admin.register(Log)
class LogAdmin(AuditedAdmin):
    """Coaches read their runners' logs (accepted members of their groups), filter them and export them."""

    list_display = ("log_id", "user", "date", "type", "name", "distance", "metric", "miles", "time", "pace", "feel",
                    "deleted")
    list_filter = (CoachGroupFilter, "type", "date", "metric", "feel")
    search_fields = ("user__username", "user__first", "user__last", "name", "location", "description")
    date_hierarchy = "date"
    list_select_related = ("user", "type")
    raw_id_fields = ("user",)
    readonly_fields = ("miles", "pace")
    actions = [export_logs, export_mileage, *AuditedAdmin.actions]
    coach_permissions = frozenset({"view"})
    show_full_result_count = False  # a COUNT(*) over a million logs on every page is not worth it

    def coach_queryset(self, queryset, group_ids):
        return queryset.filter(user_id__in=runners_of(group_ids))
