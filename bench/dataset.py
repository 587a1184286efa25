"""Data set tasks the benchmark runner needs inside Django: `python -m bench.dataset <task> [args]`.

The runner starts this with DJANGO_SETTINGS_MODULE=bench.settings and DATABASE_URL naming a bench database.
Each task prints one JSON document on stdout.

- `targets`: what the mix's URLs point at (the largest group, a busy member of it, logs, comments, dates).
- `watermark`: the highest log id (logs above it were written by a benchmark run, not by the seed).
- `alive-above <log_id> [username]`: ids of live logs above a watermark, of one author if given (to soft delete
  through the API as that author).
- `purge-above <log_id>`: remove the logs above a watermark, live or soft deleted (and their comments).
"""

import json
import random
import sys
from datetime import timedelta


def _setup():
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()


def targets() -> dict:
    from django.db.models import Count, Max, Min

    from comments.models import Comment
    from groups.models import Group, GroupMember
    from logs.models import Log
    from teams.models import Team, TeamMember

    accepted = GroupMember.objects.filter(status="accepted", user__deleted=False)
    sizes = {row["group"]: row["n"] for row in accepted.values("group").annotate(n=Count("id"))}
    if not sizes:
        raise SystemExit("the bench database has no group with accepted members: was it seeded?")
    group_id = max(sizes, key=lambda gid: (sizes[gid], -gid))
    group = Group.objects.get(pk=group_id)
    members = list(accepted.filter(group_id=group_id).values_list("user_id", flat=True))
    # The runner is on the biggest team: their all feed lists its members' logs (half the club at the bench scales).
    team_sizes = TeamMember.objects.values("team").annotate(n=Count("id")).order_by("-n", "team")
    big_team = team_sizes[0]["team"] if team_sizes else None
    teammates = set(TeamMember.objects.filter(team_id=big_team).values_list("user_id", flat=True))

    busiest = (Log.objects.filter(user_id__in=[m for m in members if m in teammates] or members).values("user")
               .annotate(n=Count("log_id")).order_by("-n", "user").first())
    if busiest is None:
        raise SystemExit("the largest group's members have no logs: was the bench database seeded?")
    username = busiest["user"]
    from users.models import User

    user = User.objects.values("username", "first", "last").get(username=username)

    # Logs to read: a random sample spread over the whole table (the ids are dense: the seed bulk inserts).
    bounds = Log.objects.aggregate(lo=Min("log_id"), hi=Max("log_id"))
    rng = random.Random(7)
    sample = {rng.randint(bounds["lo"], bounds["hi"]) for _ in range(400)}
    log_ids = sorted(Log.objects.filter(log_id__in=sample).values_list("log_id", flat=True))[:200]
    rng.shuffle(log_ids)

    commented = list(Comment.objects.values("log").annotate(n=Count("comment_id")).order_by("-n", "-log")
                     .values_list("log", flat=True)[:20])
    comment_bounds = Comment.objects.aggregate(lo=Min("comment_id"), hi=Max("comment_id"))
    comment_ids = []
    if comment_bounds["lo"] is not None:
        picks = {rng.randint(comment_bounds["lo"], comment_bounds["hi"]) for _ in range(100)}
        comment_ids = sorted(Comment.objects.filter(comment_id__in=picks).values_list("comment_id", flat=True))[:50]

    # The many-writers create: up to 16 other runners of the group, each writing with its own token.
    writers = list(User.objects.filter(username__in=members, is_staff=False, deleted=False)
                   .exclude(username=username).order_by("username").values("username", "first", "last")[:16])

    last_day = Log.objects.filter(user_id=username).aggregate(d=Max("date"))["d"]
    team = Team.objects.order_by("name").values_list("name", flat=True).first() or "saints"

    return {
        "group_id": group_id,
        "group_name": group.group_name,
        "group_members": len(members),
        "group_logs": Log.objects.filter(user_id__in=members).count(),
        "username": username,
        "first": user["first"],
        "last": user["last"],
        "user_logs": busiest["n"],
        "log_ids": log_ids,
        "writers": writers,
        "commented_log_ids": commented,
        "comment_ids": comment_ids,
        "range_start": (last_day - timedelta(days=30)).isoformat(),
        "range_end": last_day.isoformat(),
        "team_search": team[:6],
        "team_members": len(teammates),
        "logs": Log.objects.count(),
        "users": User.objects.count(),
        "groups": Group.objects.count(),
        "comments": Comment.objects.count(),
    }


def watermark() -> dict:
    from django.db.models import Max

    from logs.models import Log

    return {"log_id": Log.all_objects.aggregate(m=Max("log_id"))["m"] or 0}


def alive_above(log_id: int, username: str | None = None) -> dict:
    from logs.models import Log

    logs = Log.objects.filter(log_id__gt=log_id)
    if username:
        logs = logs.filter(user_id=username)
    return {"log_ids": list(logs.order_by("log_id").values_list("log_id", flat=True))}


def purge_above(log_id: int) -> dict:
    """Hard delete the logs a benchmark run wrote, by any writer, with their comments. The queryset delete goes
    through the summary engine (logs/summaries.py), which recomputes the days it touched."""
    from django.db import transaction

    from comments.models import Comment
    from logs.models import Log

    with transaction.atomic():
        doomed = Log.all_objects.filter(log_id__gt=log_id)
        Comment.all_objects.filter(log__in=doomed).delete()
        removed, _ = doomed.delete()
    return {"removed": removed, "alive_left": Log.objects.filter(log_id__gt=log_id).count()}


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    _setup()
    task, args = argv[0], argv[1:]
    if task == "targets":
        result = targets()
    elif task == "watermark":
        result = watermark()
    elif task == "alive-above":
        result = alive_above(int(args[0]), *args[1:2])
    elif task == "purge-above":
        result = purge_above(int(args[0]))
    else:
        print(f"unknown task {task!r}\n{__doc__}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
