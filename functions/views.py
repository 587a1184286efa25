"""The original's functions (fn.saintsxctf.com) and picture bucket, served by the API.

- `/fn/email/welcome`, `/fn/email/activation-code`: the API already mailed both when the runner signed up or the
  code was made (users/services.py), so these answer `{"result": true}` and send nothing a second time.
- `/fn/email/report` (iOS): mails a runner's report to the administrator (API_CONTACT_EMAIL).
- `/fn/uasset/signed-url/user`, `/group`: a key and a signed upload URL for a new picture (functions/services.py).
- `PUT /s3/<bucket>/<key>`: the picture's bytes, authorised by the URL's signature alone.
- `GET /uasset/profile/<username>/<name>`, `/uasset/group/<group_id>/<name>`: the pictures, public as the
  original bucket was (they are shown in <img> tags, which send no token).

Bodies follow other-clients.md sections 6 and 7: `result` is a JSON boolean, a failure is `{"result": false}`
with the error handler's `self` and `error`, never an HTML page. JWT functions take the raw token.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.http import FileResponse
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from functions import services
from functions.authentication import FunctionTokenAuthentication
from functions.serializers import (
    ActivationCodeEmailSerializer,
    GroupUploadUrlSerializer,
    ReportEmailSerializer,
    UserUploadUrlSerializer,
    WelcomeEmailSerializer,
)
from groups.models import Group
from saintsxctf.foundation.api.errors import ContractError
from saintsxctf.foundation.api.links import link, self_link
from saintsxctf.foundation.api.schema import EndpointErrorSerializer, FrameworkErrorSerializer, envelope_schema
from saintsxctf.foundation.api.throttles import WindowThrottle
from users import emails
from users.models import ActivationCode

EMPTY_BODY = "the request body isn't populated"
CODE_NOT_FOUND = "there is no activation code {code} for {email}"
CODE_NOT_ADMIN = "User {user} is not an admin of the group of activation code {code}."
NOT_YOUR_PICTURE = "User {user} may only upload their own profile picture."
NOT_GROUP_ADMIN = "User {user} is not an admin of group {group_id}."
# The upload URL's origin and the path below it, as the original's presigned S3 URLs had them: the web client
# replaces "https://s3.amazonaws.com/" with its same-origin "/s3/", which the front proxy sends here.
UPLOAD_URL_ORIGIN = "https://s3.amazonaws.com"
UPLOAD_ROUTE_PREFIX = "/s3"


def result_schema(name: str):
    return envelope_schema(name, result=serializers.BooleanField())


# A 403 is the function's own refusal (`{"self", "result": false, "error"}`) or the framework's (a bad token).
REFUSAL = PolymorphicProxySerializer(component_name="FunctionRefusal", resource_type_field_name=None,
                                     serializers=[EndpointErrorSerializer, FrameworkErrorSerializer])


class FunctionView(APIView):
    """A /fn function: JSON in, `{"self", ...}` out; errors as `{"self", <error_body>, "error"}` with a 4xx."""

    authentication_classes = [FunctionTokenAuthentication]
    permission_classes = [IsAuthenticated]
    error_body: dict = {"result": False}

    def error_fields(self) -> dict:
        return dict(self.error_body)

    def answer(self, **fields) -> Response:
        return Response({"self": self_link(self.request), **fields})

    def body(self, serializer_class) -> dict:
        """The JSON object body, checked by `serializer_class`; 400 with the function's error body otherwise."""
        try:
            data = self.request.data
        except (exceptions.ParseError, exceptions.UnsupportedMediaType):
            data = None
        if not data or not isinstance(data, dict):
            raise ContractError(EMPTY_BODY)
        serializer = serializer_class(data=data)
        if not serializer.is_valid():
            raise ContractError(invalid_message(serializer.errors), errors=serializer.errors)
        return serializer.validated_data


def invalid_message(errors: dict) -> str:
    """One line naming each bad field: "'username' This field is required."."""
    parts = []
    for field, messages in errors.items():
        text = " ".join(str(message) for message in messages)
        parts.append(text if field == "non_field_errors" else f"'{field}' {text}")
    return "; ".join(parts)


