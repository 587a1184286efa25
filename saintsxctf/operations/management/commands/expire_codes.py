from django.core.management.base import BaseCommand

from saintsxctf.foundation.audit import audit_context
from saintsxctf.operations.maintenance import expire_codes


class Command(BaseCommand):
    help = ("Soft-delete activation codes and forgot-password codes past their expiry (purge_deleted removes them "
            "later). --dry-run reports the counts and changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="report what would expire; change nothing")

    def handle(self, *args, dry_run, **options):
        with audit_context(actor="expire_codes", app="manage.py"):
            report = expire_codes(dry_run=dry_run)
        self.stdout.write(self.style.SUCCESS(report.summary("expire")))
