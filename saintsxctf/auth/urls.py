from django.urls import path
from rest_framework_simplejwt.views import TokenRefreshView, TokenVerifyView

from saintsxctf.auth import views

app_name = "auth"
urlpatterns = [
    path("token", views.TokenView.as_view(), name="token"),
    path("authenticate", views.AuthenticateView.as_view(), name="authenticate"),
    path("logout", views.LogoutView.as_view(), name="logout"),
    path("token/pair", views.ThrottledTokenPairView.as_view(), name="token-pair"),
    path("token/refresh", TokenRefreshView.as_view(), name="token-refresh"),
    path("token/verify", TokenVerifyView.as_view(), name="token-verify"),
]
