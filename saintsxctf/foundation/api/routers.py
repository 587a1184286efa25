"""ContractRouter: the contract's path shapes, and a `/links` index generated from the same registration.

A router serves one resource group of the contract (`/v2/logs`, `/v2/users`, ...) and is mounted at
`v2/<path>` with its own URL namespace. For each registered viewset it produces:

    ""              GET/POST redirect to the collection (302 for GET, 307 for POST: the body is re-sent), after
                    the same authentication as the collection (no header 401, a bad one 403)
    "/"             list / create
    "/links"        the group's links index (once per router, no token)
    "/<url_path>"   extra actions with detail=False; `url_path` may hold named groups, e.g.
                    r"(?P<username>[^/]+)/change_password" or r"search/(?P<text>[^/]+)/(?P<limit>[^/]+)"
    "/<url_path>/<lookup>"  extra actions with detail=True, e.g. "/soft/<log_id>", "/statistics/<username>"
    "/<lookup>"     retrieve / update / destroy

Routes whose first segment is a literal come before routes that start with a parameter, so
`/members/<group_id>` is never taken for `/<team_name>/<group_name>`.
"""

import re
from dataclasses import dataclass
from functools import cached_property

from django.http import HttpResponseRedirect
from django.urls import re_path, reverse
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from saintsxctf.foundation.api.links import self_link, template_link

COLLECTION_ACTIONS = {"get": "list", "post": "create"}
ITEM_ACTIONS = {"get": "retrieve", "put": "update", "delete": "destroy"}


@dataclass(frozen=True)
class Endpoint:
    regex: str
    name: str
    mapping: dict  # HTTP method -> viewset action
    viewset: type
    initkwargs: dict

    @property
    def kwarg_names(self) -> list[str]:
        return list(re.compile(self.regex).groupindex)


class ContractRouter:
    """Routes one resource group's viewsets in the contract's shapes, plus the group's `/links` index."""

    def __init__(self, group: str, path: str):
        self.group = group  # the key of this group in /v2/links, e.g. "log"
        self.path = path  # mounted at v2/<path>, also the URL namespace, e.g. "logs"
        self.registry: list[tuple[type, str]] = []

    @property
    def namespace(self) -> str:
        return self.path

    def register(self, viewset, basename: str):
        self.registry.append((viewset, basename))

    def endpoints(self) -> list[Endpoint]:
        """Every (path, methods, action) this router serves, in matching order."""
        endpoints: list[Endpoint] = []
        deferred: list[Endpoint] = []
        for viewset, basename in self.registry:
            lookup = f"(?P<{viewset.lookup_url_kwarg or viewset.lookup_field}>[^/]+)"
            base = {"basename": basename}
            collection = {m: a for m, a in COLLECTION_ACTIONS.items() if hasattr(viewset, a)}
            if collection:
                endpoints.append(Endpoint("^/$", f"{basename}-list", collection, viewset, {**base, "detail": False}))
            for action in viewset.get_extra_actions():
                url_path = action.url_path
                regex = f"^/{url_path}/{lookup}$" if action.detail else f"^/{url_path}$"
                endpoint = Endpoint(
                    regex, f"{basename}-{action.url_name}", dict(action.mapping), viewset,
                    {**base, "detail": action.detail, **action.kwargs},
                )
                (deferred if url_path.startswith("(") else endpoints).append(endpoint)
            item = {m: a for m, a in ITEM_ACTIONS.items() if hasattr(viewset, a)}
            if item:
                deferred.append(Endpoint(f"^/{lookup}$", f"{basename}-detail", item, viewset, {**base, "detail": True}))
        return endpoints + deferred

    @cached_property
    def urls(self) -> list:
        patterns = []
        for viewset, basename in self.registry:
            if any(hasattr(viewset, a) for a in COLLECTION_ACTIONS.values()):
                redirect = CollectionRedirectView.as_view(
                    view_name=f"{self.namespace}:{basename}-list", public=not viewset.authentication_classes)
                patterns.append(re_path(r"^$", redirect, name=f"{basename}-redirect"))
        patterns.append(re_path(r"^/links$", LinksView.as_view(router=self), name="links"))
        for endpoint in self.endpoints():
            view = endpoint.viewset.as_view(endpoint.mapping, **endpoint.initkwargs)
            patterns.append(re_path(endpoint.regex, view, name=endpoint.name))
        return patterns

    def links(self) -> list[dict]:
        """The `/links` index entries: one per path and verb, with the action's one-line description."""
        entries = []
        for endpoint in self.endpoints():
            path = template_link(f"{self.namespace}:{endpoint.name}", endpoint.kwarg_names)
            for method, action in endpoint.mapping.items():
                entries.append({
                    "link": path,
                    "verb": method.upper(),
                    "description": describe(endpoint.viewset, action),
                })
        return entries


def describe(viewset, action: str) -> str:
    """The one-line description of an action, for its `/links` entry and its OpenAPI operation: the viewset's
    `descriptions[action]` (how a viewset describes the actions it inherits), else the first line of the action's
    docstring, with the viewset's {key}/{plural} filled in."""
    text = getattr(viewset, "descriptions", {}).get(action)
    if text is None:
        doc = (getattr(viewset, action).__doc__ or "").strip().splitlines()
        text = doc[0].strip() if doc else action.replace("_", " ")
    return text.format(key=getattr(viewset, "key", ""), plural=getattr(viewset, "plural", ""))


@extend_schema(exclude=True)
class CollectionRedirectView(APIView):
    """`/v2/<group>` answers a redirect to `/v2/<group>/`: 302 for GET, 307 for POST (the body is re-sent).

    As in the original, whose redirect routes sat behind its authentication like every protected path, the
    caller is authenticated first: no `Authorization` header is 401, an empty or invalid one 403, with the
    error handler's body. Only a collection that needs no token at all (`public`: types) redirects anyone.
    """

    view_name: str = None
    public: bool = False

    def get_authenticators(self):
        return [] if self.public else super().get_authenticators()

    def get_permissions(self):
        return [AllowAny()] if self.public else [IsAuthenticated()]

    def get(self, request, *args, **kwargs):
        return HttpResponseRedirect(reverse(self.view_name))

    def post(self, request, *args, **kwargs):
        response = HttpResponseRedirect(reverse(self.view_name))
        response.status_code = 307
        return response


@extend_schema(exclude=True)
class LinksView(APIView):
    """The links index of one resource group."""

    router: ContractRouter = None
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get(self, request, *args, **kwargs):
        return Response({"self": self_link(request), "endpoints": self.router.links()})
