from django.core.management.base import BaseCommand, CommandError

from saintsxctf.operations.demo import BATCH, MAX_GROUPS, seed_demo


class Command(BaseCommand):
    help = ("Load demo data (a team, groups with coaches and pending members, runners with years of logs, comments, "
            "notifications and flair). Deterministic for a seed; rerunning finishes an interrupted run and "
            "otherwise changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=12, help="number of runners (default 12)")
        parser.add_argument("--groups", type=int, default=4, help=f"number of groups (default 4, at most {MAX_GROUPS})")
        parser.add_argument("--logs", type=int, default=None, help="number of logs (default 40 per runner)")
        parser.add_argument("--weeks", type=int, default=156, help="weeks of history (default 156, three years)")
        parser.add_argument("--seed", type=int, default=2017, help="random seed (same seed and scale, same data)")
        parser.add_argument("--batch-size", type=int, default=BATCH, help=f"logs per transaction (default {BATCH})")
        parser.add_argument("--teams", type=int, default=1,
                            help="teams (default 1, everyone on the demo team; more: the demo team holds half of the "
                                 "runners and the rest are spread over small clubs, the legacy data's shape)")

    def handle(self, *args, users, groups, logs, weeks, seed, batch_size, teams, **options):
        if min(users, groups, weeks, batch_size, teams) < 1 or (logs is not None and logs < 0):
            raise CommandError("--users, --groups, --weeks, --batch-size and --teams must be at least 1; --logs at "
                               "least 0")
        if groups > MAX_GROUPS:
            raise CommandError(f"--groups can be at most {MAX_GROUPS}")
        report = seed_demo(users=users, groups=groups, logs=logs, weeks=weeks, seed=seed, batch_size=batch_size, teams=teams,
                           out=self.stdout if options["verbosity"] > 0 else None)
        self.stdout.write(self.style.SUCCESS(report.summary()))
