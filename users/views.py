"""Users, flair, activation codes and forgot-password codes: the contract's endpoints as viewsets."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from groups.dashboard import runner_targets
from groups.serializers import RunnerTargetSerializer
from saintsxctf.foundation.api.errors import ContractError
from saintsxctf.foundation.api.links import link
from saintsxctf.foundation.api.permissions import IsGroupAdmin, IsOwnerOrReadOnly, IsSelfOrReadOnly
from saintsxctf.foundation.api.schema import envelope_schema
from saintsxctf.foundation.api.throttles import (
    ACTIVATION_CODE_THROTTLES,
    CHANGE_PASSWORD_THROTTLES,
    CODE_CHECK_THROTTLES,
    FORGOT_PASSWORD_THROTTLES,
    SIGNUP_THROTTLES,
)
from saintsxctf.foundation.api.viewsets import EMPTY_BODY, ContractViewSet, ListMixin, UpdateMixin
from users import queries, services
from users.models import ActivationCode, Flair, User
from users.permissions import IsCodeRecipientOrReadOnly
from users.serializers import (
    ActivationCodeSerializer,
    ActivationCodeWriteSerializer,
    ChangePasswordSerializer,
    FlairSerializer,
    FlairWriteSerializer,
    ForgotPasswordCodeSerializer,
    MembershipSerializer,
    MembershipsWriteSerializer,
    OwnUserSerializer,
    StatisticsSerializer,
    UserGroupSerializer,
    UserListSerializer,
    UserNotificationSerializer,
    UserSerializer,
    UserSignupRequestSerializer,
    UserSignupSerializer,
    UserSnapshotSerializer,
    UserTeamSerializer,
    UserWriteSerializer,
)

NO_USER = "there is no user with this username"
NO_EXISTING_USER = "there is no existing user with this username"


class BodyMixin:
    """Reads a request body through a serializer, answering the contract's strings when it is wrong."""

    def validated_body(self, serializer_class, *, empty: str, invalid: str, empty_body: dict | None = None) -> dict:
        """The validated body: `empty` when there is none (ContractViewSet.body), the serializer's own message
        (a contract string raised from `validate()`) or `invalid` when it is wrong."""
        serializer = serializer_class(data=self.body(empty, error_body=empty_body))
        if not serializer.is_valid():
            messages = serializer.errors.get("non_field_errors") if isinstance(serializer.errors, dict) else None
            raise ContractError(str(messages[0]) if messages else invalid, errors=serializer.errors)
        return serializer.validated_data