class WelcomeEmailView(FunctionView):
    """The welcome mail after a signup: already sent by the API when the runner signed up, so nothing is sent."""

    # Unauthenticated, as the original: the web client calls it signed out with an empty `authorization:`.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=WelcomeEmailSerializer, responses=result_schema("WelcomeEmail"))
    def post(self, request):
        """Acknowledge the welcome mail of a new runner (`{"result": true}`); the API sent it at signup."""
        self.body(WelcomeEmailSerializer)
        return self.answer(result=True)


class ActivationCodeEmailView(FunctionView):
    """The invitation mail of an activation code: already sent by the API when the code was made."""

    @extend_schema(request=ActivationCodeEmailSerializer,
                   responses={200: result_schema("ActivationCodeEmail"), 403: REFUSAL})
    def post(self, request):
        """`{"result": true}` when the code exists for that address and the caller is an admin of its group
        (deviations.md 9: who may make a code may ask for its mail); the API mailed it when it was made."""
        data = self.body(ActivationCodeEmailSerializer)
        code = ActivationCode.objects.filter(activation_code__iexact=data["code"]).first()
        if code is None or (code.email or "").lower() != data["email"].strip().lower():
            raise ContractError(CODE_NOT_FOUND.format(**data))
        if not request.user.administers(code.group_id):
            raise ContractError(CODE_NOT_ADMIN.format(user=request.user.get_username(), code=data["code"]),
                                status_code=403)
        return self.answer(result=True)


class ReportThrottle(WindowThrottle):
    """Reports mailed per runner (the token's), so one account cannot flood the administrator's inbox."""

    scope = "report"

    def idents(self, request, view):
        return [f"user:{request.user.get_username()}"] if request.user.is_authenticated else []


class ReportEmailView(FunctionView):
    """A runner's report (a bug, a complaint) mailed to the administrator (iOS)."""

    throttle_classes = [ReportThrottle]

    @extend_schema(request=ReportEmailSerializer, responses=result_schema("ReportEmail"))
    def post(self, request):
        """Mail the report to the administrator: `{"result": true}` once it is sent."""
        data = self.body(ReportEmailSerializer)
        # The names are the token's runner's, not the body's: the body only says who the app thinks is signed in.
        emails.send_report(user=request.user, report=data["report"])
        return self.answer(result=True)


class UploadUrlView(FunctionView):
    """Base of the two signed-URL functions."""

    error_body = {"key": None, "uploadUrl": None}

    def signed(self, key: services.PictureKey, content_type: str) -> Response:
        route = {services.PROFILE: ("functions:upload-profile", "username"),
                 services.GROUP: ("functions:upload-group", "group_id")}
        name, owner_kwarg = route[key.kind]
        path = link(name, bucket=settings.UPLOAD_URL_BUCKET, env=key.env, name=key.name,
                    **{owner_kwarg: key.owner})
        query = urlencode({"signature": services.upload_signature(key, content_type)})
        upload_url = f"{UPLOAD_URL_ORIGIN}{path.removeprefix(UPLOAD_ROUTE_PREFIX)}?{query}"
        return self.answer(key=key.storage_name, uploadUrl=upload_url)


UPLOAD_URL_SCHEMA = envelope_schema("UploadUrl", key=serializers.CharField(), uploadUrl=serializers.CharField())


class UserUploadUrlView(UploadUrlView):
    """An upload URL for the caller's own profile picture."""

    @extend_schema(request=UserUploadUrlSerializer,
                   responses={200: UPLOAD_URL_SCHEMA, 403: REFUSAL})
    def post(self, request):
        """A key and an upload URL (valid UPLOAD_URL_MAX_AGE seconds) for a new profile picture of the caller."""
        data = self.body(UserUploadUrlSerializer)
        caller = request.user.get_username()
        if data["username"] != caller:
            raise ContractError(NOT_YOUR_PICTURE.format(user=caller), status_code=403)
        key = services.upload_key_new(kind=services.PROFILE, owner=caller, content_type=data["contentType"])
        return self.signed(key, data["contentType"])


