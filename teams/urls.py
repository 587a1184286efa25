from saintsxctf.foundation.api.routers import ContractRouter
from teams import views

teams = ContractRouter(group="team", path="teams")
teams.register(views.TeamViewSet, basename="team")

routers = [teams]
