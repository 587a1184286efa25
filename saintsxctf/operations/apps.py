from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class OperationsConfig(AppConfig):
    default = True  # this module also holds the admin's config below
    name = "saintsxctf.operations"
    verbose_name = "SaintsXCTF operations"


class SaintsAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the project's site (saintsxctf/operations/admin_site.py)."""

    default = False
    default_site = "saintsxctf.operations.admin_site.CoachAdminSite"