class GroupUploadUrlView(UploadUrlView):
    """An upload URL for the picture of a group the caller administers."""

    @extend_schema(request=GroupUploadUrlSerializer,
                   responses={200: UPLOAD_URL_SCHEMA, 403: REFUSAL})
    def post(self, request):
        """A key and an upload URL (valid UPLOAD_URL_MAX_AGE seconds) for a new picture of a group the caller
        administers."""
        data = self.body(GroupUploadUrlSerializer)
        caller = request.user.get_username()
        if not request.user.administers(data["groupId"]):
            raise ContractError(NOT_GROUP_ADMIN.format(user=caller, group_id=data["groupId"]), status_code=403)
        key = services.upload_key_new(kind=services.GROUP, owner=str(data["groupId"]),
                                      content_type=data["contentType"])
        return self.signed(key, data["contentType"])


class PublicMediaView(APIView):
    """Picture routes: no token (the URL's signature, or nothing: pictures are public). Not in the OpenAPI schema:
    raw bytes, and a signature only an upload URL carries."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes: list = []  # the body is read raw (services.read_limited), never parsed
    error_body = {"uploaded": False, "key": None}

    def error_fields(self) -> dict:
        return dict(self.error_body)

    def picture_key(self, kind: str, **kwargs) -> services.PictureKey:
        owner = kwargs.get("username") if kind == services.PROFILE else str(kwargs.get("group_id"))
        return services.PictureKey(kind=kind, owner=owner, name=kwargs["name"], env=kwargs.get("env", ""))


@extend_schema(exclude=True)
class UploadView(PublicMediaView):
    """The receiver of signed upload URLs (the original's S3 presigned PUT)."""

    kind = services.PROFILE

    def put(self, request, bucket, **kwargs):
        """Store the picture the body carries, if the URL's signature allows this key and Content-Type."""
        if bucket != settings.UPLOAD_URL_BUCKET:
            raise exceptions.NotFound()
        key = self.picture_key(self.kind, **kwargs)
        content_type = (request.content_type or "").split(";")[0].strip().lower()
        services.upload_signature_check(request.query_params.get("signature", ""), key, content_type)
        services.image_extension(content_type)
        data = services.read_limited(request, request.META.get("CONTENT_LENGTH"), settings.UPLOAD_MAX_BYTES)
        services.picture_store(key=key, content_type=content_type, data=data)
        return Response({"self": self_link(request), "uploaded": True, "key": key.storage_name})


class GroupUploadView(UploadView):
    kind = services.GROUP


@extend_schema(exclude=True)
class PictureView(PublicMediaView):
    """A stored picture, public as the original's bucket."""

    kind = services.PROFILE

    def get(self, request, **kwargs):
        """The picture's bytes with its image Content-Type; 404 when there is none."""
        try:
            key = self.picture_key(self.kind, **kwargs)
        except ContractError:
            raise exceptions.NotFound() from None  # a name that cannot be a stored picture's
        picture = services.picture_open(key)
        if picture is None:
            raise exceptions.NotFound()
        response = FileResponse(picture, content_type=key.served_type)
        # A picture's name is new for every upload (epoch ms), so its bytes never change: cache it for long.
        response["Cache-Control"] = "public, max-age=31536000, immutable"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


class GroupPictureView(PictureView):
    kind = services.GROUP


@extend_schema(exclude=True)
class GroupPictureByNameView(PictureView):
    """A group's picture named by the group's name: the iOS app reads `/prod/group/<group_name>/<grouppic_name>`
    (other-clients.md section 3) while pictures are stored under the group's id, which broke its group pictures
    on the original. Names are unique inside a team only, so the group is the one whose current picture it is."""

    kind = services.GROUP

    def get(self, request, group_name, name):
        """The picture of the group with this name whose current picture is `name`; 404 otherwise."""
        group = Group.objects.filter(group_name=group_name, grouppic_name=name).order_by("id").first()
        if group is None:
            raise exceptions.NotFound()
        return super().get(request, group_id=group.pk, name=name)
