"""Writes of the users app: signup, profile, memberships, passwords, flair and codes.

Every service is atomic. Refusals are raised as ContractError with the contract's message; the viewset's
envelope gives them their body.
"""

import secrets
import string
from datetime import timedelta

from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from groups.models import Group, GroupMember
from groups.services import lock_member
from logs.cached import invalidate
from saintsxctf.foundation.api.errors import ContractError
from saintsxctf.foundation.audit import audit_context
from saintsxctf.foundation.auth.tokens import revoke_user_tokens
from saintsxctf.foundation.replicas.routing import note_writer
from teams.models import Team, TeamGroup, TeamMember
from users import emails
from users.models import ActivationCode, Flair, ForgotPasswordCode, User
from users.queries import utc_now

CODE_ALPHABET = string.ascii_uppercase + string.digits
ACTIVATION_CODE_LENGTH = 6
ACTIVATION_CODE_LIFETIME = timedelta(weeks=2)
FORGOT_PASSWORD_CODE_LENGTH = 8
FORGOT_PASSWORD_CODE_LIFETIME = timedelta(hours=2)

SIGNUP_CODE_INVALID = "The activation code is invalid or expired."
SIGNUP_FAILED = "An unexpected error occurred creating the user."
MEMBERSHIPS_FAILED = "failed to update the user's memberships"
PASSWORD_CODE_INVALID = "This forgot password code is invalid."
PASSWORD_CODE_NOT_YOURS = "This forgot password code does not belong to the specified user."
EMAIL_TAKEN = "This email address belongs to another account."
EMAIL_UNDO_INVALID = "This link to undo an email change is invalid, expired or already used."
EMAIL_UNDO_SALT = "users.email-change-undo"
EMAIL_UNDO_LIFETIME = timedelta(days=30)


def _new_code(model, field: str, length: int) -> str:
    """A random code of `length` characters from A-Z0-9 that no row (deleted or not) of `model` holds."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
        if not model.all_objects.filter(**{f"{field}__iexact": code}).exists():
            return code


# -- signup -----------------------------------------------------------------------------------------
def user_signup(*, username: str, password: str, activation_code: str, email: str, **fields) -> User:
    """Create a user from a valid activation code: the user, their team and group memberships, and the
    code consumed, all in one transaction. A spent, expired or unknown code creates nothing.

    The welcome email is queued in the same transaction (saintsxctf/foundation/mail.py): it exists exactly when the user does.
    """
    try:
        with transaction.atomic():
            user = _user_signup_rows(username=username, password=password, activation_code=activation_code,
                                     email=email, **fields)
            emails.send_welcome(user)
    except IntegrityError:
        # Another signup took the username between our check and our insert: refused as a taken username is,
        # with nothing written and the code unspent.
        raise ContractError(SIGNUP_FAILED) from None
    note_writer(user.username)  # their next requests (with a token) read their new rows from the primary
    return user


def _user_signup_rows(*, username, password, activation_code, email, **fields) -> User:
    codes = list(ActivationCode.objects.select_for_update().filter(activation_code__iexact=activation_code)[:2])
    now = utc_now()
    # deviations.md 6: an expired code fails exactly like an unknown one.
    if len(codes) != 1 or codes[0].is_expired(now):
        raise ContractError(SIGNUP_CODE_INVALID)
    code = codes[0]
    # The original let a duplicate insert fail silently; refuse it instead, leaving the code unspent.
    # Compared without letter case so SQLite behaves as MariaDB's collation does.
    if User.all_objects.filter(username__iexact=username).exists() or \
            User.objects.filter(email__iexact=email).exists():
        raise ContractError(SIGNUP_FAILED)

    with audit_context(actor=username):
        user = User(username=username, email=email, activation_code=activation_code, member_since=now.date(),
                    last_login=now, **fields)
        user.set_password(password)
        user.save()

        group = Group.objects.filter(pk=code.group_id).first() if code.group_id else None
        if group is not None:
            link = TeamGroup.objects.filter(group=group, team__deleted=False).order_by("id").first()
            if link is not None:
                TeamMember.objects.create(team_id=link.team_id, user=user, status="accepted", role="user")
            GroupMember.objects.create(group=group, user=user, status="accepted", role="user")

    ActivationCode.all_objects.filter(pk=code.pk).delete()
    return user


# -- profile ----------------------------------------------------------------------------------------
@transaction.atomic
def user_update(*, user: User, **fields) -> User:
    """Replace the changeable profile fields of `user`.

    A new email address must be no other account's email or username, and no pending invitation's (compared
    without letter case): the sign-in, the forgot-password mail and invitations find accounts by it. The old
    address is told, with a link that undoes the change (`user_email_change_undo`); if that mail cannot be
    sent, nothing changes (424)."""
    old_email = user.email
    new_email = fields.get("email", old_email)
    changed = (new_email or "").lower() != (old_email or "").lower()
    if changed and new_email and email_taken(new_email, by_other_than=user):
        raise ContractError(EMAIL_TAKEN)
    for name, value in fields.items():
        setattr(user, name, value)
    user.save(update_fields=list(fields))
    if changed and old_email:
        emails.send_email_changed(user=user, old_email=old_email, undo_token=email_undo_token(user, old_email))
    return user


def email_taken(email: str, *, by_other_than: User) -> bool:
    """Whether `email` is another account's email or username, or the address of a pending invitation."""
    others = User.all_objects.exclude(pk=by_other_than.pk)
    return (others.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists()
            or ActivationCode.objects.filter(email__iexact=email).exists())


