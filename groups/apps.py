from django.apps import AppConfig


class GroupsConfig(AppConfig):
    label = "groups"
    verbose_name = "Groups"
    name = "groups"
    default_auto_field = "django.db.models.AutoField"
