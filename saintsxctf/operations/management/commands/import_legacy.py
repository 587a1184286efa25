from django.core.management.base import BaseCommand, CommandError

from saintsxctf.foundation.audit import audit_context
from saintsxctf.operations.legacy.importer import BATCH_SIZE, LegacyImporter


class Command(BaseCommand):
    help = ("Copy a legacy SaintsXCTF MySQL database into this one, keeping ids, usernames and password hashes. "
            "Idempotent and resumable: rerunning it adds only what is missing. Exits non-zero when the row "
            "counts differ.")

    def add_arguments(self, parser):
        parser.add_argument("source", help="legacy database URL, e.g. mysql://root:secret@127.0.0.1:3306/saintsxctf")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help=f"rows per batch (default {BATCH_SIZE})")
        parser.add_argument("--stream", action="store_true",
                            help="read rows in batches even when the legacy database is on our own MariaDB server "
                                 "(by default such a database is copied in SQL, INSERT ... SELECT)")

    def handle(self, *args, source, batch_size, stream, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        with audit_context(actor="import_legacy", app="manage.py"):
            try:
                report = LegacyImporter(source, out=self.stdout, batch_size=batch_size,
                                        verbosity=options["verbosity"], set_based=False if stream else None).run()
            except ValueError as exc:
                raise CommandError(str(exc))
        self.stdout.write(report.summary())
        if not report.counts_match:
            raise CommandError("Row counts differ between the legacy database and this one.")
        self.stdout.write(self.style.SUCCESS("Import complete."))
