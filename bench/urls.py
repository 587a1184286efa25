"""The benchmark server's URL conf: the floor views, then the API's own URL conf unchanged."""

from django.urls import include, path

from bench import floor

urlpatterns = [
    path("bench/floor/json", floor.floor_json, name="bench-floor-json"),
    path("bench/floor/select/<str:username>", floor.floor_select, name="bench-floor-select"),
    path("bench/floor/drf", floor.FloorDrfJwtView.as_view(), name="bench-floor-drf"),
    path("", include("saintsxctf.urls")),
]

handler400 = "saintsxctf.foundation.api.errors.handler400"
handler403 = "saintsxctf.operations.admin_site.handler403"
handler404 = "saintsxctf.foundation.api.errors.handler404"
handler500 = "saintsxctf.foundation.api.errors.handler500"
