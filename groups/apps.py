from django.apps import AppConfig


class GroupsConfig(AppConfig):
    label = "groups"
    verbose_name = "Groups"
    name = "groups"
    default_auto_field = "django.db.models.AutoField"

    def ready(self):
        from groups.models import Group, GroupMember
        from saintsxctf.foundation import aggregates

        # Group statistics, leaderboards, member lists and group feeds read groups and memberships.
        aggregates.watch(Group, GroupMember)
