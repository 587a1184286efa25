from django.contrib import admin

from comments.models import Comment
from saintsxctf.operations.admin import AuditedAdmin


@admin.register(Comment)
class CommentAdmin(AuditedAdmin):
    list_display = ("comment_id", "user", "log", "time", "content", "deleted")
    list_filter = ("time",)
    search_fields = ("user__username", "user__first", "user__last", "content")
    date_hierarchy = "time"
    list_select_related = ("user", "log")
    raw_id_fields = ("user", "log")
