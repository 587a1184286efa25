from django.apps import AppConfig


class LogsConfig(AppConfig):
    name = "logs"
    default_auto_field = "django.db.models.AutoField"

    def ready(self):
        # The log write hooks call the summary engine through `Log.summaries` (logs/summaries.py says why).
        from logs import models, summaries

        models.Log.summaries = summaries
