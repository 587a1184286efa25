from django.apps import AppConfig


class SaintsxctfConfig(AppConfig):
    name = "saintsxctf"
    verbose_name = "SaintsXCTF"
