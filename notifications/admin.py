from django.contrib import admin

from notifications.models import Notification
from saintsxctf.operations.admin import AuditedAdmin


@admin.register(Notification)
class NotificationAdmin(AuditedAdmin):
    list_display = ("notification_id", "user", "time", "viewed", "description", "deleted")
    list_filter = ("viewed", "time")
    search_fields = ("user__username", "description", "link")
    date_hierarchy = "time"
    list_select_related = ("user",)
    raw_id_fields = ("user",)
