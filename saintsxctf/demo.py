"""Demo data: a team with groups, a coach and runners, and their logs, comments, notifications and flair.

Deterministic for a given seed, written with bulk inserts, and safe to rerun: a data set that is already
complete is left as it is; an interrupted run (detected by its missing completion marker) is removed and
written again.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from comments.models import Comment
from groups.models import Group, GroupMember
from logs.models import ExerciseType, Log
from notifications.models import Notification
from saintsxctf.audit import audit_context
from teams.models import Team, TeamGroup, TeamMember
from users.models import Flair, User

TEAM = "saintsxctf"
DEMO_PASSWORD = "saintsxctf"
COACH = "coach"
ADMIN = "admin"
# Written into the team's description once every row is in: a run without it was interrupted.
COMPLETE_MARKER = "Demo data set (complete)."
GROUP_NAMES = [
    ("alumni", "Alumni"), ("mensxc", "Men's Cross Country"), ("wmensxc", "Women's Cross Country"),
    ("menstf", "Men's Track & Field"), ("wmenstf", "Women's Track & Field"), ("distance", "Distance Crew"),
    ("sprints", "Sprints"), ("throws", "Throws"), ("masters", "Masters"), ("juniors", "Juniors"),
    ("freshmen", "Freshmen"), ("captains", "Captains"),
]
FIRST = ["Andy", "Joe", "Ben", "Lisa", "Tom", "Blaine", "Dotty", "Evan", "Grace", "Hana", "Ivan", "Julia",
         "Kyle", "Laura", "Mark", "Nina", "Owen", "Paula", "Quinn", "Rosa", "Sam", "Tara", "Uma", "Victor"]
LAST = ["Jarombek", "Smith", "Fishbein", "Grohn", "Caulfield", "Ayotte", "Miller", "Nguyen", "Okafor",
        "Patel", "Rossi", "Schmidt", "Tanaka", "Walsh", "Young", "Zimmer"]
PLACES = ["Canton, NY", "Riverside, CT", "New York, NY", "Boston, MA", "Lake Placid, NY", "Burlington, VT"]
ROUTES = ["Long Run", "Easy Miles", "Tempo", "Track Workout", "Hill Repeats", "Recovery", "River Loop", "Race"]
TYPE_WEIGHTS = [("run", 80), ("bike", 8), ("swim", 4), ("other", 3), ("core", 2), ("walk", 2), ("yoga", 1)]
BATCH = 5000


@dataclass
class DemoReport:
    created: bool
    counts: dict[str, int] = field(default_factory=dict)
    credentials: list[tuple[str, str, str]] = field(default_factory=list)

    def summary(self) -> str:
        lines = ["Demo data " + ("created." if self.created else "already present; nothing changed.")]
        lines += [f"  {name}: {count}" for name, count in self.counts.items()]
        lines.append(f"Sign in (password for every demo account: {DEMO_PASSWORD}):")
        lines += [f"  {username:<12} {role}  {who}" for username, role, who in self.credentials]
        return "\n".join(lines)


def _counts() -> dict[str, int]:
    return {
        "users": User.objects.count(), "groups": Group.objects.count(), "logs": Log.objects.count(),
        "comments": Comment.objects.count(), "notifications": Notification.objects.count(),
    }


def _credentials() -> list[tuple[str, str, str]]:
    rows = [(ADMIN, "superuser (admin site)", ""), (COACH, "coach (staff, admin of every group)", "")]
    for user in User.objects.filter(team_memberships__team_id=TEAM).exclude(username=COACH).order_by("pk")[:3]:
        rows.append((user.username, "runner", user.get_full_name()))
    return rows


def remove_demo_data():
    """Delete the demo team and everything it made (used before rewriting an interrupted run)."""
    usernames = list(TeamMember.all_objects.filter(team_id=TEAM).values_list("user_id", flat=True))
    group_ids = list(TeamGroup.all_objects.filter(team_id=TEAM).values_list("group_id", flat=True))
    Comment.all_objects.filter(user_id__in=usernames).delete()
    Log.all_objects.filter(user_id__in=usernames).delete()
    Notification.all_objects.filter(user_id__in=usernames).delete()
    Flair.all_objects.filter(user_id__in=usernames).delete()
    Group.all_objects.filter(id__in=group_ids).delete()
    Team.all_objects.filter(name=TEAM).delete()
    User.all_objects.filter(username=ADMIN, activation_code="demo").delete()
    User.all_objects.filter(username__in=usernames).delete()


def seed_demo(*, users: int = 12, groups: int = 4, logs: int | None = None, weeks: int = 6, seed: int = 2017,
              today: date | None = None, out=None) -> DemoReport:
    """Create the demo data set unless it is already complete. `logs` defaults to ~5 a week per runner."""
    def say(text):
        if out is not None:
            out.write(text)

    team = Team.all_objects.filter(name=TEAM).first()
    if team is not None and team.description == COMPLETE_MARKER:
        return DemoReport(created=False, counts=_counts(), credentials=_credentials())
    if team is not None:
        say("Found an interrupted demo data set: removing it first.")
        with transaction.atomic():
            remove_demo_data()

    rng = random.Random(seed)
    today = today or timezone.now().date()
    groups = max(1, min(groups, len(GROUP_NAMES)))
    total_logs = logs if logs is not None else users * weeks * 5
    days = max(weeks * 7, 1)

    with audit_context(actor="seed_demo", app="manage.py"):
        with transaction.atomic():
            team = Team.objects.create(name=TEAM, title="St. Lawrence Cross Country and Track & Field",
                                       description="Demo data set (being written).", week_start="sunday")
            group_rows = [
                Group.objects.create(group_name=name, group_title=title, description=f"{title} of the demo team",
                                     week_start="sunday" if i % 2 == 0 else "monday")
                for i, (name, title) in enumerate(GROUP_NAMES[:groups])
            ]
            TeamGroup.objects.bulk_create([TeamGroup(team=team, group=g) for g in group_rows])

            password = make_password(DEMO_PASSWORD)  # one hash for every demo account: seeding stays fast
            people = [User(username=COACH, first="Casey", last="Coach", email="coach@saintsxctf.example",
                           password=password, is_staff=True, member_since=today - timedelta(days=days),
                           week_start="sunday", activation_code="demo")]
            for n in range(users):
                first, last = rng.choice(FIRST), rng.choice(LAST)
                people.append(User(
                    username=f"{first.lower()}{n}", first=first, last=last,
                    email=f"{first.lower()}{n}@saintsxctf.example", password=password,
                    member_since=today - timedelta(days=rng.randint(days, days + 900)),
                    class_year=rng.randint(2010, 2028), location=rng.choice(PLACES),
                    favorite_event=rng.choice(["5K", "10K", "Mile", "Steeple", "800m", "XC 8K"]),
                    week_start=rng.choice(["sunday", "monday"]), activation_code="demo",
                    description="Demo runner.",
                ))
            for person in people:
                person.stamp_created()
            User.objects.bulk_create(people, batch_size=BATCH)
            if not User.all_objects.filter(username=ADMIN).exists():
                User.objects.create(username=ADMIN, first="Site", last="Admin", email="admin@saintsxctf.example",
                                    password=password, is_staff=True, is_superuser=True, activation_code="demo")
            say(f"users: {len(people)}")

            runners = people[1:]
            TeamMember.objects.bulk_create(
                [TeamMember(team=team, user_id=p.username, status="accepted", role="admin" if p is people[0] else "user")
                 for p in people], batch_size=BATCH)
            members = [GroupMember(group=g, user_id=COACH, status="accepted", role="admin") for g in group_rows]
            for i, runner in enumerate(runners):
                home = group_rows[i % len(group_rows)]
                # Every eighth runner is still waiting for the coach to accept them.
                status = "pending" if i % 8 == 7 else "accepted"
                members.append(GroupMember(group=home, user_id=runner.username, status=status, role="user"))
                if len(group_rows) > 1 and i % 3 == 0:
                    members.append(GroupMember(group=group_rows[(i + 1) % len(group_rows)], user_id=runner.username,
                                               status="accepted", role="user"))
            GroupMember.objects.bulk_create(members, batch_size=BATCH)
            Flair.objects.bulk_create([Flair(user_id=COACH, flair="Head Coach")] + [
                Flair(user_id=r.username, flair=rng.choice(["Team Captain", "All-American", "Iron Runner", "Rookie"]))
                for r in runners[::4]])

            types = {t.type: t for t in ExerciseType.objects.all()}
            type_names = [name for name, _ in TYPE_WEIGHTS]
            type_weights = [weight for _, weight in TYPE_WEIGHTS]
            written = 0
            while written < total_logs:
                batch = []
                for _ in range(min(BATCH, total_logs - written)):
                    runner = runners[rng.randrange(len(runners))] if runners else people[0]
                    kind = rng.choices(type_names, type_weights)[0]
                    when = today - timedelta(days=rng.randrange(days))
                    miles_run = round(rng.uniform(2, 14) if kind == "run" else rng.uniform(1, 30), 2)
                    metric = "kilometers" if rng.random() < 0.1 else "miles"
                    distance = round(miles_run * (1.609344 if metric == "kilometers" else 1), 2)
                    pace = rng.randint(330, 540) if kind == "run" else rng.randint(150, 900)
                    log = Log(user_id=runner.username, first=runner.first, last=runner.last, name=rng.choice(ROUTES),
                              location=runner.location, date=when, type=types[kind], feel=rng.randint(3, 9),
                              description=rng.choice(["Felt good.", "Legs heavy today.", "Great weather.",
                                                      "Workout with the team.", None]),
                              time_created=datetime.combine(when, datetime.min.time()) + timedelta(hours=18))
                    log.set_distance(distance, metric, timedelta(seconds=int(pace * miles_run)))
                    log.stamp_created()
                    batch.append(log)
                Log.objects.bulk_create(batch, batch_size=BATCH)
                written += len(batch)
                say(f"logs: {written}/{total_logs}")
            log_ids = list(Log.objects.filter(user_id__in=[r.username for r in runners]).order_by("-log_id")
                           .values_list("log_id", "user_id")[: max(1, total_logs // 10)])

            comments, notes = [], []
            for log_id, owner in log_ids[::2]:
                author = runners[rng.randrange(len(runners))] if runners else people[0]
                comments.append(Comment(user_id=author.username, first=author.first, last=author.last, log_id=log_id,
                                        content=rng.choice(["Nice work!", "Great pace!", "Rest up.", "Strong!"]),
                                        time=timezone.now() - timedelta(hours=rng.randrange(24 * days))))
                if author.username != owner:
                    notes.append(Notification(user_id=owner, viewed=rng.choice("YN"),
                                              description=f"{author.first} {author.last} commented on your log.",
                                              link=None, time=comments[-1].time))
            for row in (*comments, *notes):
                row.stamp_created()
            Comment.objects.bulk_create(comments, batch_size=BATCH)
            Notification.objects.bulk_create(notes, batch_size=BATCH)
            say(f"comments: {len(comments)}, notifications: {len(notes)}")

            team.description = COMPLETE_MARKER
            team.save(update_fields=["description"])

    return DemoReport(created=True, counts=_counts(), credentials=_credentials())
