from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "users"
    default_auto_field = "django.db.models.AutoField"

    def ready(self):
        from saintsxctf.foundation import aggregates
        from users.models import User

        # Statistics, member lists and the all feed's authors read users (a sign-in's last_login and a password
        # change are read by none).
        aggregates.watch(User, ignoring={"last_login", "password"})
