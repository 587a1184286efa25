"""Viewsets of exercise logs, the log feed, range views and exercise types."""

from functools import partial

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from comments.serializers import CommentInLogSerializer
from logs import queries
from logs.models import FIRST_LOG_DATE, LAST_LOG_DATE, ExerciseType, Log
from logs.serializers import (
    ExerciseTypeSerializer,
    FeedLogSerializer,
    LogCreateSerializer,
    LogSerializer,
    LogUpdateSerializer,
    LogWithCommentsSerializer,
    RangeViewDaySerializer,
)
from logs.services import log_create, log_delete, log_soft_delete, log_update
from saintsxctf.foundation.api.links import link
from saintsxctf.foundation.api.pagination import MAX_LIMIT, MAX_PAGE_NUMBER, fetched_page, page_params
from saintsxctf.foundation.api.parameters import PathParameter, parse_id
from saintsxctf.foundation.api.permissions import IsOwnerOrReadOnly
from saintsxctf.foundation.api.schema import envelope_schema
from saintsxctf.foundation.api.viewsets import ContractModelViewSet, ContractViewSet, ListMixin

LOG_REQUIRED = ("username", "first", "last", "date", "type", "feel")
FEED_PATH = r"(?P<filter_by>[^/]+)/(?P<bucket>[^/]+)/(?P<limit>[^/]+)/(?P<offset>[^/]+)"
RANGE_VIEW_PATH = r"(?P<filter_by>[^/]+)/(?P<bucket>[^/]+)/(?P<exercise_types>[^/]+)/(?P<start>[^/]+)/(?P<end>[^/]+)"
NO_RANGE_VIEW_DAYS = "no logs found in this date range with the selected filters"


class LogViewSet(ContractModelViewSet):
    """Exercise logs. Any runner reads them; only the author changes or deletes one."""

    key, plural = "log", "logs"
    page_ordering = ("-date", "-log_id")  # newest first, one page at a time (ListMixin)
    queryset = Log.objects.order_by("date", "log_id")
    serializer_class = LogSerializer
    permission_classes = [IsAuthenticated, IsOwnerOrReadOnly]
    lookup_url_kwarg = "log_id"
    body_owner_field, required_fields = "username", LOG_REQUIRED  # checked in validated(), as the original did
    messages = {
        "retrieve.not_found": "there is no log with this identifier",
        "create.forbidden": "User {user} is not authorized to upload an exercise log for user {username}.",
        "create.required": "'username', 'first', 'last', 'date', 'type', and 'feel' are required fields",
        "create.invalid": "failed to create a new log",
        "update.not_found": "there is no existing log with this id",
        "update.forbidden": "User {user} is not authorized to update an exercise log owned by user {obj.user_id}.",
        "update.invalid": "the log failed to update",
        "update.same": "the log submitted is equal to the existing log with the same id",
        "destroy.not_found": "There is no existing exercise log with this id.",
        "destroy.forbidden": "User {user} is not authorized to delete an exercise log owned by user {obj.user_id}.",
        "soft_destroy.not_found": "there is no existing exercise log with this id",
        "soft_destroy.forbidden":
            "User {user} is not authorized to soft delete an exercise log owned by user {obj.user_id}.",
    }
    descriptions = {
        "list": "Get all the exercise logs in the database.",
        "create": "Create a new exercise log.",
        "update": "Update an exercise log with a given unique id.",
        "destroy": "Delete a single exercise log with a given unique id.",
        "soft_destroy": "Soft delete a single exercise log with a given unique id.",
    }

    def page_items(self, logs: list[Log]) -> list[Log]:
        return queries.with_comments(logs)

    def get_serializer_class(self):
        return LogWithCommentsSerializer if self.action == "list" else LogSerializer

    @property
    def write_serializer_class(self):
        return LogUpdateSerializer if self.action == "update" else LogCreateSerializer

    def error_fields(self) -> dict:
        if self.action == "retrieve":
            return {"log": None, "comments": None}
        return super().error_fields()

    def reread(self, instance):
        # A created log renders as written: log_create set every column it renders (miles and pace included)
        # to the value the database stores, so reading it back would only repeat them.
        return instance if self.action == "create" else super().reread(instance)

    def perform_create(self, data: dict):
        # `username` was checked to be the caller's own in validated(). `data` stays as it is: a deadlocked
        # write runs this again (atomic_write).
        return log_create(author=self.request.user, **{k: v for k, v in data.items() if k != "username"})

    @extend_schema(responses=envelope_schema("LogWithComments", log=LogSerializer(), comments=CommentInLogSerializer(many=True)))
    def retrieve(self, request, *args, **kwargs):
        """Retrieve a single exercise log with a given unique id."""
        log = self.found_log()
        comments = queries.log_comments(log.pk)
        return self.envelope(log=LogSerializer(log).data, comments=CommentInLogSerializer(comments, many=True).data)

    def get_object(self) -> Log:
        return self.found_log()

    def found_log(self) -> Log:
        """get_object(), through a prepared query (queries.live_log(): the most read row of the API, and the row
        every edit and delete starts from): the live log of the path, or the action's not-found error (a path
        value that is no id finds nothing)."""
        pk = parse_id(self.kwargs[self.lookup_url_kwarg])
        log = None if pk is None else queries.live_log(pk)
        if log is None:
            self.fail("not_found")
        self.check_object_permissions(self.request, log)
        return log

    def perform_update(self, log: Log, data: dict):
        # The path decides which log changes; a body `log_id` is ignored (as deviations.md 4 does for groups).
        if log.matches(**data):
            self.fail("same")
        return log_update(log=log, **{k: v for k, v in data.items() if k not in LogUpdateSerializer.ECHOED})

    def perform_destroy(self, log: Log):
        log_delete(log=log)

    def perform_soft_destroy(self, log: Log):
        log_soft_delete(log=log)


