from django.apps import AppConfig


class LogsConfig(AppConfig):
    name = "logs"
    default_auto_field = "django.db.models.AutoField"

    def ready(self):
        from logs import models, summaries
        from saintsxctf.foundation import aggregates

        # The log write hooks call the summary engine through `Log.summaries` (logs/summaries.py says why).
        models.Log.summaries = summaries
        # Every aggregate that reads logs reads their summaries, written only by the engine, which announces each
        # write once (per-row signals would make each delete of summary rows read them first).
        aggregates.watch(models.LogSummary, logs_only=True, per_row=False)
