"""Admin building blocks shared by every app's admin, and the coach admin.

Superusers see and manage everything. A *coach* is a staff user who is an accepted admin of one or more groups
(GroupMember role "admin"); in the admin a coach sees only their groups, those groups' members, activation codes
and runners, and their runners' logs.

How coaches get access: each ModelAdmin declares `coach_permissions` (which of view/add/change a coach has) and
`coach_queryset()` (which rows are theirs); `has_*_permission` and `get_queryset` answer from those for every
non-superuser. We chose this over a "Coaches" auth group granted by a data migration because a coach's access
then follows their group memberships as they change (no group to keep in sync) and the per-row scoping has
to live in code anyway. The price: Django model permissions given by hand to a non-superuser staff account do
not widen what the admin shows them; make them a superuser instead.
"""

import csv

from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Max, Min, Q, Sum
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.safestring import mark_safe

from groups.models import GroupMember
from logs.cached import invalidate
from saintsxctf.foundation.audit import current_app, current_user
from saintsxctf.foundation.models import OutgoingMail


def coach_group_ids(request) -> frozenset[int]:
    """Ids of the live groups the signed-in staff user administers (computed once per request)."""
    if not hasattr(request, "_coach_group_ids"):
        user = request.user
        ids = frozenset()
        if user.is_authenticated and user.is_active and user.is_staff:
            ids = frozenset(GroupMember.objects.filter(
                user_id=user.get_username(), status="accepted", role="admin", group__deleted=False,
            ).values_list("group_id", flat=True))
        request._coach_group_ids = ids
    return request._coach_group_ids


def is_coach(request) -> bool:
    return not request.user.is_superuser and bool(coach_group_ids(request))


def runners_of(group_ids):
    """Usernames of the accepted members of `group_ids`, as a subquery."""
    return GroupMember.objects.filter(group_id__in=group_ids, status="accepted").values("user_id")


def audited_update(queryset, **changes) -> int:
    """One UPDATE that also records who changed the rows (the admin's bulk actions). A queryset update sends
    no signals, so the cached aggregates are invalidated here."""
    count = queryset.update(**changes, modified_date=timezone.now(), modified_user=current_user(),
                            modified_app=current_app())
    invalidate()
    return count


def log_admin_changes(request, objects, message: str) -> None:
    """Record `message` in the admin history of each object (what Django's own change form does on save), so
    bulk actions and dashboard buttons show under "Recent actions" and on each object's History page."""
    objects = list(objects)
    if not objects or not request.user.is_authenticated:
        return
    content_type = ContentType.objects.get_for_model(type(objects[0]), for_concrete_model=False)
    LogEntry.objects.bulk_create([
        LogEntry(user_id=request.user.pk, content_type_id=content_type.pk, object_id=str(obj.pk),
                 object_repr=str(obj)[:200], action_flag=CHANGE, change_message=message)
        for obj in objects
    ])


@admin.action(description="Soft delete the selected rows", permissions=["soft_delete"])
def soft_delete_selected(modeladmin, request, queryset):
    count = queryset.soft_delete()
    invalidate()
    modeladmin.message_user(request, f"Soft deleted {count} row(s).")


@admin.action(description="Restore the selected soft-deleted rows", permissions=["soft_delete"])
def restore_selected(modeladmin, request, queryset):
    count = queryset.update(deleted=False, deleted_date=None, deleted_user=None, deleted_app=None)
    invalidate()
    modeladmin.message_user(request, f"Restored {count} row(s).")


