from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html

from groups.models import Group, GroupMember, TrainingTarget
from groups.services import (
    DECLINED,
    group_member_update,
    member_approve,
    member_decline,
    membership_change_problem,
)
from logs.models import Log
from saintsxctf.operations.admin import (
    LOG_CSV_COLUMNS,
    MILEAGE_CSV_COLUMNS,
    AuditedAdmin,
    audited_update,
    coach_group_ids,
    csv_response,
    is_coach,
    log_admin_changes,
    log_csv_rows,
    mileage_rows,
    runners_of,
)


class GuardedInlineFormSet(BaseInlineFormSet):
    """The group page's member rows: the same rules as the member form (groups.services), over all rows at once."""

    editor = None

    def clean(self):
        super().clean()
        if any(self.errors) or self.instance.pk is None:
            return
        changes = {form.instance.pk: (form.cleaned_data.get("status"), form.cleaned_data.get("role"))
                   for form in self.forms if form.instance.pk and form.has_changed() and form.cleaned_data}
        problem = changes and membership_change_problem(group=self.instance, changes=changes, editor=self.editor)
        if problem:
            raise ValidationError(problem)


class GroupMemberInline(admin.TabularInline):
    model = GroupMember
    fields = ("user", "status", "role")
    raw_id_fields = ("user",)
    extra = 0
    formset = GuardedInlineFormSet

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type("Guarded" + formset.__name__, (formset,), {"editor": request.user.get_username()})

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

    def save_formset(self, request, form, formset, change):
        if formset.model is not GroupMember:
            return super().save_formset(request, form, formset, change)
        was = {f.instance.pk: f.initial.get("status") for f in formset.forms if f.instance.pk}
        members = formset.save(commit=False)  # changed and new rows; deletions wait in deleted_objects
        for member in formset.deleted_objects:
            member.delete()
        for member in members:
            if member.pk in was:
                save_membership(request, member, was[member.pk])
            else:
                member.save()  # a superuser adding a member
        formset.save_m2m()
        return None

    @admin.display(description="members", ordering="accepted_count")
    def accepted(self, obj):
        return obj.accepted_count

    @admin.display(description="pending", ordering="pending_count")
    def pending(self, obj):
        """The count, linking to the group's dashboard (where the requests have Approve and Decline)."""
        return format_html('<a href="{}#pending">{}</a>', reverse("admin:coach-dashboard-group", args=[obj.pk]),
                           obj.pending_count)


def decide(request, queryset, decision, verb: str) -> str:
    """Approve or decline each pending request of `queryset` through the service (the runner is notified) and
    record it in the admin history; the message says what was done and why anything was left alone."""
    rows = list(queryset.select_related("group"))
    done = [m for m in rows if not m.deleted and m.status == "pending" and decision(membership=m, by=request.user)]
    log_admin_changes(request, done, f"{verb.capitalize()} the request to join.")
    declined = sum(1 for m in rows if m.deleted)
    text = f"{verb.capitalize()} {len(done)} request(s)."
    if declined:
        text += f" {declined} declined request(s) left alone: the runner has to ask to join again."
    if len(rows) - len(done) - declined:
        text += f" {len(rows) - len(done) - declined} member(s) were not pending."
    return text


@admin.action(description="Approve the selected pending members", permissions=["change"])
def approve_members(modeladmin, request, queryset):
    modeladmin.message_user(request, decide(request, queryset, member_approve, "approved"))


@admin.action(description="Decline the selected pending members", permissions=["change"])
def decline_members(modeladmin, request, queryset):
    modeladmin.message_user(request, decide(request, queryset, member_decline, "declined"))


@admin.action(description="Promote the selected members to group admins", permissions=["change"])
def promote_members(modeladmin, request, queryset):
    chosen = list(queryset.filter(status="accepted", deleted=False).exclude(role="admin"))
    count = audited_update(GroupMember.objects.filter(pk__in=[m.pk for m in chosen]), role="admin")
    log_admin_changes(request, chosen, "Made a group admin.")
    modeladmin.message_user(request, f"Promoted {count} member(s) to admin.")