class UserViewSet(BodyMixin, ListMixin, UpdateMixin, ContractViewSet):
    """Runners and coaches: profiles, memberships, notifications, flair and statistics."""

    throttle_classes = SIGNUP_THROTTLES  # counts POSTs only: signups
    key, plural = "user", "users"
    page_ordering = ("-member_since", "-id")  # newest first, one page at a time (ListMixin)
    queryset = User.objects.order_by("username")
    serializer_class = UserSerializer
    write_serializer_class = UserWriteSerializer
    lookup_field = lookup_url_kwarg = "username"
    owner_field = "username"
    messages = {
        "update.not_found": NO_EXISTING_USER,
        "update.forbidden": "User {user} is not authorized to update user {username}.",
        "update.unchanged": "the user submitted is equal to the existing user with the same username",
        "update.empty": "the user failed to update",
        "update.invalid": "the user failed to update",
        "soft_destroy.not_found": NO_EXISTING_USER,
        "soft_destroy.forbidden": "User {user} is not authorized to soft delete user {username}.",
        "update_memberships.forbidden": "User {user} is not authorized to update the memberships of user {username}.",
        "targets.forbidden": "User {user} is not authorized to view the targets of user {username}.",
        "update_last_login.forbidden":
            "User {user} is not authorized to update the last login date of user {username}.",
    }
    descriptions = {"list": "Get all the users in the database.", "update": "Update a user with a given username."}
    # Who may call each action; the rest need a token, and writes are the caller's own (checked on the user).
    public_actions = {"create", "lookup", "change_password", "email_undo"}
    own_path_actions = {"soft_destroy", "update_memberships", "update_last_login"}

    def get_permissions(self):
        if self.action in self.public_actions:
            return [AllowAny()]
        if self.action in self.own_path_actions:
            return [IsAuthenticated(), IsSelfOrReadOnly()]
        return [IsAuthenticated(), IsOwnerOrReadOnly()]

    def get_serializer_class(self):
        return UserListSerializer if self.action == "list" else UserSerializer

    def found_user(self, identifier: str) -> User:
        """The user named by username or email, or the action's 'no user' error."""
        user = queries.user_find(identifier)
        if user is None:
            raise ContractError(NO_USER)
        return user

    # -- collection -------------------------------------------------------------------------------
    @extend_schema(request=UserSignupRequestSerializer, responses={201: envelope_schema(
        "UserCreated", added=serializers.BooleanField(), user=UserSerializer(), new_user=serializers.CharField())})
    def create(self, request, *args, **kwargs):
        """Create a new user."""
        data = self.validated_body(UserSignupSerializer, empty="The request body isn't populated.",
                         invalid=services.SIGNUP_FAILED)
        user = services.user_signup(**data)
        return self.envelope(201, added=True, user=UserSerializer(user).data,
                             new_user=link("users:user-detail", username=user.username))

    # -- one user ---------------------------------------------------------------------------------
    @extend_schema(responses=envelope_schema("UserDetail", user=OwnUserSerializer()))
    def retrieve(self, request, username=None):
        """Retrieve a single user with a given username."""
        user = self.found_user(username)
        # Only the caller's own record carries their password hash (deviations.md 13).
        serializer = OwnUserSerializer if user.pk == request.user.pk else UserSerializer
        return self.envelope(user=serializer(user).data)

    def perform_update(self, instance, data):
        return services.user_update(user=instance, **data)

    @extend_schema(responses={403: OpenApiResponse(description="Disabled: always refused.")})
    def destroy(self, request, *args, **kwargs):
        """Delete a user with a given username."""
        raise exceptions.PermissionDenied("Deleting a user is disabled.")

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path="soft", url_name="soft")
    def soft_destroy(self, request, username=None):
        """Soft delete a user with a given username."""
        services.user_soft_delete(user=self.get_object())
        return self.envelope(204, deleted=True)

    @extend_schema(responses=envelope_schema("UserSnapshot", user=UserSnapshotSerializer()))
    @action(detail=True, methods=["get"], url_path="snapshot", error_body={"user": None})
    def snapshot(self, request, username=None):
        """Get a snapshot about a user and their exercise statistics with a given username."""
        user = queries.user_snapshot(username)
        if user is None:
            raise ContractError(NO_USER)
        # The original's `self` names the user found, even when the path held their email.
        self_path = link("users:user-snapshot", username=user.username)
        return Response({"self": self_path, "user": UserSnapshotSerializer(user).data})

    @extend_schema(responses=envelope_schema("UserGroups", groups=UserGroupSerializer(many=True)))
    @action(detail=True, methods=["get"], url_path="groups")
    def groups(self, request, username=None):
        """Get a list of groups that a user with a given username is a member of."""
        memberships = queries.user_group_memberships(username)
        return self.envelope(groups=UserGroupSerializer(memberships, many=True).data)

    @extend_schema(responses=envelope_schema("UserTeams", teams=UserTeamSerializer(many=True)))
    @action(detail=True, methods=["get"], url_path="teams")
    def teams(self, request, username=None):
        """Get a list of teams that a user with a given username is a member of."""
        memberships = queries.user_team_memberships(username)
        return self.envelope(teams=UserTeamSerializer(memberships, many=True).data)

    @extend_schema(responses=envelope_schema("UserMemberships", memberships=MembershipSerializer(many=True)))
    @action(detail=True, methods=["get"], url_path="memberships", error_body={"updated": False})
    def memberships(self, request, username=None):
        """Get a list of teams with nested lists of groups that a user is a member of."""
        return self.envelope(memberships=MembershipSerializer(queries.user_memberships(username), many=True).data)

    @extend_schema(request=MembershipsWriteSerializer, responses={201: envelope_schema(
        "UserMembershipsUpdated", updated=serializers.BooleanField())})
    @memberships.mapping.put
    def update_memberships(self, request, username=None):
        """Update a user's group and team memberships."""
        data = self.validated_body(MembershipsWriteSerializer, empty=services.MEMBERSHIPS_FAILED,
                         invalid=services.MEMBERSHIPS_FAILED)
        services.user_memberships_update(user=request.user, **data)
        return self.envelope(201, updated=True)

    @extend_schema(responses=envelope_schema("UserNotifications",
                                             notifications=UserNotificationSerializer(many=True)))
    @action(detail=True, methods=["get"], url_path="notifications")
    def notifications(self, request, username=None):
        """Get a list of notifications for a user with a given username."""
        notifications = queries.user_notifications(username)
        return self.envelope(notifications=UserNotificationSerializer(notifications, many=True).data)

    @extend_schema(responses=envelope_schema("UserFlair", flair=FlairSerializer(many=True)))
    @action(detail=True, methods=["get"], url_path="flair")
    def flair(self, request, username=None):
        """Get a list of flair objects assigned to a user with a given username."""
        return self.envelope(flair=FlairSerializer(queries.user_flair(username), many=True).data)

    @extend_schema(responses=envelope_schema("UserTargets", targets=RunnerTargetSerializer(many=True)))
    @action(detail=True, methods=["get"], url_path="targets", error_body={"targets": None})
    def targets(self, request, username=None):
        """Get a runner's own training targets in force today, with their progress (the runner only)."""
        caller = request.user.get_username()
        if caller != username:
            self.fail("forbidden", user=caller)
        return self.envelope(targets=RunnerTargetSerializer(runner_targets(username), many=True).data)

    @extend_schema(responses=envelope_schema("UserStatistics", stats=StatisticsSerializer()))
    @action(detail=True, methods=["get"], url_path="statistics", error_body={"stats": None})
    def statistics(self, request, username=None):
        """Get exercise statistics for a user with a given username."""
        return self.envelope(stats=queries.user_statistics(self.found_user(username)))

    @extend_schema(request=ChangePasswordSerializer, responses=envelope_schema(
        "PasswordChanged", password_updated=serializers.BooleanField(),
        forgot_password_code_deleted=serializers.BooleanField()))
    @action(detail=False, methods=["put"], url_path=r"(?P<username>[^/]+)/change_password",
            url_name="change-password", throttle_classes=CHANGE_PASSWORD_THROTTLES,
            error_body={"password_updated": False, "forgot_password_code_deleted": False})
    def change_password(self, request, username=None):
        """Update a user with a given username.  Specifically, alter the users password."""
        # deviations.md 2: these refusals are 400, not the original's 500.
        required = "'forgot_password_code' and 'new_password' are required fields."
        data = self.validated_body(ChangePasswordSerializer, empty=required, invalid=required)
        services.user_change_password(username=username, **data)
        return self.envelope(password_updated=True, forgot_password_code_deleted=True)

    @extend_schema(request=None, responses=envelope_schema(
        "LastLoginUpdated", last_login_updated=serializers.BooleanField()))
    @action(detail=False, methods=["put"], url_path=r"(?P<username>[^/]+)/update_last_login",
            url_name="update-last-login", error_body={"last_login_updated": False})
    def update_last_login(self, request, username=None):
        """Update a user with a given username.  Specifically, change the users last login date."""
        services.user_update_last_login(username=username)
        return self.envelope(last_login_updated=True)

    @extend_schema(request=None, responses=envelope_schema(
        "EmailChangeUndone", email_restored=serializers.BooleanField(), user=serializers.CharField()))
    @action(detail=False, methods=["get"], url_path=r"email_undo/(?P<token>[^/]+)", url_name="email-undo",
            error_body={"email_restored": False}, throttle_classes=CODE_CHECK_THROTTLES)
    def email_undo(self, request, token=None):
        """Undo an email change from the link mailed to the old address (no token needed: the link is the proof)."""
        user = services.user_email_change_undo(token=token)
        return self.envelope(email_restored=True, user=user.username)

    @extend_schema(responses=envelope_schema("UserExists", exists=serializers.BooleanField()))
    @action(detail=True, methods=["get"], url_path="lookup", error_body={"exists": False})
    def lookup(self, request, username=None):
        """Check if a user exists with a username or email."""
        if queries.user_find(username) is None:
            raise ContractError("There is no user with this username or email.")
        return self.envelope(exists=True)