class CoachScopedMixin:
    """Superusers: Django's permissions and every row. Everyone else: the coach rules described above."""

    coach_permissions: frozenset[str] = frozenset()

    def coach_queryset(self, queryset, group_ids):
        """The rows a coach of `group_ids` may see (none unless an admin says otherwise)."""
        return queryset.none()

    def scope(self, request, queryset):
        if request.user.is_superuser:
            return queryset
        if not self.coach_permissions or not is_coach(request):
            return queryset.none()
        return self.coach_queryset(queryset, coach_group_ids(request))

    def coach_may(self, request, action: str) -> bool:
        return action in self.coach_permissions and is_coach(request)

    def has_module_permission(self, request):
        if request.user.is_superuser:
            return super().has_module_permission(request)
        return bool(self.coach_permissions) and is_coach(request)

    def has_view_permission(self, request, obj=None):
        if request.user.is_superuser:
            return super().has_view_permission(request, obj)
        return bool(self.coach_permissions) and is_coach(request)

    def has_add_permission(self, request, *args):
        if request.user.is_superuser:
            return super().has_add_permission(request, *args)
        return self.coach_may(request, "add")

    def has_change_permission(self, request, obj=None):
        if request.user.is_superuser:
            return super().has_change_permission(request, obj)
        return self.coach_may(request, "change")

    def has_delete_permission(self, request, obj=None):
        if request.user.is_superuser:
            return super().has_delete_permission(request, obj)
        return False  # coaches never remove rows

    def has_soft_delete_permission(self, request):
        """Soft delete and restore: superusers only (coaches decline members through their own action)."""
        return request.user.is_superuser and self.has_change_permission(request)


class DeletedFilter(admin.SimpleListFilter):
    """Live rows by default (what a coach means by "the list"); deleted rows only when asked for, and then
    marked in the list (`AuditedAdmin.state`)."""

    title = "deleted"
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("all", "Live and deleted"), ("yes", "Deleted only")]

    def choices(self, changelist):
        value = self.value()
        yield {"selected": value is None, "query_string": changelist.get_query_string(remove=[self.parameter_name]),
               "display": "Live only"}
        for lookup, title in self.lookup_choices:
            yield {"selected": value == lookup, "display": title,
                   "query_string": changelist.get_query_string({self.parameter_name: lookup})}

    def queryset(self, request, queryset):
        value = self.value()
        if value == "all" or (request.method == "POST" and "action" in request.POST):
            # An action applies to exactly the rows ticked (restore acts on deleted ones); scoping still holds.
            return queryset
        if value == "yes":
            return queryset.filter(deleted=True)
        return queryset.filter(deleted=False)


class AuditedAdmin(CoachScopedMixin, admin.ModelAdmin):
    """Live rows by default (deleted ones behind a filter, marked when shown), the audit columns read-only, and
    soft delete/restore."""

    audit_fields = (
        "deleted", "created_date", "created_user", "created_app", "modified_date", "modified_user",
        "modified_app", "deleted_date", "deleted_user", "deleted_app",
    )
    actions = [soft_delete_selected, restore_selected]
    list_per_page = 50

    def get_queryset(self, request):
        queryset = self.model.all_objects.get_queryset()
        ordering = self.get_ordering(request)
        if ordering:
            queryset = queryset.order_by(*ordering)
        return self.scope(request, queryset)

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), *self.audit_fields)

    def get_list_filter(self, request):
        return (DeletedFilter, *super().get_list_filter(request))

    def get_list_display(self, request):
        return tuple("state" if name == "deleted" else name for name in super().get_list_display(request))

    @admin.display(description="state", ordering="deleted")
    def state(self, obj):
        """Nothing for a live row; a red "deleted" label (never a green tick) for a deleted one."""
        if not obj.deleted:
            return ""
        return mark_safe('<strong style="color:#ba2121">deleted</strong>')  # noqa: S308 -- a constant


class CoachGroupFilter(admin.SimpleListFilter):
    """Filter by one of the groups the viewer may see (runner's accepted membership)."""

    title = "group"
    parameter_name = "group"
    # The lookup from the admin's model to the runner's username.
    user_lookup = "user_id"

    def lookups(self, request, model_admin):
        from groups.models import Group

        groups = Group.objects.order_by("group_name")
        if not request.user.is_superuser:
            groups = groups.filter(id__in=coach_group_ids(request))
        return [(str(g.id), f"{g.group_name} ({g.group_title})" if g.group_title else g.group_name) for g in groups]

    def queryset(self, request, queryset):
        value = self.value()
        if not value or not value.isdigit():
            return queryset
        if not request.user.is_superuser and int(value) not in coach_group_ids(request):
            return queryset.none()  # another group's roster is not the coach's to probe
        return queryset.filter(**{f"{self.user_lookup}__in": runners_of([int(value)])})


