from groups import views
from saintsxctf.foundation.api.routers import ContractRouter

groups = ContractRouter(group="group", path="groups")
groups.register(views.GroupViewSet, basename="group")

routers = [groups]
