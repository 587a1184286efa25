from saintsxctf.foundation.api.routers import ContractRouter
from users import views

users = ContractRouter(group="user", path="users")
users.register(views.UserViewSet, basename="user")

flair = ContractRouter(group="flair", path="flair")
flair.register(views.FlairViewSet, basename="flair")

activation_code = ContractRouter(group="activation_code", path="activation_code")
activation_code.register(views.ActivationCodeViewSet, basename="activation_code")

forgot_password = ContractRouter(group="forgot_password", path="forgot_password")
forgot_password.register(views.ForgotPasswordViewSet, basename="forgot_password")

routers = [activation_code, flair, forgot_password, users]
