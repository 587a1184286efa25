from django.core.management.base import BaseCommand

from saintsxctf.demo import seed_demo


class Command(BaseCommand):
    help = "Load demo data (a team, groups, a coach and runners with logs). Rerunning it changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=12, help="number of runners (default 12)")
        parser.add_argument("--groups", type=int, default=4, help="number of groups (default 4, at most 12)")
        parser.add_argument("--logs", type=int, default=None, help="number of logs (default ~5 a week a runner)")
        parser.add_argument("--weeks", type=int, default=6, help="weeks of history (default 6)")
        parser.add_argument("--seed", type=int, default=2017, help="random seed (same seed, same data)")

    def handle(self, *args, users, groups, logs, weeks, seed, **options):
        report = seed_demo(users=users, groups=groups, logs=logs, weeks=weeks, seed=seed,
                           out=self.stdout if options["verbosity"] > 0 else None)
        self.stdout.write(self.style.SUCCESS(report.summary()))
