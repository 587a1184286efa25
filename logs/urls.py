from logs import views
from saintsxctf.api.routers import ContractRouter

logs = ContractRouter(group="log", path="logs")

log_feed = ContractRouter(group="log_feed", path="log_feed")

range_view = ContractRouter(group="range_view", path="range_view")

types = ContractRouter(group="type", path="types")
types.register(views.ExerciseTypeViewSet, basename="type")

routers = [log_feed, logs, range_view, types]