# -- CSV exports (coach admin actions) ------------------------------------------------------------------------

LOG_CSV_COLUMNS = ["log_id", "username", "first", "last", "date", "type", "name", "location", "distance", "metric",
                   "miles", "time", "pace", "feel", "description"]
MILEAGE_CSV_COLUMNS = ["username", "first", "last", "logs", "miles", "run_miles", "first_date", "last_date"]


# A spreadsheet runs a cell that starts with one of these as a formula (or, for tab and CR, may shift it into
# one); OWASP's "CSV injection" advice: prefix such a text cell with a single quote, which shows as text.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
BYTE_ORDER_MARK = "\ufeff"  # so spreadsheet programs read the file as UTF-8 (accented names)


def spreadsheet_safe(value):
    """`value` as a cell no spreadsheet evaluates: text led by = + - @ tab or CR gets a leading quote.
    Numbers stay numbers (a negative number is data, not a formula)."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


class Echo:
    """A file-like object whose write() returns the line (for csv.writer into a response)."""

    def write(self, value):
        return value


def csv_lines(header: list[str], rows):
    """The CSV text of `header` and `rows`, line by line: a byte-order mark first, every cell neutralised."""
    writer = csv.writer(Echo())
    yield BYTE_ORDER_MARK + writer.writerow([spreadsheet_safe(cell) for cell in header])
    for row in rows:
        yield writer.writerow([spreadsheet_safe(cell) for cell in row])


def csv_response(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    """Every CSV export of the admin: streamed (rows are read in chunks as the file goes out)."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _duration(value) -> str:
    if value is None:
        return ""
    seconds = int(value.total_seconds())
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def log_csv_rows(logs, prefix=()):
    """CSV rows for live logs, read in chunks."""
    fields = ["log_id", "user_id", "first", "last", "date", "type_id", "name", "location", "distance", "metric",
              "miles", "time", "pace", "feel", "description"]
    for row in logs.filter(deleted=False).order_by("date", "log_id").values_list(*fields).iterator(chunk_size=2000):
        row = list(row)
        row[11], row[12] = _duration(row[11]), _duration(row[12])
        yield [*prefix, *row]


def mileage_rows(logs, prefix=()):
    """Per-runner totals of live logs: one GROUP BY query."""
    totals = (logs.filter(deleted=False).order_by().values("user_id", "user__first", "user__last")
              .annotate(n=Count("log_id"), total=Sum("miles"), run_total=Sum("miles", filter=Q(type_id="run")),
                        since=Min("date"), until=Max("date"))
              .order_by("user_id"))
    for t in totals:
        yield [*prefix, t["user_id"], t["user__first"], t["user__last"], t["n"], round(t["total"] or 0, 2),
               round(t["run_total"] or 0, 2), t["since"], t["until"]]


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    """The mail queue (saintsxctf/foundation/mail.py): what was sent, what waits for a retry, what failed. Superusers only."""

    list_display = ["id", "kind", "to", "status", "attempts", "created_at", "next_attempt_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject"]
    ordering = ["-id"]
    readonly_fields = [field.name for field in OutgoingMail._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.action(description="Send the selected failed or waiting mails again now")
    def retry_now(self, request, queryset):
        count = queryset.exclude(status=OutgoingMail.SENT).update(
            status=OutgoingMail.QUEUED, next_attempt_at=timezone.now(), claimed_until=None, attempts=0)
        self.message_user(request, f"{count} mail(s) queued for the worker.")
