"""Refresh legislators from the configured upstream URLs, then copy new portraits."""

from django.core.management.base import BaseCommand, CommandError

from legislators import portraits, refresh


class Command(BaseCommand):
    help = (
        "Refresh members of Congress (congress-legislators) and state legislators "
        "(Open States people) from LEGISLATORS_CONGRESS_*_URL and "
        "LEGISLATORS_OPENSTATES_ARCHIVE_URL, validated before anything is replaced; "
        "then fetch portraits (LEGISLATORS_PORTRAIT_URL_PREFIXES)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-portraits", action="store_true", help="do not fetch portraits"
        )

    def handle(self, *args, no_portraits, **opts):
        failed = False
        for name, run in (
            ("congress", refresh.refresh_congress),
            ("openstates", refresh.refresh_openstates),
        ):
            result = run()
            if result is None:
                self.stdout.write(f"{name}: not configured (no upstream URL set)")
            elif result["ok"]:
                details = ", ".join(f"{k} {v}" for k, v in result.items() if k != "ok")
                self.stdout.write(f"{name}: {details}")
            else:
                failed = True
                self.stderr.write(
                    f"{name}: refused, nothing changed: {result['error']}"
                )
        if not no_portraits:
            summary = portraits.fetch_portraits()
            self.stdout.write(
                "portraits: " + ", ".join(f"{k} {v}" for k, v in summary.items())
            )
        if failed:
            raise CommandError("some upstream data was refused (see above)")
