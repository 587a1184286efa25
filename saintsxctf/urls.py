"""Root URL conf: the index, auth, one router per resource group under v2/, docs and the admin."""

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

import comments.urls
import groups.urls
import logs.urls
import notifications.urls
import teams.urls
import users.urls
from saintsxctf import views
from saintsxctf.foundation.api.errors import handler404 as handler404_view
from saintsxctf.foundation.auth.admin_login import admin_login

# Every resource group of /v2, in the order /v2/links lists them.
API_ROUTERS = [
    *users.urls.routers,
    *comments.urls.routers,
    *groups.urls.routers,
    *logs.urls.routers,
    *notifications.urls.routers,
    *teams.urls.routers,
]

urlpatterns = [
    path("", views.ApiRootView.as_view(), name="root"),
    path("versions", views.VersionsView.as_view(), name="versions"),
    path("v2", views.V2View.as_view(), name="v2"),
    path("v2/links", views.V2LinksView.as_view(routers=tuple(API_ROUTERS)), name="v2-links"),
    path("404", views.Error404View.as_view(), name="error-404"),
    path("500", views.Error500View.as_view(), name="error-500"),
    path("auth/", include("saintsxctf.foundation.auth.urls")),
    path("", include("functions.urls")),
    path("v2/schema", SpectacularAPIView.as_view(), name="schema"),
    path("v2/docs", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("v2/redoc", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("admin/login/", admin_login, name="admin-login"),  # the stock login, throttled
    path("admin", RedirectView.as_view(pattern_name="admin:index")),  # APPEND_SLASH is off (the contract's)
    path("admin/", admin.site.urls),
    *[path(f"v2/{router.path}", include((router.urls, router.namespace))) for router in API_ROUTERS],
    # Last: any other path answers the contract's 404 body, in DEBUG too (never Django's HTML page), whatever
    # the method: csrf_exempt, or an unsafe method would meet Django's HTML CSRF page first.
    re_path(r"^.*$", csrf_exempt(handler404_view)),
]

handler400 = "saintsxctf.foundation.api.errors.handler400"
handler403 = "saintsxctf.operations.admin_site.handler403"
handler404 = "saintsxctf.foundation.api.errors.handler404"
handler500 = "saintsxctf.foundation.api.errors.handler500"
