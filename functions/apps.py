from django.apps import AppConfig


class FunctionsConfig(AppConfig):
    """The original's saints-xctf-functions, served by the API: /fn (emails, upload URLs), /s3, /uasset."""

    name = "functions"
    verbose_name = "Functions"
