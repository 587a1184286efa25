"""manage.py rebuild_summaries [username ...]: recompute the per-user log summaries from the logs."""

from django.core.management.base import BaseCommand

from logs.rebuild import rebuild_summaries


class Command(BaseCommand):
    help = ("Recompute the per-user daily, monthly, yearly and all-time log summaries from the logs "
            "(every user's, or only the named users').")

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="*", help="only these users (default: everyone)")

    def handle(self, *args, usernames, **options):
        rows = rebuild_summaries(usernames=usernames or None)
        self.stdout.write(self.style.SUCCESS(f"Rebuilt {rows} summary rows."))