@admin.action(description="Make the selected admins regular members", permissions=["change"])
def demote_members(modeladmin, request, queryset):
    chosen = list(queryset.filter(role="admin", deleted=False).select_related("group"))
    for group in {m.group for m in chosen}:
        changes = {m.pk: (m.status, "user") for m in chosen if m.group_id == group.pk}
        problem = membership_change_problem(group=group, changes=changes, editor=request.user.get_username())
        if problem:
            modeladmin.message_user(request, f"Nobody was demoted. {problem}", level=messages.ERROR)
            return
    count = audited_update(GroupMember.objects.filter(pk__in=[m.pk for m in chosen]), role="user")
    log_admin_changes(request, chosen, "Made a regular member.")
    modeladmin.message_user(request, f"{count} admin(s) are regular members now.")


def save_membership(request, member: GroupMember, was: str | None) -> None:
    """Save a member row edited in a form through the services: accepting a pending request is an approval (the
    runner is notified and joins the team too), any other change of status or role goes through
    group_member_update, as the API's PUT does."""
    if was == "pending" and member.status == "accepted":
        approved = member_approve(membership=member, by=request.user)
        if approved is not None and approved.role != member.role:
            group_member_update(membership=approved, status="accepted", role=member.role)
    else:
        group_member_update(membership=member, status=member.status, role=member.role)


class GroupMemberForm(forms.ModelForm):
    """The member page: status and role, within the rules of groups.services.membership_change_problem."""

    editor = None

    class Meta:
        model = GroupMember
        fields = ("group", "user", "status", "role")

    def clean(self):
        data = super().clean()
        member = self.instance
        if member.pk is None or not self.has_changed():
            return data
        status, role = data.get("status", member.status), data.get("role", member.role)
        problem = membership_change_problem(group=member.group, changes={member.pk: (status, role)},
                                            editor=self.editor)
        if problem:
            raise ValidationError(problem)
        return data


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

    form = GroupMemberForm

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type("Guarded" + form.__name__, (form,), {"editor": request.user.get_username()})

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and obj.deleted:
            # A declined (or removed) membership is history: editing its status would say "changed" and still
            # leave the runner out. Superusers restore rows with the restore action.
            return ("group", "user", "status", "role", *fields)
        return fields if request.user.is_superuser else ("group", "user", *fields)

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        return save_membership(request, obj, form.initial.get("status"))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.deleted:
            self.message_user(request, DECLINED, level=messages.WARNING)
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="name", ordering="user__last")
    def full_name(self, obj):
        return obj.user.get_full_name()


class TrainingTargetForm(forms.ModelForm):
    """A target's runner must be an accepted member of its group."""

    class Meta:
        model = TrainingTarget
        fields = ("group", "user", "kind", "weekly_miles", "start", "end", "note")

    def clean(self):
        data = super().clean()
        group, user = data.get("group"), data.get("user")
        if group and user and not GroupMember.objects.filter(group=group, user=user, status="accepted").exists():
            raise ValidationError({"user": f"{user.username} is not a member of {group}."})
        return data


@admin.register(TrainingTarget)
class TrainingTargetAdmin(AuditedAdmin):
    """Weekly mileage targets; coaches set them for their own groups (also from the dashboard)."""

    form = TrainingTargetForm
    list_display = ("id", "group", "who", "kind", "weekly_miles", "start", "end", "note", "deleted")
    list_filter = ("kind", "start")
    list_select_related = ("group",)
    raw_id_fields = ("user",)
    coach_permissions = frozenset({"view", "add", "change"})

    def coach_queryset(self, queryset, group_ids):
        return queryset.filter(group_id__in=group_ids)

    @admin.display(description="runner", ordering="user")
    def who(self, obj):
        return obj.user_id or "everyone"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "group" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(id__in=coach_group_ids(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
