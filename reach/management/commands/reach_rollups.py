"""Recompute the reach dashboard's rollups: the recent days, or all of them after an
exactness check (``--full``); ``--check`` only compares them with plain counts."""

from django.core.management.base import BaseCommand

from reach import rollups


class Command(BaseCommand):
    help = "Recompute the reach dashboard's rollups (recent days, or --full)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Rebuild everything.")
        parser.add_argument(
            "--check", action="store_true", help="Only compare with plain counts."
        )

    def handle(self, *args, full=False, check=False, **options):
        if check:
            mismatches = rollups.check_exact()
            self.stdout.write(str(mismatches) if mismatches else "exact")
            return
        run = rollups.rebuild() if full else rollups.refresh_recent()
        if run.mismatches:
            self.stdout.write(f"corrected: {run.mismatches}")
        self.stdout.write(f"done in {(run.finished_at - run.started_at)}")