class FlairViewSet(BodyMixin, ContractViewSet):
    """Flair: badges on a runner's profile."""

    key = "flair"
    queryset = Flair.objects.order_by("flair_id")
    serializer_class = FlairSerializer
    error_body = {"added": False}

    @extend_schema(request=FlairWriteSerializer, responses={201: envelope_schema(
        "FlairCreated", added=serializers.BooleanField(), flair=FlairSerializer())})
    def create(self, request, *args, **kwargs):
        """Create a new flair item."""
        data = self.body()
        # The original checks who the flair is for before it checks the body is complete.
        if data.get("username") != request.user.get_username():
            raise ContractError(f"User {request.user.get_username()} is not authorized to create a flair for "
                                f"user {data.get('username')}.")
        data = self.validated_body(FlairWriteSerializer, empty=EMPTY_BODY,
                                   invalid="'username' and 'flair' are required fields")
        flair = services.flair_create(**data)
        return self.envelope(201, added=True, flair=FlairSerializer(flair).data)


class ActivationCodeViewSet(BodyMixin, ContractViewSet):
    """Activation codes: one-time codes that let a new runner sign up into a group."""

    throttle_classes = ACTIVATION_CODE_THROTTLES
    key = "activation_code"
    queryset = ActivationCode.objects.order_by("activation_code")
    serializer_class = ActivationCodeSerializer
    lookup_field = "activation_code"
    lookup_url_kwarg = "code"
    permission_classes = [IsAuthenticated, IsCodeRecipientOrReadOnly | IsGroupAdmin]
    messages = {
        "retrieve.not_found": "there is no matching activation code",
        "exists.not_found": "there is no matching activation code",
        "destroy.not_found": "there is no existing activation code with this code",
        "destroy.forbidden": "User {user} is not authorized to delete activation code {obj.activation_code}.",
        "soft_destroy.not_found": "there is no existing activation code with this code",
        "soft_destroy.forbidden":
            "User {user} is not authorized to soft delete activation code {obj.activation_code}.",
    }

    def get_throttles(self):
        # Looking a code up is guessing one: the code checks' allowance. Creating codes: the group admin's.
        if self.action in ("retrieve", "exists"):
            return [throttle() for throttle in CODE_CHECK_THROTTLES]
        return super().get_throttles()

    def get_object(self):
        """The live code named in the path, in any letter case."""
        code = self.get_queryset().filter(activation_code__iexact=self.kwargs["code"]).first()
        if code is None:
            self.fail("not_found")
        self.check_object_permissions(self.request, code)
        return code

    @extend_schema(request=ActivationCodeWriteSerializer, responses=envelope_schema(
        "ActivationCodeCreated", added=serializers.BooleanField(), activation_code=ActivationCodeSerializer()))
    def create(self, request, *args, **kwargs):
        """Create a new activation code."""
        data = self.validated_body(ActivationCodeWriteSerializer, empty=EMPTY_BODY,
                         invalid="'group_id' and 'email' are required fields", empty_body={"added": False})
        if not request.user.administers(data["group_id"]):
            self.refuse()  # only the group's admins invite runners into it
        code = services.activation_code_create(**data)
        return self.envelope(added=True, activation_code=ActivationCodeSerializer(code).data)

    def error_fields(self):
        if self.action == "create":
            # The original's copy-paste `log` key on this endpoint's validation errors (responses.md).
            return {"added": False, "log": None}
        return super().error_fields()

    @extend_schema(responses=envelope_schema("ActivationCodeDetail", activation_code=ActivationCodeSerializer()))
    def retrieve(self, request, code=None):
        """Retrieve a single activation code with a given unique code."""
        return self.envelope(activation_code=ActivationCodeSerializer(self.get_object()).data)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request, code=None):
        """Delete a single activation code."""
        services.activation_code_delete(code=self.get_object())
        return self.envelope(204, deleted=True)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path="soft", url_name="soft")
    def soft_destroy(self, request, code=None):
        """Soft delete a single activation code."""
        services.activation_code_soft_delete(code=self.get_object())
        return self.envelope(204, deleted=True)

    @extend_schema(responses=envelope_schema("ActivationCodeExists", matching_code_exists=serializers.IntegerField()))
    @action(detail=True, methods=["get"], url_path="exists", error_body={"matching_code_exists": 0})
    def exists(self, request, code=None):
        """Check if an activation code exists."""
        self.get_object()
        # An integer, as the original's COUNT(*) gave it.
        return self.envelope(matching_code_exists=1)


