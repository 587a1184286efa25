from django.urls import path
from django.views.decorators.cache import never_cache
from rest_framework_simplejwt.views import TokenRefreshView, TokenVerifyView

from saintsxctf.foundation.auth import views

app_name = "auth"
# never_cache: every answer here may carry a token or say whether one is valid, so no browser, proxy or CDN may
# keep it (`Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private`).
urlpatterns = [
    path("token", never_cache(views.TokenView.as_view()), name="token"),
    path("authenticate", never_cache(views.AuthenticateView.as_view()), name="authenticate"),
    path("logout", never_cache(views.LogoutView.as_view()), name="logout"),
    path("token/pair", never_cache(views.ThrottledTokenPairView.as_view()), name="token-pair"),
    path("token/refresh", never_cache(TokenRefreshView.as_view()), name="token-refresh"),
    path("token/verify", never_cache(TokenVerifyView.as_view()), name="token-verify"),
]
