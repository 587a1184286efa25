from notifications import views
from saintsxctf.foundation.api.routers import ContractRouter

notifications = ContractRouter(group="notification", path="notifications")
notifications.register(views.NotificationViewSet, basename="notification")

routers = [notifications]