class ForgotPasswordViewSet(BodyMixin, ContractViewSet):
    """Forgot-password codes: emailed to a runner so they can set a new password."""

    throttle_classes = FORGOT_PASSWORD_THROTTLES
    key = "forgot_password"
    queryset = User.objects.none()
    serializer_class = ForgotPasswordCodeSerializer
    error_body = {"created": False}

    def get_permissions(self):
        return [IsAuthenticated()] if self.action == "codes" else [AllowAny()]

    def found_user(self, identifier: str, body: dict) -> User:
        user = queries.user_find(identifier)
        if user is None:
            raise ContractError("There is no user associated with this username/email.", body=body)
        return user

    @extend_schema(responses=envelope_schema("ForgotPasswordCodes",
                                             forgot_password_codes=ForgotPasswordCodeSerializer(many=True)))
    @action(detail=False, methods=["get"], url_path=r"(?P<username>[^/]+)", url_name="detail")
    def codes(self, request, username=None):
        """Retrieve a single forgot password code assigned to a given username."""
        user = self.found_user(username, {"forgot_password_codes": []})
        if user.username != request.user.get_username():
            raise ContractError(f"User {request.user.get_username()} is not authorized to access forgot password "
                                f"codes for user {user.username}.")
        # Always empty: codes reach their runner by email only (see snapshot; no client reads them here).
        return self.envelope(forgot_password_codes=[])

    @extend_schema(request=None, responses={201: envelope_schema("ForgotPasswordCreated",
                                                                 created=serializers.BooleanField())})
    @codes.mapping.post
    def create_code(self, request, username=None):
        """Create a new forgot password code."""
        services.forgot_password_code_create(user=self.found_user(username, {"created": False}))
        return self.envelope(201, created=True)

    @extend_schema(responses=dict.fromkeys((200, 400), envelope_schema(
        "ForgotPasswordValidation", is_valid=serializers.BooleanField(),
        username=serializers.CharField(allow_null=True))))
    @action(detail=False, methods=["get"], url_path=r"validate/(?P<code>[^/]+)", url_name="validate",
            throttle_classes=CODE_CHECK_THROTTLES)
    def validate(self, request, code=None):
        """Validate if a forgot password code exists."""
        found = queries.forgot_password_code_valid(code)
        if found is None:
            # Not an error body: the contract answers 400 with the same keys as a valid code.
            return self.envelope(400, is_valid=False, username=None)
        return self.envelope(is_valid=True, username=found.user_id)
