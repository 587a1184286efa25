"""The API index: `/`, `/versions`, `/v2`, `/v2/links`, and the deliberate `/404` and `/500`."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from saintsxctf.foundation.api.errors import framework_body
from saintsxctf.foundation.api.links import link, self_link
from saintsxctf.foundation.api.schema import FrameworkErrorSerializer as ErrorBody


class IndexView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]


class ApiRootView(IndexView):
    """Entrypoint of the SaintsXCTF API."""

    @extend_schema(responses=inline_serializer("ApiRoot", {
        "api_name": serializers.CharField(), "self_link": serializers.CharField(),
        "versions_link": serializers.CharField()}))
    def get(self, request):
        """Entrypoint of the SaintsXCTF API."""
        return Response({"api_name": "saints-xctf-api", "self_link": self_link(request),
                         "versions_link": link("versions")})


class VersionsView(IndexView):
    """The versions of the API."""

    @extend_schema(responses=inline_serializer("Versions", {
        "self": serializers.CharField(), "version_1": serializers.CharField(allow_null=True),
        "version_2": serializers.CharField(), "version_latest": serializers.CharField()}))
    def get(self, request):
        """List the versions of the API."""
        return Response({"self": self_link(request), "version_1": None, "version_2": link("v2"),
                         "version_latest": link("v2")})


class V2View(IndexView):
    """Details of version 2, the current version."""

    @extend_schema(responses=inline_serializer("Version2", {
        "self": serializers.CharField(), "version": serializers.IntegerField(),
        "latest": serializers.BooleanField(), "links": serializers.CharField()}))
    def get(self, request):
        """Details of version 2 of the API."""
        return Response({"self": self_link(request), "version": 2, "latest": True, "links": link("v2-links")})


class V2LinksView(IndexView):
    """The links index of every resource group of version 2."""

    routers: tuple = ()  # the resource groups' routers, in the order the index lists them: given by the URL conf

    @extend_schema(responses={
        200: {"type": "object", "additionalProperties": {"type": "string"}}})
    def get(self, request):
        """Links to the links index of every resource group."""
        groups = {router.group: link(f"{router.namespace}:links") for router in self.routers}
        return Response({"self": self_link(request), **groups})


class Error404View(IndexView):
    """A generic 404 error, on purpose."""

    @extend_schema(responses={404: ErrorBody})
    def get(self, request):
        """The 404 error body."""
        return Response(framework_body(404, "404 Not Found: This is a deliberate 404 response."), status=404)


class Error500View(IndexView):
    """A generic 500 error, on purpose."""

    @extend_schema(responses={500: ErrorBody})
    def get(self, request):
        """The 500 error body."""
        return Response(framework_body(500, "500 Internal Server Error: This is a deliberate 500 response."),
                        status=500)
