"""The coach's view of one group, read side: who ran how much each week, who has gone quiet, who is hurting, who
is waiting to join, and how everyone stands against the training targets.

Read from the per-user summaries (logs.LogSummary, kept exact by every log write) in a constant number of
queries whatever the group's size: the members (1), their day summaries bucketed into the weeks in SQL (1), the
last day each logged (1), the recent low-feel or pain-word logs (1), the targets (1) and the targets' range
totals (1, one conditional SUM per target in force). The admin's dashboard (groups/admin_dashboard.py), its
exports and the API (`/v2/groups/dashboard/<group_id>`) all render `coach_dashboard()`.

Weeks follow the group's `week_start` (groups.queries.week_start_date), the same rule as the leaderboards.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Case, IntegerField, Max, Q, Sum, Value, When

from groups.models import Group, GroupMember, TrainingTarget
from groups.queries import current_date, week_start_date
from logs.models import LOW_FEEL, PAIN_WORDS, Log, LogSummary

WEEKS = 12
MAX_WEEKS = 104  # a season's export; the dashboard shows WEEKS
FEEL_DROP = 1.5  # the average feel of the last two weeks this much below the four before is "falling"
RECENT_DAYS = 14  # low-feel and pain-word logs this recent are flagged
ON_TARGET_MARGIN = 0.10  # within ±10% of the expected miles is "on" target


def quiet_days_default() -> int:
    """Days without a log after which a runner is flagged (settings.COACH_QUIET_DAYS, 7 by default)."""
    return getattr(settings, "COACH_QUIET_DAYS", 7)


@dataclass(frozen=True)
class Week:
    start: date
    end: date

    def as_dict(self, today: date) -> dict:
        return {"start": self.start, "end": self.end, "current": self.start <= today <= self.end}


def weeks_ending(today: date, week_start: str | None, count: int) -> list[Week]:
    """The `count` weeks up to and including today's, oldest first."""
    this_week = week_start_date(today, week_start)
    starts = [this_week - timedelta(weeks=k) for k in range(count - 1, -1, -1)]
    return [Week(start, start + timedelta(days=6)) for start in starts]


