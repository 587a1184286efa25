from django import forms
from django.contrib import admin, messages
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse

from comments.models import Comment
from comments.services import comment_create
from logs.models import ExerciseType, Log
from saintsxctf.operations.admin import (
    LOG_CSV_COLUMNS,
    MILEAGE_CSV_COLUMNS,
    AuditedAdmin,
    CoachGroupFilter,
    CoachScopedMixin,
    csv_response,
    is_coach,
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


class CommentInline(admin.TabularInline):
    """The log's live comments, read-only (a coach adds one with the form below them)."""

    model = Comment
    fields = ("time", "user", "content")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("time", "comment_id")

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or is_coach(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CoachCommentForm(forms.Form):
    content = forms.CharField(label="Comment as coach", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


@admin.register(Log)
class LogAdmin(AuditedAdmin):
    """Coaches read their runners' logs (accepted members of their groups), filter them, comment on them and
    export them."""

    list_display = ("log_id", "user", "date", "type", "name", "rounded_miles", "feel", "notes", "deleted")
    inlines = [CommentInline]
    change_form_template = "admin/logs/log/coach_change_form.html"
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

    @admin.display(description="miles", ordering="miles")
    def rounded_miles(self, obj):
        return f"{obj.miles:.2f}" if obj.miles is not None else ""

    @admin.display(description="notes")
    def notes(self, obj):
        text = obj.description or ""
        return text if len(text) <= 60 else text[:57] + "..."

    def get_urls(self):
        urls = super().get_urls()
        comment = path("<path:object_id>/comment/", self.admin_site.admin_view(self.comment_view),
                       name="logs_log_comment")
        return [comment, *urls]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "coach_comment_form": CoachCommentForm()}
        return super().change_view(request, object_id, form_url, extra_context)

    def comment_view(self, request, object_id):
        """POST: comment on one of the coach's runners' logs as the signed-in coach; the runner is notified (the
        same service as the API's POST /v2/comments)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        log = self.get_queryset(request).filter(deleted=False, pk=object_id).first() if object_id.isdigit() else None
        if log is None or not self.has_view_permission(request, log):
            raise Http404("No such log.")
        form = CoachCommentForm(request.POST)
        if form.is_valid():
            comment = comment_create(author=request.user, log=log, content=form.cleaned_data["content"])
            self.log_change(request, log, f"Commented: {comment.content[:100]}")
            messages.success(request, f"Your comment is on {log.user_id}'s log; they have been notified.")
        else:
            messages.error(request, "The comment was empty or too long; nothing was posted.")
        return HttpResponseRedirect(reverse("admin:logs_log_change", args=[log.pk]))