def email_undo_token(user: User, old_email: str) -> str:
    """A signed, expiring token that restores `old_email` as long as the address is still the one just set."""
    return signing.dumps({"user": user.username, "old": old_email, "new": user.email}, salt=EMAIL_UNDO_SALT,
                         compress=True)


@transaction.atomic
def user_email_change_undo(*, token: str) -> User:
    """Undo an email change from the link mailed to the old address: the old address is restored, and since
    someone else may have made the change, every forgot-password code is spent and every session signed out."""
    try:
        claims = signing.loads(token, salt=EMAIL_UNDO_SALT, max_age=EMAIL_UNDO_LIFETIME)
    except signing.BadSignature:
        raise ContractError(EMAIL_UNDO_INVALID)
    user = User.objects.select_for_update().filter(username=claims.get("user")).first()
    if user is None or (user.email or "").lower() != (claims.get("new") or "").lower() \
            or email_taken(claims["old"], by_other_than=user):
        raise ContractError(EMAIL_UNDO_INVALID)
    user.email = claims["old"]
    user.save(update_fields=["email"])
    ForgotPasswordCode.all_objects.filter(user=user).delete()
    revoke_user_tokens(user)
    return user


@transaction.atomic
def user_soft_delete(*, user: User) -> None:
    """Flag the user deleted; they can no longer sign in or be seen."""
    user.soft_delete()


@transaction.atomic
def user_update_last_login(*, username: str) -> int:
    """Set the user's last sign-in to now."""
    return User.objects.filter(username=username).update(last_login=utc_now())


# -- memberships ------------------------------------------------------------------------------------
@transaction.atomic
def user_memberships_update(*, user: User, teams_joined=(), teams_left=(), groups_joined=(), groups_left=()):
    """Request to join teams and groups (pending until an admin accepts) and leave others.

    Joining a group needs membership of its team, or joining the team in the same request. Joining an
    unknown team or group refuses the whole request (deviations.md 2); leaving a team or group the runner
    is not in (or one that does not exist) is ignored, as the original ignored it.
    """
    username = user.username
    lock_member(username)  # one membership change of a runner at a time: no duplicate joins, no lost leave
    team_names = {*teams_joined, *(g["team_name"] for g in groups_joined)}
    known_teams = set(Team.objects.filter(name__in=team_names).values_list("name", flat=True))
    if team_names - known_teams:
        raise ContractError(MEMBERSHIPS_FAILED)

    joined_groups = {(g["team_name"], g["group_name"]) for g in groups_joined}
    named_groups = {*joined_groups, *((g["team_name"], g["group_name"]) for g in groups_left)}
    groups = {}
    if named_groups:
        links = TeamGroup.objects.filter(
            team_id__in={team for team, _ in named_groups},
            group__group_name__in={name for _, name in named_groups},
            group__deleted=False,
        ).values_list("team_id", "group__group_name", "group_id")
        groups = {(team, name): group_id for team, name, group_id in links}
    if joined_groups - set(groups):
        raise ContractError(MEMBERSHIPS_FAILED)

    member_of = set(TeamMember.objects.filter(user=user).values_list("team_id", flat=True))
    for team in dict.fromkeys(teams_joined):
        if team not in member_of:
            TeamMember.objects.create(team_id=team, user=user, status="pending", role="user")
            member_of.add(team)

    for team in teams_left:
        left_groups = TeamGroup.objects.filter(team_id=team).values("group_id")
        GroupMember.objects.filter(user=user, group_id__in=left_groups).soft_delete()
        TeamMember.objects.filter(user=user, team_id=team).soft_delete()
        member_of.discard(team)

    in_groups = set(GroupMember.objects.filter(user=user).values_list("group_id", flat=True))
    for joined in groups_joined:
        group_id = groups[(joined["team_name"], joined["group_name"])]
        if group_id in in_groups or joined["team_name"] not in member_of:
            continue
        GroupMember.objects.create(group_id=group_id, user=user, status="pending", role="user")
        in_groups.add(group_id)

    left = [groups[key] for key in ((g["team_name"], g["group_name"]) for g in groups_left) if key in groups]
    if left:
        GroupMember.objects.filter(user=user, group_id__in=left).soft_delete()
    invalidate()  # queryset soft deletes above send no save signal
    return username


