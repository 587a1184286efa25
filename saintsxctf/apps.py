from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class SaintsxctfConfig(AppConfig):
    default = True  # this module also holds the admin's config below
    name = "saintsxctf"
    verbose_name = "SaintsXCTF"


class SaintsAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the project's site (saintsxctf/admin_site.py)."""

    default = False
    default_site = "saintsxctf.admin_site.CoachAdminSite"
