"""A URL conf for test_deploy: the real one plus a plain Django view (outside DRF) that crashes."""

from django.urls import path

from saintsxctf.urls import urlpatterns as real_urlpatterns


def crash(request):
    raise RuntimeError("secret internals: /etc/passwd")


urlpatterns = [path("crash", crash), *real_urlpatterns]

handler400 = "saintsxctf.foundation.api.errors.handler400"
handler403 = "saintsxctf.operations.admin_site.handler403"
handler404 = "saintsxctf.foundation.api.errors.handler404"
handler500 = "saintsxctf.foundation.api.errors.handler500"
