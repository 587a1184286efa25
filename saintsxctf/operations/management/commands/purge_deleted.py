from django.core.management.base import BaseCommand, CommandError

from saintsxctf.operations.maintenance import PURGE_BATCH, purge_deleted


class Command(BaseCommand):
    help = ("Permanently remove rows soft-deleted more than --older-than DAYS ago (with the rows that depend on "
            "them), in batches. --dry-run reports the counts and changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, required=True, metavar="DAYS",
                            help="retention: purge rows soft-deleted more than DAYS days ago")
        parser.add_argument("--dry-run", action="store_true", help="report what would be removed; remove nothing")
        parser.add_argument("--batch-size", type=int, default=PURGE_BATCH, help=f"rows per batch (default {PURGE_BATCH})")

    def handle(self, *args, older_than, dry_run, batch_size, **options):
        if older_than < 0 or batch_size < 1:
            raise CommandError("--older-than must be 0 or more and --batch-size at least 1")
        report = purge_deleted(older_than_days=older_than, dry_run=dry_run, batch_size=batch_size,
                               out=self.stdout if options["verbosity"] > 1 else None)
        self.stdout.write(self.style.SUCCESS(report.summary("purge")))
