from django.core.management.base import BaseCommand

from saintsxctf.foundation.mail import deliver_due, run_worker


class Command(BaseCommand):
    help = ("The mail worker: send the queued mail (saintsxctf/foundation/mail.py) with retries, until stopped "
            "(SIGTERM/SIGINT finish the message in flight). Run one or more beside the API.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one pass over the due mail, then exit")
        parser.add_argument("--poll", type=float, default=1.0, help="seconds between looks at an empty queue")

    def handle(self, *args, once, poll, **options):
        if once:
            result = deliver_due(limit=10_000)
            self.stdout.write(f"sent {result.sent}, failed {result.failed} (gave up {result.given_up})")
            return
        self.stdout.write(f"Mail worker started (polling every {poll:g} s)")
        run_worker(poll=poll)
        self.stdout.write("Mail worker stopped")
