from saintsxctf.api.viewsets import ContractViewSet, RetrieveMixin
from users.models import User
from users.serializers import UserSerializer


class UserViewSet(RetrieveMixin, ContractViewSet):
    """Runners and coaches."""

    key, plural = "user", "users"
    queryset = User.objects.order_by("username")
    serializer_class = UserSerializer
    lookup_field = "username"
    lookup_url_kwarg = "username"
    messages = {"retrieve.not_found": "there is no user with this username"}
