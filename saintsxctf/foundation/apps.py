from django.apps import AppConfig


class SaintsxctfConfig(AppConfig):
    """The ground wing as an installed app. Its label stays `saintsxctf` (the label its tables, migrations and
    content types were created under), so moving the code here changed nothing in the database."""

    name = "saintsxctf.foundation"
    label = "saintsxctf"
    verbose_name = "SaintsXCTF"
