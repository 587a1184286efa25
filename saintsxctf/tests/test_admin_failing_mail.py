"""A mail backend that always fails (the admin's invite must then create nothing and say so)."""

from django.core.mail.backends.base import BaseEmailBackend


class Backend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise OSError("the mail server is down")
