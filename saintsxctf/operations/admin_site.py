"""The admin site of the project: branded for SaintsXCTF, "View site" opens the web app, and a coach's first page
is their coach dashboard (groups/dashboard.py reads it, groups/admin_dashboard.py shows it).

Installed through `saintsxctf.operations.apps.SaintsAdminConfig` (Django's documented way to replace the default site), so
every `@admin.register` lands here.
"""

from django.conf import settings
from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import reverse

from saintsxctf.foundation.api import errors


class CoachAdminSite(admin.AdminSite):
    site_header = "SaintsXCTF coaching"
    site_title = "SaintsXCTF coaching"
    index_title = "Team administration"
    index_template = "admin/saintsxctf_index.html"

    @property
    def site_url(self):
        return settings.WEB_APP_URL

    def get_urls(self):
        from groups.admin_dashboard import dashboard_urls

        return dashboard_urls(self) + super().get_urls()

    def index(self, request, extra_context=None):
        """A coach lands on their dashboard; a superuser on the model index (with a link to the dashboard)."""
        from groups.admin_dashboard import dashboard_view, is_coach

        if not request.user.is_superuser and is_coach(request):
            return dashboard_view(self, request)
        return super().index(request, extra_context)


def admin_forbidden(request) -> TemplateResponse:
    """The admin's own page for a 403 (the API's JSON body is for API clients, not for a coach's browser)."""
    from django.contrib.admin import site

    context = {**site.each_context(request), "title": "Not available to you"}
    return TemplateResponse(request, "admin/coach_forbidden.html", context, status=403)


def handler403(request, exception=None):
    """The URL conf's handler403: pages of the admin site get the admin's own HTML page (a coach's browser should
    never show a raw JSON error), everything else the API's 403 body."""
    if request.path.startswith(reverse("admin:index")):
        return admin_forbidden(request).render()
    return errors.handler403(request, exception)
