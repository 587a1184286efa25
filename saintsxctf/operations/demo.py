"""Demo data at any scale: a team, groups with coaches, admins and pending members, runners with flair, and
years of logs of every type with comments and notifications.

Deterministic for a given seed and scale. Written in two phases: the people (team, groups, users,
memberships, flair, codes, membership notifications) in one transaction, then the logs in batches, each batch
in its own transaction with its comments and their notifications (written with `saintsxctf.foundation.bulk.bulk_insert`, a multi-row INSERT
without the ORM's per-value compilation: a million logs take a few minutes rather than ten). Batch k is drawn from its own random stream
(seeded with the seed and k), so an interrupted run resumes at the first missing batch and ends with exactly the
data an uninterrupted run makes. A finished data set carries a completion marker and is never touched again:
rerunning changes nothing (start from an empty database to change the scale).

Teams: with `teams=1` (the default) every runner is on the demo team. With more, the demo team holds the coaches and
the first half of the runners and the other half is spread over `teams - 1` small clubs (`saintsxctf-1`, ...): the
legacy data's shape, where the all feed of a runner of the big team lists half the club's authors.

Scale: the first group ("alumni") is the big one. It has max(130, users/4) members (at most two thirds of the
runners) and holds about a quarter of all logs; the other runners share the remaining three quarters across the
other groups. The benchmark scales are `--users 100 --groups 12 --logs 50000 --teams 7` and
`--users 500 --groups 20 --logs 1000000 --teams 7`.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Max, Q

from comments.models import Comment
from comments.services import web_log_link
from groups.models import Group, GroupMember, TrainingTarget
from logs.models import ExerciseType, Log
from logs.rebuild import rebuild_summaries
from notifications.models import Notification
from saintsxctf.foundation.audit import audit_context
from saintsxctf.foundation.bulk import bulk_insert
from teams.models import Team, TeamGroup, TeamMember
from users.models import ActivationCode, Flair, User

TEAM = "saintsxctf"
DEMO_PASSWORD = "saintsxctf"
COACH = "coach"
ASSISTANT = "assistant"
ADMIN = "admin"
# Written into the team's description once every row is in: a run without it was interrupted.
COMPLETE_MARKER = "Demo data set (complete)."
IN_PROGRESS = "Demo data set (being written)."
GROUP_NAMES = [
    ("alumni", "Alumni"), ("mensxc", "Men's Cross Country"), ("wmensxc", "Women's Cross Country"),
    ("menstf", "Men's Track & Field"), ("wmenstf", "Women's Track & Field"), ("distance", "Distance Crew"),
    ("sprints", "Sprints"), ("throws", "Throws"), ("masters", "Masters"), ("juniors", "Juniors"),
    ("freshmen", "Freshmen"), ("captains", "Captains"), ("jumpers", "Jumps"), ("hurdles", "Hurdles"),
    ("milers", "Milers"), ("steeple", "Steeplechase"), ("marathon", "Marathon Training"),
    ("trail", "Trail Runners"), ("multis", "Multi-Events"), ("recovery", "Injured & Cross-Training"),
]
MAX_GROUPS = len(GROUP_NAMES)
BIG_GROUP_MIN = 130
BIG_GROUP_LOG_SHARE = 0.25
FIRST = ["Andy", "Joe", "Ben", "Lisa", "Tom", "Blaine", "Dotty", "Evan", "Grace", "Hana", "Ivan", "Julia",
         "Kyle", "Laura", "Mark", "Nina", "Owen", "Paula", "Quinn", "Rosa", "Sam", "Tara", "Uma", "Victor"]
LAST = ["Jarombek", "Smith", "Fishbein", "Grohn", "Caulfield", "Ayotte", "Miller", "Nguyen", "Okafor",
        "Patel", "Rossi", "Schmidt", "Tanaka", "Walsh", "Young", "Zimmer"]
PLACES = ["Canton, NY", "Riverside, CT", "New York, NY", "Boston, MA", "Lake Placid, NY", "Burlington, VT"]
ROUTES = ["Long Run", "Easy Miles", "Tempo", "Track Workout", "Hill Repeats", "Recovery", "River Loop", "Race"]
FLAIR = ["Team Captain", "All-American", "Iron Runner", "Rookie", "Conference Champion", "1000 Mile Club"]
DESCRIPTIONS = ["Felt good.", "Legs heavy today.", "Great weather.", "Workout with the team.", None]
# What the coach dashboard flags (groups/dashboard.py): notes of a runner who is hurting, felt 1-3.
HURTING = [("Left knee sore, stopped early.", 2), ("Shin pain on the downhills.", 3), ("Tight calf, felt awful.", 1)]
RECENT_WEEKS = 12  # the dashboard's weeks: this share of the logs is dated in them, so its table has data
RECENT_SHARE = 0.35
QUIET_DAYS = 10  # "quiet" runners (every fifth, from the third) have no log this recent
COMMENTS = ["Nice work!", "Great pace!", "Rest up.", "Strong!", "See you at practice."]
# Minutes per mile (low, high) by type; types not listed are timed activities with a short distance.
PACES = {"run": (5.5, 9.5), "walk": (14, 20), "hike": (16, 28), "bike": (2.5, 5), "virtual bike": (2.5, 5),
         "swim": (25, 40), "nordic ski": (7, 12), "roller ski": (6, 10)}
TYPE_WEIGHTS = {"run": 70, "bike": 8, "swim": 4, "walk": 3, "other": 2, "core": 2, "strength": 2}
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
        lines += [f"  {username:<12} {role}  {who}".rstrip() for username, role, who in self.credentials]
        return "\n".join(lines)


@dataclass(frozen=True)
class Plan:
    """The scale of one data set, derived from the arguments alone (so a rerun derives the same)."""

    users: int
    groups: int
    logs: int
    days: int
    seed: int
    today: date
    batch_size: int
    teams: int = 1

    @property
    def big_group_size(self) -> int:
        if self.groups == 1:
            return self.users
        return max(1, min(max(BIG_GROUP_MIN, self.users // 4), self.users * 2 // 3))

    @property
    def batches(self) -> int:
        return -(-self.logs // self.batch_size)


def _counts() -> dict[str, int]:
    return {
        "users": User.objects.count(), "groups": Group.objects.count(),
        "group members": GroupMember.objects.count(), "logs": Log.objects.count(),
        "comments": Comment.objects.count(), "notifications": Notification.objects.count(),
    }


def _credentials() -> list[tuple[str, str, str]]:
    rows = [(ADMIN, "superuser (admin site)", ""),
            (COACH, "coach (staff, admin of every group)", ""),
            (ASSISTANT, "coach (staff, admin of the second group only)", "")]
    runners = (User.objects.filter(team_memberships__team_id=TEAM, is_staff=False).order_by("pk")
               .values_list("username", "first", "last")[:3])
    rows += [(username, "runner", f"{first} {last}") for username, first, last in runners]
    return rows


def demo_teams(name: str = "team__name") -> Q:
    """The demo team and its small clubs (`teams` > 1), by the team name field `name`."""
    return Q(**{name: TEAM}) | Q(**{f"{name}__startswith": f"{TEAM}-"})


def demo_usernames() -> list[str]:
    return sorted(set(TeamMember.all_objects.filter(demo_teams()).values_list("user_id", flat=True)))


def remove_demo_data():
    """Delete the demo team and everything it made (small data sets; used by the tests)."""
    usernames = demo_usernames()
    group_ids = list(TeamGroup.all_objects.filter(team_id=TEAM).values_list("group_id", flat=True))
    Comment.all_objects.filter(user_id__in=usernames).delete()
    Log.all_objects.filter(user_id__in=usernames).delete()
    Notification.all_objects.filter(user_id__in=usernames).delete()
    Flair.all_objects.filter(user_id__in=usernames).delete()
    ActivationCode.all_objects.filter(group_id__in=group_ids).delete()
    Group.all_objects.filter(id__in=group_ids).delete()
    Team.all_objects.filter(demo_teams("name")).delete()
    User.all_objects.filter(username=ADMIN, activation_code="demo").delete()
    User.all_objects.filter(username__in=usernames).delete()


def seed_demo(*, users: int = 12, groups: int = 4, logs: int | None = None, weeks: int = 156, seed: int = 2017,
              today: date | None = None, batch_size: int = BATCH, teams: int = 1, out=None) -> DemoReport:
    """Create the demo data set, or finish an interrupted one; leave a complete one as it is.

    `logs` defaults to 40 per runner. `today` anchors every date (default: the real today).
    """
    def say(text):
        if out is not None:
            out.write(text)

    team = Team.all_objects.filter(name=TEAM).first()
    if team is not None and team.description == COMPLETE_MARKER:
        return DemoReport(created=False, counts=_counts(), credentials=_credentials())

    users = max(1, users)
    plan = Plan(users=users, groups=max(1, min(groups, MAX_GROUPS)),
                logs=max(0, logs if logs is not None else users * 40), days=max(7, weeks * 7),
                seed=seed, today=today or date.today(), batch_size=max(1, batch_size), teams=max(1, teams))
    with audit_context(actor="seed_demo", app="manage.py"):
        if team is None:
            _seed_people(plan)
            say(f"people: {plan.users} runners, 2 coaches, {plan.groups} groups")
        else:
            say("Found an interrupted demo data set: finishing it.")
        _seed_logs(plan, say)
        # The logs went in with bulk inserts, past the summary engine (logs/summaries.py): rebuild what they touched.
        say(f"summaries: {rebuild_summaries(usernames=demo_usernames())} rows")
        Team.all_objects.filter(name=TEAM).update(description=COMPLETE_MARKER)
    return DemoReport(created=True, counts=_counts(), credentials=_credentials())


@transaction.atomic
def _seed_people(plan: Plan):
    rng = random.Random(f"{plan.seed}:people")
    since = plan.today - timedelta(days=plan.days)
    team = Team.objects.create(name=TEAM, title="St. Lawrence Cross Country and Track & Field",
                               description=IN_PROGRESS, week_start="sunday")
    group_rows = [
        Group.objects.create(group_name=name, group_title=title, description=f"{title} of the demo team",
                             week_start="sunday" if i % 2 == 0 else "monday")
        for i, (name, title) in enumerate(GROUP_NAMES[:plan.groups])
    ]
    _stamped_bulk_create(TeamGroup, [TeamGroup(team=team, group=g) for g in group_rows])

    password = make_password(DEMO_PASSWORD)  # one hash for every demo account: seeding stays fast
    staff = [
        User(username=COACH, first="Casey", last="Coach", email="coach@saintsxctf.example", password=password,
             is_staff=True, member_since=since, week_start="sunday", activation_code="demo"),
        User(username=ASSISTANT, first="Alex", last="Assistant", email="assistant@saintsxctf.example",
             password=password, is_staff=True, member_since=since, week_start="monday", activation_code="demo"),
    ]
    runners = []
    for n in range(plan.users):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        runners.append(User(
            username=f"{first.lower()}{n}", first=first, last=last, email=f"{first.lower()}{n}@saintsxctf.example",
            password=password, member_since=since - timedelta(days=rng.randint(0, 900)),
            class_year=rng.randint(2010, 2028), location=rng.choice(PLACES),
            favorite_event=rng.choice(["5K", "10K", "Mile", "Steeple", "800m", "XC 8K"]),
            week_start=rng.choice(["sunday", "monday"]), activation_code="demo", subscribed=rng.choice("YN"),
            description="Demo runner.",
        ))
    _stamped_bulk_create(User, staff + runners)
    if not User.all_objects.filter(username=ADMIN).exists():
        User.objects.create(username=ADMIN, first="Site", last="Admin", email="admin@saintsxctf.example",
                            password=password, is_staff=True, is_superuser=True, activation_code="demo")

    on_team = runners if plan.teams == 1 else runners[:plan.users // 2]
    clubs = [Team.objects.create(name=f"{TEAM}-{k}", title=f"Demo Club {k}", description="A small demo club.",
                                 week_start="monday") for k in range(1, plan.teams)]
    _stamped_bulk_create(TeamMember, [
        TeamMember(team=team, user_id=p.username, status="accepted", role="admin" if p.is_staff else "user")
        for p in staff + on_team] + [
        TeamMember(team=clubs[i % len(clubs)], user_id=p.username, status="accepted", role="user")
        for i, p in enumerate(runners[len(on_team):])])

    members = [GroupMember(group=g, user_id=COACH, status="accepted", role="admin") for g in group_rows]
    if len(group_rows) > 1:
        members.append(GroupMember(group=group_rows[1], user_id=ASSISTANT, status="accepted", role="admin"))
    big, others = group_rows[0], group_rows[1:] or group_rows
    led = set()
    for i, runner in enumerate(runners):
        homes = []
        if i < plan.big_group_size:
            homes.append(big)
            if i % 3 == 0 and len(group_rows) > 1:
                homes.append(others[i % len(others)])
        else:
            homes.append(others[i % len(others)])
            if i % 4 == 0 and len(others) > 1:
                homes.append(others[(i + 1) % len(others)])
        for k, home in enumerate(homes):
            # Every eighth runner is still waiting for a coach; one runner per group helps run it.
            # (Rarely in the big group, so its accepted members hold about a quarter of the logs.)
            waiting = i % 32 == 31 if home is big else i % 8 == 7
            # The last three runners asked to join a group (the first of them the assistant's): every data set,
            # the default twelve runners included, has requests on the coach dashboard.
            waiting = waiting or (home is not big and i >= plan.users - 3)
            status = "pending" if waiting and k == 0 else "accepted"
            role = "admin" if status == "accepted" and home.id not in led else "user"
            led.add(home.id)
            members.append(GroupMember(group=home, user_id=runner.username, status=status, role=role))
    _stamped_bulk_create(GroupMember, members)

    _stamped_bulk_create(Flair, [Flair(user_id=COACH, flair="Head Coach"),
                                 Flair(user_id=ASSISTANT, flair="Assistant Coach")]
                         + [Flair(user_id=r.username, flair=rng.choice(FLAIR)) for r in runners[::4]])
    _stamped_bulk_create(ActivationCode, [
        ActivationCode(activation_code=f"DEMO{g.id:04d}"[:8], email=f"newbie{g.id}@saintsxctf.example", group=g,
                       expiration_date=datetime.combine(plan.today, datetime.min.time()) + timedelta(days=14))
        for g in group_rows])
    _seed_targets(plan, group_rows, members)
    pending = [m for m in members if m.status == "pending"]
    _stamped_bulk_create(Notification, [
        Notification(user_id=COACH, viewed="N", link=None, time=_at(plan.today, -rng.randrange(72)),
                     description=f"{m.user_id} has requested to join {m.group.group_title}.")
        for m in pending])


def _seed_targets(plan: Plan, group_rows, members):
    """A season's weekly run target for every group (the big one higher) and an all-exercise one for one runner
    of the first group, from the start of the dashboard's weeks to eight weeks from today."""
    start = plan.today - timedelta(weeks=RECENT_WEEKS - 1, days=plan.today.weekday())
    end = plan.today + timedelta(weeks=8)
    targets = [TrainingTarget(group=g, kind="run", weekly_miles=30.0 if i == 0 else 20.0, start=start, end=end,
                              note="Base phase") for i, g in enumerate(group_rows)]
    helper = next((m for m in members if m.group is group_rows[0] and m.status == "accepted"
                   and m.user_id not in (COACH, ASSISTANT)), None)
    if helper is not None:
        targets.append(TrainingTarget(group=group_rows[0], user_id=helper.user_id, kind="all", weekly_miles=35.0,
                                      start=start, end=end, note="Cross-training while the foot heals"))
    _stamped_bulk_create(TrainingTarget, targets)


