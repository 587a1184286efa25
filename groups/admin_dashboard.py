"""The coach dashboard in the admin: the first page a coach sees (saintsxctf/operations/admin_site.py), one group at a time
with a picker of the groups they run. It shows `groups.dashboard.coach_dashboard()`: pending requests with
approve/decline buttons, the runners × weeks table with a small chart per runner and one for the group, the
flags (each linking to the runner's logs), the targets and who is on, under or over them, a form to set a target,
and the weekly table as CSV (streamed, with a byte-order mark) or XLSX for any season's date range.

Every view checks that the group is one the signed-in coach administers (superusers: any live group); another
group's id answers as if it did not exist.
"""

import io
from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from groups.dashboard import MAX_WEEKS, WEEKS, coach_dashboard
from groups.models import Group, GroupMember, TrainingTarget
from groups.services import member_approve, member_decline, target_create
from saintsxctf.operations.admin import coach_group_ids, csv_response, is_coach, log_admin_changes, spreadsheet_safe
from users.models import User


def dashboard_urls(site) -> list:
    """The dashboard's routes inside the admin site (each behind the site's login and staff check)."""
    def view(function):
        return site.admin_view(lambda request, **kwargs: function(site, request, **kwargs))

    return [
        path("dashboard/", view(dashboard_view), name="coach-dashboard"),
        path("dashboard/<int:group_id>/", view(dashboard_view), name="coach-dashboard-group"),
        path("dashboard/<int:group_id>/members/<int:member_id>/<str:decision>/", view(decide_view),
             name="coach-decide"),
        path("dashboard/<int:group_id>/targets/", view(target_view), name="coach-target-add"),
        path("dashboard/<int:group_id>/weekly.csv", view(weekly_csv_view), name="coach-weekly-csv"),
        path("dashboard/<int:group_id>/weekly.xlsx", view(weekly_xlsx_view), name="coach-weekly-xlsx"),
    ]


# -- access ------------------------------------------------------------------------------------------------------
def groups_run_by(request) -> list[Group]:
    """The live groups the signed-in user may see on the dashboard, by name."""
    groups = Group.objects.order_by("group_name")
    return list(groups if request.user.is_superuser else groups.filter(id__in=coach_group_ids(request)))


def group_or_404(request, group_id: int) -> Group:
    if not may_use_dashboard(request):
        raise PermissionDenied
    if not request.user.is_superuser and group_id not in coach_group_ids(request):
        raise Http404("No such group.")
    group = Group.objects.filter(pk=group_id).first()
    if group is None:
        raise Http404("No such group.")
    return group


def may_use_dashboard(request) -> bool:
    return request.user.is_superuser or is_coach(request)


def _int(value, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(value)))
    except (TypeError, ValueError):
        return default


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


# -- charts (inline SVG: no script, no outside request) ----------------------------------------------------------
def bar_chart(values: list[float], *, target: float | None = None, highlight: int | None = None, width: int = 132,
              height: int = 30, label: str = "") -> str:
    """A small bar chart of `values`, the `highlight` bar darker, a dashed line at `target`; safe HTML."""
    top = max([*values, target or 0, 1])
    step = width / max(1, len(values))
    bars = []
    for i, value in enumerate(values):
        h = round(value / top * (height - 2), 1)
        colour = "#990000" if i == highlight else "#c9a7a7"
        bars.append(f'<rect x="{i * step + 1:.1f}" y="{height - h:.1f}" width="{max(1.0, step - 2):.1f}" '
                    f'height="{h}" fill="{colour}"><title>{value:g}</title></rect>')
    if target:
        y = round(height - target / top * (height - 2), 1)
        bars.append(f'<line x1="0" x2="{width}" y1="{y}" y2="{y}" stroke="#333" stroke-dasharray="3 2"/>')
    return mark_safe(  # noqa: S308 -- numbers and an escaped label only
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(label)}">{"".join(bars)}</svg>')


