#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saintsxctf.settings")
    # Commands do batch work (seeding a million logs, importing, rebuilding summaries) whose single statements
    # may run longer than a web request's database read/write limit: give them 10 minutes unless set.
    if len(sys.argv) > 1 and sys.argv[1] != "runserver":
        os.environ.setdefault("DB_READ_TIMEOUT", "600")
        os.environ.setdefault("DB_WRITE_TIMEOUT", "600")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
