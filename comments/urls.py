from comments import views
from saintsxctf.foundation.api.routers import ContractRouter

comments = ContractRouter(group="comment", path="comments")
comments.register(views.CommentViewSet, basename="comment")

routers = [comments]
