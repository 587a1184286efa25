from rest_framework.permissions import AllowAny

from logs.models import ExerciseType
from logs.serializers import ExerciseTypeSerializer
from saintsxctf.api.viewsets import ContractViewSet, ListMixin


class ExerciseTypeViewSet(ListMixin, ContractViewSet):
    """Exercise types (run, bike, swim, ...). No token needed."""

    key, plural = "type", "types"
    queryset = ExerciseType.objects.order_by("type")
    serializer_class = ExerciseTypeSerializer
    authentication_classes: list = []
    permission_classes = [AllowAny]
