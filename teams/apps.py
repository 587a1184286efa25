from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "teams"
    default_auto_field = "django.db.models.AutoField"

    def ready(self):
        from saintsxctf.foundation import aggregates
        from teams.models import Team, TeamGroup, TeamMember

        # The all feed's authors (teammates) and the snapshot's groups read teams and their members and groups.
        aggregates.watch(Team, TeamGroup, TeamMember)
