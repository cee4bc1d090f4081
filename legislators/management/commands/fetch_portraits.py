"""Copy legislators' portraits into media storage (only from allowed URL prefixes)."""

from django.core.management.base import BaseCommand

from legislators import portraits


class Command(BaseCommand):
    help = (
        "Download the portraits of current legislators into media storage, from the "
        "URL prefixes LEGISLATORS_PORTRAIT_URL_PREFIXES allows."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="fetch again even when unchanged"
        )

    def handle(self, *args, force, **opts):
        summary = portraits.fetch_portraits(force=force)
        self.stdout.write(
            "portraits: " + ", ".join(f"{k} {v}" for k, v in summary.items())
        )
