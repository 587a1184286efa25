from django.contrib import admin

from logs.models import ExerciseType, Log
from saintsxctf.admin import AuditedAdmin


@admin.register(ExerciseType)
class ExerciseTypeAdmin(admin.ModelAdmin):
    list_display = ("type",)
    search_fields = ("type",)


@admin.register(Log)
class LogAdmin(AuditedAdmin):
    list_display = ("log_id", "user", "date", "type", "distance", "metric", "miles", "time", "pace", "feel", "deleted")
    list_filter = ("type", "metric", "date")
    search_fields = ("user__username", "name", "location", "description")
    date_hierarchy = "date"
    list_select_related = ("user", "type")
    raw_id_fields = ("user",)
    readonly_fields = ("miles", "pace")