def weeks_between(start: date, end: date, week_start: str | None) -> list[Week]:
    """The weeks from the one holding `start` to the one holding `end` (at most MAX_WEEKS, the latest kept)."""
    first, last = week_start_date(start, week_start), week_start_date(end, week_start)
    count = min(MAX_WEEKS, max(1, (last - first).days // 7 + 1))
    return weeks_ending(end, week_start, count)


def pain_words_in(text: str | None) -> list[str]:
    lowered = (text or "").lower()
    return [word for word in PAIN_WORDS if word in lowered]


def _status(done: float, expected: float) -> str:
    if expected <= 0:
        return "on"
    if done < expected * (1 - ON_TARGET_MARGIN):
        return "under"
    if done > expected * (1 + ON_TARGET_MARGIN):
        return "over"
    return "on"


def _round(value) -> float:
    return round(float(value or 0), 2)


def members_of(group: Group) -> list[dict]:
    """Live members (accepted and pending) of live users with their names: one query."""
    return list(
        GroupMember.objects.filter(group=group, user__deleted=False)
        .order_by("user__last", "user__first", "user_id")
        .values("id", "user_id", "status", "role", "user__first", "user__last", "user__is_staff")
    )


def weekly_totals(usernames: list[str], weeks: list[Week]) -> dict[tuple[str, int], dict]:
    """(username, week index) -> {miles, run_miles, logs, feel (sum)}: one GROUP BY over the day summaries."""
    if not usernames or not weeks:
        return {}
    bucket = Case(*[When(start__gte=week.start, then=Value(i)) for i, week in reversed(list(enumerate(weeks)))],
                  output_field=IntegerField())
    rows = (
        LogSummary.objects.filter(period=LogSummary.DAY, user_id__in=usernames, start__gte=weeks[0].start,
                                  start__lte=weeks[-1].end)
        .annotate(week=bucket).values("user_id", "week")
        .annotate(total=Sum("miles"), run=Sum("miles", filter=Q(type_id="run")), count=Sum("logs"),
                  feel_sum=Sum("feel"))
        .order_by()
    )
    return {(r["user_id"], r["week"]): {"miles": _round(r["total"]), "run_miles": _round(r["run"]),
                                        "logs": int(r["count"] or 0), "feel": int(r["feel_sum"] or 0)}
            for r in rows}


def last_log_dates(usernames: list[str], since: date) -> dict[str, date]:
    """The last day each runner logged on, from `since` on (older history is not read: a runner with nothing
    since then is absent, and shown as quiet for the whole window)."""
    if not usernames:
        return {}
    rows = (LogSummary.objects.filter(period=LogSummary.DAY, user_id__in=usernames, start__gte=since)
            .values("user_id").annotate(last=Max("start")).order_by())
    return {r["user_id"]: r["last"] for r in rows}


def targets_in_force(group: Group, on: date, *, until: date | None = None) -> list[TrainingTarget]:
    """The group's live targets whose range overlaps [on, until] (one query)."""
    return list(TrainingTarget.objects.filter(group=group, start__lte=until or on, end__gte=on)
                .order_by("start", "id"))


def target_for(username: str, targets: list[TrainingTarget], day: date) -> TrainingTarget | None:
    """The target that applies to `username` on `day`: their own if one covers the day, else the group's."""
    covering = [t for t in targets if t.start <= day <= t.end]
    own = [t for t in covering if t.user_id == username]
    shared = [t for t in covering if t.user_id is None]
    return (own or shared or [None])[-1]


def range_totals(usernames: list[str], targets: list[TrainingTarget], today: date) -> dict[tuple[str, int], float]:
    """(username, target id) -> miles of the target's kind from its start through today (or its end): one query,
    a conditional SUM per target."""
    if not usernames or not targets:
        return {}
    sums = {}
    for t in targets:
        condition = Q(start__gte=t.start, start__lte=min(t.end, today))
        if t.kind == "run":
            condition &= Q(type_id="run")
        sums[f"t{t.pk}"] = Sum("miles", filter=condition)
    first = min(t.start for t in targets)
    rows = (LogSummary.objects.filter(period=LogSummary.DAY, user_id__in=usernames, start__gte=first,
                                      start__lte=today)
            .values("user_id").annotate(**sums).order_by())
    return {(r["user_id"], t.pk): _round(r[f"t{t.pk}"]) for r in rows for t in targets}


def target_progress(target: TrainingTarget | None, *, week: Week, week_miles: float, range_miles: float,
                    today: date) -> dict | None:
    """Where a runner stands against `target`: this week so far and over its range so far, each with the miles
    expected by today (the weekly target pro rata) and on/under/over."""
    if target is None:
        return None
    week_days = min(7, (today - week.start).days + 1)
    range_days = max(0, (min(today, target.end) - target.start).days + 1)
    week_expected = target.weekly_miles * week_days / 7
    range_expected = target.weekly_miles * range_days / 7
    return {
        "target_id": target.pk, "kind": target.kind, "weekly_miles": target.weekly_miles,
        "start": target.start, "end": target.end, "scope": "runner" if target.user_id else "group",
        "week_miles": week_miles, "week_expected": _round(week_expected),
        "week_status": _status(week_miles, week_expected),
        "range_miles": range_miles, "range_expected": _round(range_expected),
        "range_status": _status(range_miles, range_expected),
    }


FLAG_LOGS_SHOWN = 500


def recent_flag_logs(usernames: list[str], today: date) -> list[dict]:
    """Recent logs that felt bad or whose notes mention pain (`Log.flagged`, computed by the database when a log is
    written): one query on the runners' (user, deleted, date, log_id, flagged) index, newest first, the first
    FLAG_LOGS_SHOWN.

    The flag is read in the index, so only flagged logs are read from the table: matching the notes here read
    every recent log of the group's runners (1.4 s at 1M logs, mostly pages read from disk). The cut is made here,
    not by a LIMIT: with `ORDER BY date DESC LIMIT n`, MariaDB walks the (deleted, date) index of everyone's recent
    logs hoping to stop early."""
    if not usernames:
        return []
    flagged = (
        Log.objects.filter(user_id__in=usernames, date__gte=today - timedelta(days=RECENT_DAYS), date__lte=today,
                           flagged=True)
        .order_by("-date", "-log_id")
        .values("log_id", "user_id", "date", "feel", "name", "description")
    )
    return list(flagged)[:FLAG_LOGS_SHOWN]


def coach_dashboard(group: Group, *, today: date | None = None, weeks: int = WEEKS, quiet_days: int | None = None,
                    start: date | None = None, end: date | None = None) -> dict:
    """Everything the coach's dashboard shows for `group`, as plain data (dates as dates).

    `weeks` weeks up to today's by default; `start`/`end` pick a season's weeks instead (the exports)."""
    today = today or current_date()
    quiet_days = quiet_days_default() if quiet_days is None else quiet_days
    if start or end:
        week_list = weeks_between(start or (end or today) - timedelta(weeks=weeks - 1), end or today,
                                  group.week_start)
    else:
        week_list = weeks_ending(today, group.week_start, max(1, min(weeks, MAX_WEEKS)))
    this_week = next((w for w in week_list if w.start <= today <= w.end), None)

    members = members_of(group)
    runners = [m for m in members if m["status"] == "accepted" and not m["user__is_staff"]]
    names = [m["user_id"] for m in runners]
    totals = weekly_totals(names, week_list)
    window = min(week_list[0].start, today - timedelta(days=quiet_days))
    last_logs = last_log_dates(names, window)
    targets = targets_in_force(group, today)
    target_rows = [target_for(name, targets, today) for name in names]
    in_force = [t for t in {t.pk: t for t in target_rows if t}.values()]
    ranges = range_totals(names, in_force, today)
    flagged = {}
    for log in recent_flag_logs(names, today):
        flagged.setdefault(log["user_id"], []).append(log)
    current_week = Week(week_start_date(today, group.week_start), week_start_date(today, group.week_start)
                        + timedelta(days=6))
    current_index = week_list.index(this_week) if this_week else None

    rows, flags = [], []
    for member, target in zip(runners, target_rows, strict=True):
        name = member["user_id"]
        cells = [totals.get((name, i), {"miles": 0.0, "run_miles": 0.0, "logs": 0, "feel": 0})
                 for i in range(len(week_list))]
        this = cells[current_index] if current_index is not None else {"miles": 0.0, "run_miles": 0.0}
        last = last_logs.get(name)
        quiet_for = (today - last).days if last else None
        runner_flags = []
        if last is None or quiet_for >= quiet_days:
            runner_flags.append({"kind": "quiet", "log_id": None, "date": last,
                                 "text": f"No log for {quiet_for} days" if last
                                 else f"No log since {window:%b %d, %Y}"})
        recent, before = cells[-2:], cells[-6:-2]
        recent_avg = _feel_average(recent)
        before_avg = _feel_average(before)
        if recent_avg is not None and before_avg is not None and before_avg - recent_avg >= FEEL_DROP:
            runner_flags.append({"kind": "feel_falling", "log_id": None, "date": None,
                                 "text": f"Feel falling: {before_avg:.1f} → {recent_avg:.1f}"})
        for log in flagged.get(name, ()):
            if log["feel"] <= LOW_FEEL:
                runner_flags.append({"kind": "low_feel", "log_id": log["log_id"], "date": log["date"],
                                     "text": f"Feel {log['feel']} on {log['date']:%b %d}: {log['name'] or 'log'}"})
            words = pain_words_in(log["description"])
            if words:
                runner_flags.append({"kind": "pain", "log_id": log["log_id"], "date": log["date"],
                                     "text": f"“{(log['description'] or '')[:80]}” ({log['date']:%b %d})"})
        progress = None
        if target is not None:
            week_miles = this["run_miles"] if target.kind == "run" else this["miles"]
            progress = target_progress(target, week=current_week, week_miles=week_miles,
                                       range_miles=ranges.get((name, target.pk), 0.0), today=today)
        rows.append({"username": name, "first": member["user__first"], "last": member["user__last"],
                     "role": member["role"], "last_log": last, "days_since_log": quiet_for, "weeks": cells,
                     "target": progress, "flags": runner_flags})
        flags += [{"username": name, "first": member["user__first"], "last": member["user__last"], **flag}
                  for flag in runner_flags]

    group_weeks = [
        {"miles": _round(sum(r["weeks"][i]["miles"] for r in rows)),
         "run_miles": _round(sum(r["weeks"][i]["run_miles"] for r in rows)),
         "logs": sum(r["weeks"][i]["logs"] for r in rows),
         "runners": sum(1 for r in rows if r["weeks"][i]["logs"])}
        for i in range(len(week_list))
    ]
    statuses = [r["target"]["week_status"] for r in rows if r["target"]]
    return {
        "group": group, "today": today, "quiet_days": quiet_days,
        "weeks": [w.as_dict(today) for w in week_list], "current_week": current_index,
        "runners": rows, "group_weeks": group_weeks, "flags": flags,
        "pending": [{"member_id": m["id"], "username": m["user_id"], "first": m["user__first"],
                     "last": m["user__last"]} for m in members if m["status"] == "pending"],
        "targets": targets,
        "target_summary": {status: statuses.count(status) for status in ("under", "on", "over")},
    }


def _feel_average(cells: list[dict]) -> float | None:
    logs = sum(c["logs"] for c in cells)
    return sum(c["feel"] for c in cells) / logs if logs else None


def runner_targets(username: str, *, today: date | None = None) -> list[dict]:
    """A runner's targets in force today across their groups (their own, else each group's), with progress:
    three queries (memberships with their groups' targets, this week's totals, the range totals)."""
    today = today or current_date()
    groups = list(Group.objects.filter(members__user_id=username, members__status="accepted",
                                       members__deleted=False).order_by("id"))
    targets = list(TrainingTarget.objects.filter(group__in=groups, start__lte=today, end__gte=today)
                   .filter(Q(user_id=username) | Q(user__isnull=True)).order_by("start", "id"))
    chosen = []
    for group in groups:
        target = target_for(username, [t for t in targets if t.group_id == group.pk], today)
        if target is not None:
            chosen.append((group, target))
    if not chosen:
        return []
    ranges = range_totals([username], [t for _, t in chosen], today)
    earliest = min(week_start_date(today, g.week_start) for g, _ in chosen)
    days = (LogSummary.objects.filter(period=LogSummary.DAY, user_id=username, start__gte=earliest,
                                      start__lte=today)
            .values("start", "type_id").annotate(total=Sum("miles")).values_list("start", "type_id", "total"))
    days = list(days)
    result = []
    for group, target in chosen:
        week = Week(week_start_date(today, group.week_start), week_start_date(today, group.week_start)
                    + timedelta(days=6))
        week_miles = _round(sum(total or 0 for day, kind, total in days
                                if day >= week.start and (target.kind == "all" or kind == "run")))
        progress = target_progress(target, week=week, week_miles=week_miles,
                                   range_miles=ranges.get((username, target.pk), 0.0), today=today)
        result.append({"group_id": group.pk, "group_name": group.group_name, "group_title": group.group_title,
                       "week_start": week.start, "note": target.note, **progress})
    return result

