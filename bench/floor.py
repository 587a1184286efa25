"""The floors the benchmark measures beside the API: what this machine serves with (almost) no work.

- `floor_json`: a trivial JSON view through the full middleware stack, no query.
- `floor_select`: the same plus one indexed SELECT (a user by its unique username).
- `floor_drf_jwt`: a DRF view behind the API's own JWT authentication and permission (the user lookup
  the token needs is its one query): the ceiling of any authenticated endpoint.
"""

from django.http import Http404, JsonResponse
from rest_framework.response import Response
from rest_framework.views import APIView

from users.models import User


def floor_json(request):
    return JsonResponse({"self": request.path, "floor": "json"})


def floor_select(request, username):
    row = User.objects.filter(username=username).values("username", "first", "last", "member_since").first()
    if row is None:
        raise Http404
    return JsonResponse({"self": request.path, "user": row})


class FloorDrfJwtView(APIView):
    """Who the token belongs to (benchmark floor)."""

    def get(self, request):
        user = request.user
        return Response({"self": request.path, "user": {"username": user.username, "first": user.first,
                                                        "last": user.last}})