class LogFeedViewSet(ContractViewSet):
    """Pages of exercise logs of everyone the caller runs with, a group or a runner, newest first."""

    key, plural = "log", "logs"
    queryset = Log.objects.all()
    serializer_class = FeedLogSerializer
    path_parameters = {
        "filter_by": PathParameter("Whose logs: `all` (the caller and everyone they run with), `group`/`groups` "
                                   "(the members of a group), `user`/`users`/`username` (one runner).",
                                   {"type": "string", "enum": list(queries.FEED_FILTERS)}, "all"),
        "bucket": PathParameter("Which ones: for `all` any text (`all`), for `group` a group id (a whole number), "
                                "for `user` a username.", example="all"),
        "limit": PathParameter(f"Logs per page: a whole number from 1 to {MAX_LIMIT}.",
                               {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}, 10),
        "offset": PathParameter(f"Logs to skip, newest first: a whole number from 0 to {MAX_PAGE_NUMBER}.",
                                {"type": "integer", "minimum": 0, "maximum": MAX_PAGE_NUMBER}, 0),
    }

    @extend_schema(responses=envelope_schema(
        "LogFeedPage", next=serializers.CharField(allow_null=True), prev=serializers.CharField(allow_null=True),
        logs=FeedLogSerializer(many=True), pages=serializers.IntegerField(),
    ))
    @action(detail=False, methods=["get"], url_path=FEED_PATH, url_name="feed",
            error_body={"next": None, "prev": None, "logs": None, "pages": 0})
    def feed(self, request, filter_by: str, bucket: str, limit: str, offset: str):
        """Get a list of exercise logs based on certain filters."""
        limit, offset = page_params(limit, offset)
        authors = queries.feed_of(viewer=request.user, filter_by=filter_by, bucket=bucket)
        page = fetched_page(partial(queries.feed_page, authors), limit=limit, offset=offset,
                            count=queries.log_count(authors))
        return Response({
            **page.links("log_feed:log-feed", filter_by=filter_by, bucket=bucket),
            "logs": self.get_serializer(queries.with_comments(page.items), many=True).data,
            "pages": page.pages,
        })


class RangeViewViewSet(ContractViewSet):
    """Daily mileage and feel of a runner or a group between two dates."""

    key, plural = "range_view", "range_view"
    queryset = Log.objects.all()
    serializer_class = RangeViewDaySerializer
    path_parameters = {
        "filter_by": PathParameter("Whose logs: `all`, `group`/`groups` (the members of a group) or `user`/`users` "
                                   "(one runner).", {"type": "string", "enum": list(queries.RANGE_VIEW_FILTERS)}, "user"),
        "bucket": PathParameter("Which ones: for `group` a group id (a whole number), for `user` a username, for "
                                "`all` any text.", example="andy"),
        "exercise_types": PathParameter("The exercise types to count, as letters in any order: `r` run, `b` bike, "
                                        "`s` swim, `o` every other type (e.g. `rbso`).",
                                        {"type": "string", "pattern": f"^[{queries.EXERCISE_TYPE_LETTERS}]+$"}, "r"),
        "start": PathParameter(f"The first day, YYYY-MM-DD, from {FIRST_LOG_DATE} to {LAST_LOG_DATE}.",
                               {"type": "string", "format": "date"}, "2021-05-01"),
        "end": PathParameter(f"The last day (inclusive), YYYY-MM-DD, from {FIRST_LOG_DATE} to {LAST_LOG_DATE}.",
                             {"type": "string", "format": "date"}, "2021-05-31"),
    }

    @extend_schema(responses=envelope_schema(
        "RangeView", range_view=RangeViewDaySerializer(many=True), message=serializers.CharField(required=False),
    ))
    @action(detail=False, methods=["get"], url_path=RANGE_VIEW_PATH, url_name="view", error_body={"range_view": None})
    def range_view(self, request, filter_by: str, bucket: str, exercise_types: str, start: str, end: str):
        """Get a list of range view objects based on certain filters."""
        days = queries.range_view(filter_by=filter_by, bucket=bucket, types=exercise_types, start=start, end=end)
        body = {"range_view": self.get_serializer(days, many=True).data}
        if not days:
            body["message"] = NO_RANGE_VIEW_DAYS
        return self.envelope(**body)


class ExerciseTypeViewSet(ListMixin, ContractViewSet):
    """Exercise types (run, bike, swim, ...). No token needed."""

    key, plural = "type", "types"
    queryset = ExerciseType.objects.order_by("type")
    serializer_class = ExerciseTypeSerializer
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses=envelope_schema("ExerciseTypes", types=serializers.ListField(child=serializers.CharField())))
    def list(self, request, *args, **kwargs):
        """Get all the exercise types in the database."""
        # Unlike every other collection, the original names this one with its trailing slash.
        types = self.get_serializer(self.get_queryset(), many=True).data
        return Response({"self": link("types:type-list"), "types": types})