def quiet_runner(username: str) -> bool:
    """The demo's quiet runners: every fifth runner from the third (no log in the last QUIET_DAYS days)."""
    digits = "".join(ch for ch in username if ch.isdigit())
    return bool(digits) and int(digits) % 5 == 2


def _seed_logs(plan: Plan, say):
    usernames = demo_usernames()
    runners = list(User.all_objects.filter(username__in=usernames, is_staff=False).order_by("username")
                   .values_list("username", "first", "last", "location"))
    # Order as created (n in the username), so the big group's members are the first ones.
    runners.sort(key=lambda r: int("".join(ch for ch in r[0] if ch.isdigit()) or 0))
    big, rest = runners[:plan.big_group_size], runners[plan.big_group_size:]
    types = [t.type for t in ExerciseType.objects.order_by("type")]
    weights = [TYPE_WEIGHTS.get(t, 1) for t in types]

    done = Log.all_objects.filter(user_id__in=usernames).count()
    first_batch = done // plan.batch_size
    for k in range(first_batch, plan.batches):
        size = min(plan.batch_size, plan.logs - k * plan.batch_size)
        _write_log_batch(plan, k, size, big, rest, types, weights)
        say(f"logs: {k * plan.batch_size + size}/{plan.logs}")


@transaction.atomic
def _write_log_batch(plan: Plan, k: int, size: int, big, rest, types, weights):
    """Batch k of the logs with its comments and notifications: one transaction, one random stream."""
    rng = random.Random(f"{plan.seed}:logs:{k}")
    # Explicit ids: the comments need them, and not every MySQL returns ids from a bulk insert.
    next_id = (Log.all_objects.aggregate(top=Max("log_id"))["top"] or 0) + 1
    batch = []
    hurting = [r for r in big + rest if not quiet_runner(r[0])][:len(HURTING)] if k == 0 else []
    for i in range(size):
        pool = big if (not rest or (big and rng.random() < BIG_GROUP_LOG_SHARE)) else rest
        username, first, last, location = pool[rng.randrange(len(pool))]
        # The very first logs cycle through every type, so each appears at any scale.
        kind = types[i] if k == 0 and i < len(types) else rng.choices(types, weights)[0]
        recent = rng.random() < RECENT_SHARE
        when = plan.today - timedelta(days=rng.randrange(RECENT_WEEKS * 7 if recent else plan.days))
        if quiet_runner(username) and (plan.today - when).days < QUIET_DAYS:
            when -= timedelta(days=QUIET_DAYS)
        feel, description = rng.randint(4, 9), rng.choice(DESCRIPTIONS)
        j = i - len(types)
        if 0 <= j < len(hurting):  # a few runners hurting in the last days, at any scale
            (username, first, last, location), (description, feel) = hurting[j], HURTING[j]
            kind, when = "run", plan.today - timedelta(days=1 + 2 * j)
        low, high = PACES.get(kind, (8, 20))
        miles = round(rng.uniform(3, 14) if kind == "run" else rng.uniform(1, 25) if kind in PACES
                      else rng.uniform(0, 2), 2)
        metric = "kilometers" if rng.random() < 0.1 else "miles"
        distance = round(miles * 1.609344, 2) if metric == "kilometers" else miles
        seconds = int(max(miles, 0.5) * rng.uniform(low, high) * 60)
        log = Log(log_id=next_id + i, user_id=username, first=first, last=last, name=rng.choice(ROUTES), location=location, date=when,
                  type_id=kind, feel=feel, description=description,
                  time_created=datetime.combine(when, datetime.min.time()) + timedelta(hours=rng.randint(6, 20)))
        log.set_distance(distance or None, metric, timedelta(seconds=seconds))
        batch.append(log)
    for log in batch:
        log.stamp_created()
    bulk_insert(Log, batch)

    comments, notes = [], []
    authors = big + rest
    for log in batch[::10]:
        author = authors[rng.randrange(len(authors))]
        when = min(log.time_created + timedelta(hours=rng.randint(1, 30)), _at(plan.today, 23))
        comments.append(Comment(user_id=author[0], first=author[1], last=author[2], log_id=log.log_id,
                                content=rng.choice(COMMENTS), time=when))
        if author[0] != log.user_id:
            notes.append(Notification(user_id=log.user_id, viewed="Y" if when.date() < plan.today else "N",
                                      description=f"{author[1]} {author[2]} commented on your exercise log.",
                                      time=when, link=web_log_link(log.log_id)))
    for row in (*comments, *notes):
        row.stamp_created()
    bulk_insert(Comment, comments, with_pk=False)
    bulk_insert(Notification, notes, with_pk=False)


def _stamped_bulk_create(model, rows):
    for row in rows:
        row.stamp_created()
    return model.objects.bulk_create(rows, batch_size=BATCH)


def _at(day: date, hours: int) -> datetime:
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=hours)
