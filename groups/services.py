"""Writes of groups and memberships. Each one that touches several rows is a single transaction."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from groups.models import Group, GroupMember, TrainingTarget
from logs.cached import invalidate
from saintsxctf.foundation.audit import current_app, current_user
from teams.models import TeamMember
from users.models import User


def lock_member(username: str) -> None:
    """Lock the runner's user row until the transaction ends.

    Every write of a runner's team or group memberships takes this lock first, so two of them (a runner
    joining the same group twice at once, an admin accepting while the runner leaves) run one after the other:
    the second reads what the first committed (READ COMMITTED) and neither can add a duplicate membership or
    undo the other. Taking it first, always on the same row, also keeps them from deadlocking.
    """
    list(User.all_objects.select_for_update().filter(username=username).values_list("pk", flat=True))


def _team_names(group: Group) -> list[str]:
    """Names of the live teams a group belongs to (normally one)."""
    return list(group.team_links.filter(team__deleted=False).values_list("team_id", flat=True))


@transaction.atomic
def group_update(*, group: Group, grouppic_name: str | None, description: str | None,
                 week_start: str | None) -> Group:
    """Change the fields a group admin may change, on this group only (deviations.md 4)."""
    group.grouppic_name = grouppic_name
    group.description = description
    group.week_start = week_start
    group.full_clean(exclude=["grouppic"])
    group.save(update_fields=["grouppic_name", "description", "week_start"])
    return group


@transaction.atomic
def group_member_update(*, membership: GroupMember, status: str, role: str) -> GroupMember | None:
    """Set a member's status and role; accepting a member also accepts their membership in the team.

    The original set the team membership to accepted after every change (its guard compared the role
    with "accepted"); we do it when the group membership is accepted, which is what that guard meant.
    Returns None, changing nothing, when the membership was removed since the caller read it.
    """
    lock_member(membership.user_id)
    membership = GroupMember.objects.select_related("group").filter(pk=membership.pk).first()
    if membership is None:
        return None
    membership.status = status
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["status", "role"])
    if status == "accepted":
        TeamMember.objects.filter(
            user_id=membership.user_id, team_id__in=_team_names(membership.group)
        ).exclude(status="accepted").update(
            status="accepted", modified_date=timezone.now(), modified_user=current_user(),
            modified_app=current_app(),
        )
        invalidate()  # a queryset update: no save signal
    return membership


@transaction.atomic
def group_member_remove(*, group_id: int, username: str) -> int:
    """Soft delete a user's membership of a group; leaving a team's last group also leaves the team.

    Returns how many group memberships were removed (0 when there was none: then nothing changes, the team
    membership included).
    """
    lock_member(username)
    removed = GroupMember.objects.filter(group_id=group_id, user_id=username).soft_delete()
    if not removed:
        return 0
    invalidate()  # queryset soft deletes: no save signal
    group = Group.all_objects.filter(pk=group_id).first()
    if group is None:
        return removed
    for team_name in _team_names(group):
        in_team = GroupMember.objects.filter(
            user_id=username, group__deleted=False,
            group__team_links__team_id=team_name, group__team_links__deleted=False,
        )
        if not in_team.exists():
            TeamMember.objects.filter(team_id=team_name, user_id=username).soft_delete()
            invalidate()  # the cached teammate lists
    return removed


# -- a coach's decisions on membership (the admin's dashboard and actions) ----------------------------------
LAST_ADMIN = "A group must keep at least one admin: make someone else an admin of {group} first."
SELF_DEMOTION = "You cannot remove your own admin role in {group}: ask another admin of the group."
DECLINED = "This request was declined; the runner has to ask to join again (a declined request cannot be restored)."


def group_web_link(group_id: int) -> str:
    """The group's page in the web app, as the notifications to runners carry it."""
    return f"{settings.WEB_APP_URL.rstrip('/')}/group/{group_id}"


def membership_change_problem(*, group: Group, changes: dict, editor: str | None) -> str | None:
    """Why the admin may not apply `changes` (membership pk -> (status, role)) to `group`, or None.

    The rules: a group keeps at least one accepted admin, and nobody removes their own admin role (a coach who
    could would lose the group from their admin; only a superuser could give it back)."""
    members = {m.pk: m for m in GroupMember.objects.filter(group=group, pk__in=changes)}
    for pk, (status, role) in changes.items():
        member = members.get(pk)
        if member is not None and member.is_admin and (status, role) != ("accepted", "admin") \
                and member.user_id == editor:
            return SELF_DEMOTION.format(group=group)
    admins = set(GroupMember.objects.filter(group=group, status="accepted", role="admin").values_list("pk", flat=True))
    for pk, (status, role) in changes.items():
        if pk in members:
            (admins.add if (status, role) == ("accepted", "admin") else admins.discard)(pk)
    if not admins:
        return LAST_ADMIN.format(group=group)
    return None


@transaction.atomic
def member_approve(*, membership: GroupMember, by) -> GroupMember | None:
    """Accept a pending request (and the runner's team membership) and tell the runner. None, changing nothing,
    when the request is no longer pending (approved, declined or withdrawn meanwhile)."""
    from notifications.services import notification_create

    lock_member(membership.user_id)
    current = GroupMember.objects.select_related("group").filter(pk=membership.pk, status="pending").first()
    if current is None:
        return None
    current = group_member_update(membership=current, status="accepted", role=current.role)
    notification_create(user=current.user_id, link=group_web_link(current.group_id),
                        description=f"{by.first} {by.last} approved your request to join {current.group}.")
    return current


@transaction.atomic
def member_decline(*, membership: GroupMember, by) -> GroupMember | None:
    """Decline a pending request (the membership is soft deleted) and tell the runner; None when it is no longer
    pending."""
    from notifications.services import notification_create

    lock_member(membership.user_id)
    current = GroupMember.objects.select_related("group").filter(pk=membership.pk, status="pending").first()
    if current is None:
        return None
    current.soft_delete()
    notification_create(user=current.user_id, link=None,
                        description=f"{by.first} {by.last} declined your request to join {current.group}.")
    return current


# -- training targets --------------------------------------------------------------------------------------------
@transaction.atomic
def target_create(*, group: Group, username: str | None, kind: str, weekly_miles: float, start, end,
                  note: str = "") -> TrainingTarget:
    """A weekly mileage target for `group` (everyone) or one accepted member of it (`username`), from `start` to
    `end`. Raises ValidationError for a runner outside the group, a range that ends before it starts, or miles
    out of range."""
    if username is not None and not GroupMember.objects.filter(group=group, user_id=username,
                                                               status="accepted").exists():
        raise ValidationError({"user": f"{username} is not a member of {group}."})
    target = TrainingTarget(group=group, user_id=username, kind=kind, weekly_miles=weekly_miles, start=start,
                            end=end, note=note or "")
    target.full_clean()
    target.save()
    return target


@transaction.atomic
def target_soft_delete(*, target: TrainingTarget) -> None:
    target.soft_delete()