# -- the page ----------------------------------------------------------------------------------------------------
class TargetForm(forms.ModelForm):
    """Set a weekly target for the whole group or one of its runners."""

    class Meta:
        model = TrainingTarget
        fields = ("user", "kind", "weekly_miles", "start", "end", "note")
        widgets = {"start": forms.DateInput(attrs={"type": "date"}), "end": forms.DateInput(attrs={"type": "date"})}
        labels = {"user": "Runner", "weekly_miles": "Miles per week"}

    def __init__(self, *args, group: Group, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.group = group
        runners = GroupMember.objects.filter(group=group, status="accepted").values("user_id")
        self.fields["user"].queryset = User.objects.filter(username__in=runners).order_by("last", "first")
        self.fields["user"].empty_label = "Everyone in the group"
        self.fields["user"].required = False


def dashboard_view(site, request, group_id: int | None = None):
    """The dashboard of one group (the first the coach runs when none is named)."""
    if not may_use_dashboard(request):
        raise PermissionDenied
    groups = groups_run_by(request)
    if group_id is None:
        if not groups:
            messages.info(request, "There is no group yet.")
            return HttpResponseRedirect(reverse("admin:index"))
        group = groups[0]
    else:
        group = group_or_404(request, group_id)
    quiet = _int(request.GET.get("quiet"), 0, 0, 365) or None
    data = coach_dashboard(group, quiet_days=quiet)
    return render_dashboard(site, request, group, groups, data, TargetForm(group=group, initial=_target_initial(data)))


def _target_initial(data) -> dict:
    today = data["today"]
    return {"start": today - timedelta(days=today.weekday()), "end": today + timedelta(weeks=12), "kind": "run"}


def render_dashboard(site, request, group, groups, data, target_form):
    current = data["current_week"]
    for row in data["runners"]:
        target = row["target"]
        row["chart"] = bar_chart([c["run_miles"] for c in row["weeks"]], highlight=current,
                                 target=target["weekly_miles"] if target and target["kind"] == "run" else None,
                                 label=f"Run miles per week, {row['first']} {row['last']}")
        row["logs_url"] = f'{reverse("admin:logs_log_changelist")}?user__exact={row["username"]}'
    for flag in data["flags"]:
        flag["url"] = (reverse("admin:logs_log_change", args=[flag["log_id"]]) if flag["log_id"]
                       else f'{reverse("admin:logs_log_changelist")}?user__exact={flag["username"]}')
    group_chart = bar_chart([w["run_miles"] for w in data["group_weeks"]], highlight=current, width=360, height=80,
                            label="The group's run miles per week")
    context = {
        **site.each_context(request), "title": f"Coach dashboard: {group}", "group": group, "groups": groups,
        "data": data, "group_chart": group_chart, "target_form": target_form,
        "week_rows": list(zip(data["weeks"], data["group_weeks"], strict=True)),
        "season_start": data["weeks"][0]["start"], "season_end": data["today"],
    }
    return TemplateResponse(request, "admin/coach_dashboard.html", context)


def decide_view(site, request, group_id: int, member_id: int, decision: str):
    """POST: approve or decline one pending request of the group; the runner is notified."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    group = group_or_404(request, group_id)
    membership = GroupMember.objects.filter(pk=member_id, group=group).first()
    service = {"approve": member_approve, "decline": member_decline}.get(decision)
    if membership is None or service is None:
        raise Http404("No such request.")
    done = service(membership=membership, by=request.user)
    name = membership.user_id
    if done is None:
        messages.warning(request, f"{name}'s request was no longer pending; nothing changed.")
    else:
        verb = "Approved" if decision == "approve" else "Declined"
        log_admin_changes(request, [done], f"{verb} the request to join.")
        messages.success(request, f"{verb} {name}'s request to join {group}; they have been notified.")
    return HttpResponseRedirect(reverse("admin:coach-dashboard-group", args=[group.pk]))


def target_view(site, request, group_id: int):
    """POST: set a weekly target for the group or one runner; the form comes back with its errors if invalid."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    group = group_or_404(request, group_id)
    form = TargetForm(request.POST, group=group)
    if not form.is_valid():
        messages.error(request, "The target was not saved: see the form below.")
        return render_dashboard(site, request, group, groups_run_by(request), coach_dashboard(group), form)
    data = form.cleaned_data
    target = target_create(group=group, username=data["user"].username if data["user"] else None,
                           kind=data["kind"], weekly_miles=data["weekly_miles"], start=data["start"],
                           end=data["end"], note=data["note"])
    log_admin_changes(request, [target], "Set from the coach dashboard.")
    messages.success(request, f"Target set: {target}.")
    return HttpResponseRedirect(reverse("admin:coach-dashboard-group", args=[group.pk]))


# -- exports -----------------------------------------------------------------------------------------------------
def season(request, group: Group) -> tuple[date, date]:
    """The export's date range: ?start=&end= (ISO dates), else the dashboard's last WEEKS weeks."""
    from groups.queries import current_date

    end = _date(request.GET.get("end")) or current_date()
    start = _date(request.GET.get("start")) or end - timedelta(weeks=WEEKS - 1)
    if start > end:
        start, end = end, start
    return max(start, end - timedelta(weeks=MAX_WEEKS - 1)), end


def weekly_table(group: Group, start: date, end: date) -> tuple[list[str], list[list]]:
    """The weekly table of a season: one row per runner; run and all miles per week, then the season's totals."""
    data = coach_dashboard(group, start=start, end=end, today=end)
    header = ["username", "first", "last"]
    for week in data["weeks"]:
        header += [f"run {week['start']:%Y-%m-%d}", f"all {week['start']:%Y-%m-%d}"]
    header += ["run total", "all total", "logs", "last log"]
    rows = []
    for r in data["runners"]:
        cells = [r["username"], r["first"], r["last"]]
        for week in r["weeks"]:
            cells += [week["run_miles"], week["miles"]]
        cells += [round(sum(w["run_miles"] for w in r["weeks"]), 2), round(sum(w["miles"] for w in r["weeks"]), 2),
                  sum(w["logs"] for w in r["weeks"]), r["last_log"] or ""]
        rows.append(cells)
    return header, rows


def _filename(group: Group, start: date, end: date, ext: str) -> str:
    return f"{group.group_name}-weekly-{start:%Y%m%d}-{end:%Y%m%d}.{ext}"


def weekly_csv_view(site, request, group_id: int):
    group = group_or_404(request, group_id)
    start, end = season(request, group)
    header, rows = weekly_table(group, start, end)
    return csv_response(_filename(group, start, end, "csv"), header, rows)


def weekly_xlsx_view(site, request, group_id: int):
    from openpyxl import Workbook

    group = group_or_404(request, group_id)
    start, end = season(request, group)
    header, rows = weekly_table(group, start, end)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=group.group_name[:31] or "weekly")
    for row in [header, *rows]:
        sheet.append([spreadsheet_safe(cell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{_filename(group, start, end, "xlsx")}"'
    return response
