from django.core.management.base import BaseCommand

from legislators import sync


class Command(BaseCommand):
    help = "Refresh tracked bills from Congress.gov and Open States (needs API keys)."

    def handle(self, *args, **opts):
        for name, run in (
            ("congress", sync.sync_federal_bills),
            ("openstates", sync.sync_state_bills),
        ):
            summary = run()
            if summary.get("disabled"):
                self.stdout.write(f"{name}: disabled (no API key set)")
            else:
                self.stdout.write(
                    f"{name}: synced {summary['synced']}, failed {summary['failed']}"
                )
                for error in summary["errors"]:
                    self.stderr.write(f"  {error}")