# -- passwords --------------------------------------------------------------------------------------
def check_new_password(password: str, user: User, *, error=ContractError) -> None:
    """Django's password validators (settings.AUTH_PASSWORD_VALIDATORS) for a new password of `user`; `error`
    with their messages, as one sentence list, when it fails one."""
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise error(" ".join(exc.messages))


@transaction.atomic
def user_change_password(*, username: str, forgot_password_code: str, new_password: str) -> None:
    """Set a new password with a forgot-password code. The password must pass the validators; then every
    forgot-password code of the runner is spent (a reset ends whatever else was in flight) and every session
    is signed out."""
    code = (
        ForgotPasswordCode.objects.select_for_update()
        .filter(forgot_code__iexact=forgot_password_code, expires__gt=utc_now(), user__deleted=False)
        .first()
    )
    if code is None:
        raise ContractError(PASSWORD_CODE_INVALID)
    if code.user_id != username:
        raise ContractError(PASSWORD_CODE_NOT_YOURS)
    user = User.objects.get(username=username)
    check_new_password(new_password, user, error=ContractError)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    ForgotPasswordCode.all_objects.filter(user=user).delete()
    revoke_user_tokens(user)  # signs the user out everywhere: a reset is what a stolen account needs


@transaction.atomic
def forgot_password_code_create(*, user: User) -> ForgotPasswordCode:
    """A new forgot-password code for `user`, valid two hours, its mail queued with it (424 without an address)."""
    code = ForgotPasswordCode(
        forgot_code=_new_code(ForgotPasswordCode, "forgot_code", FORGOT_PASSWORD_CODE_LENGTH),
        user=user,
        expires=utc_now() + FORGOT_PASSWORD_CODE_LIFETIME,
    )
    code.save()
    emails.send_forgot_password(code)
    return code


# -- flair and activation codes ---------------------------------------------------------------------
@transaction.atomic
def flair_create(*, username: str, flair: str) -> Flair:
    """Give `username` a flair item."""
    return Flair.objects.create(user_id=username, flair=flair)


@transaction.atomic
def activation_code_create(*, group_id: int, email: str, invited_by: User | None = None) -> ActivationCode:
    """A new activation code into `group_id`, valid two weeks, its mail to `email` queued with it.

    The API and the admin's invite both come here; `invited_by` (the admin's signed-in coach) is named in the
    email."""
    code = ActivationCode(
        activation_code=_new_code(ActivationCode, "activation_code", ACTIVATION_CODE_LENGTH),
        email=email,
        group_id=group_id,
        expiration_date=utc_now() + ACTIVATION_CODE_LIFETIME,
    )
    code.save()
    emails.send_activation_code(code, invited_by=invited_by)
    return code


@transaction.atomic
def activation_code_delete(*, code: ActivationCode) -> None:
    ActivationCode.all_objects.filter(pk=code.pk).delete()


@transaction.atomic
def activation_code_soft_delete(*, code: ActivationCode) -> None:
    code.soft_delete()
