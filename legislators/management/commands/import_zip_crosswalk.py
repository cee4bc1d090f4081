"""Load one Congress's ZIP→district crosswalk (the zccd.csv format) beside the others."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from legislators import importers, services
from legislators.models import SHIPPED_CONGRESS, congress_start


class Command(BaseCommand):
    help = (
        "Import a ZIP→congressional district crosswalk for one Congress "
        "(state_fips,state_abbr,zcta,cd). Other Congresses' crosswalks are kept; the "
        "lookup uses the one in force (HARBOR_CONGRESS_SWITCHES)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--congress", type=int, default=SHIPPED_CONGRESS)
        parser.add_argument("--path", type=Path, default=importers.ZCCD_CSV)

    def handle(self, *args, congress, path, **opts):
        if not 1 <= congress <= 999:
            raise CommandError(f"{congress} is not a Congress number")
        if not path.is_file():
            raise CommandError(f"{path} is not a file (nothing was changed)")
        try:
            summary = services.import_zip_crosswalk(path=path, congress=congress)
        except (importers.DataFileError, UnicodeDecodeError) as exc:
            raise CommandError(f"{exc} (nothing was changed)") from None
        details = ", ".join(f"{k} {v}" for k, v in summary.items())
        self.stdout.write(
            f"congress {congress} (in force from {congress_start(congress)}): {details}"
        )
