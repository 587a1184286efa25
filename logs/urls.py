from logs import views
from saintsxctf.foundation.api.routers import ContractRouter

logs = ContractRouter(group="log", path="logs")
logs.register(views.LogViewSet, basename="log")

log_feed = ContractRouter(group="log_feed", path="log_feed")
log_feed.register(views.LogFeedViewSet, basename="log")

range_view = ContractRouter(group="range_view", path="range_view")
range_view.register(views.RangeViewViewSet, basename="range")

types = ContractRouter(group="type", path="types")
types.register(views.ExerciseTypeViewSet, basename="type")

routers = [log_feed, logs, range_view, types]
