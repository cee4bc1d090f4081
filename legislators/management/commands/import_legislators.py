"""Import the shipped (or given) upstream data: Congress, Open States, ZIP crosswalk,
Safe Harbor. Safe to run again; a malformed file is named, with its record and field,
and nothing is changed."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from legislators import importers, services


class Command(BaseCommand):
    help = (
        "Import legislators, offices, the ZIP→district crosswalk, Safe Harbor records "
        "and the TVPA bills."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--only",
            choices=["congress", "openstates", "zips", "safe-harbor", "bills"],
            action="append",
            help="import only these parts (repeatable)",
        )
        parser.add_argument(
            "--congress-current", type=Path, default=importers.CONGRESS_CURRENT
        )
        parser.add_argument(
            "--congress-offices", type=Path, default=importers.CONGRESS_OFFICES
        )
        parser.add_argument(
            "--openstates-dir", type=Path, default=importers.OPENSTATES_DIR
        )
        parser.add_argument(
            "--states", help="comma-separated USPS codes (Open States only)"
        )
        parser.add_argument("--zccd", type=Path, default=importers.ZCCD_CSV)
        parser.add_argument(
            "--safe-harbor", type=Path, default=importers.SAFE_HARBOR_CSV
        )

    def handle(self, *args, only, **opts):
        parts = only or ["congress", "openstates", "zips", "safe-harbor", "bills"]
        try:
            for part in parts:
                if part == "congress":
                    summary = services.import_congress(
                        current_path=opts["congress_current"],
                        offices_path=opts["congress_offices"],
                    )
                elif part == "openstates":
                    states = [
                        s.strip()
                        for s in (opts["states"] or "").split(",")
                        if s.strip()
                    ]
                    summary = services.import_openstates(
                        root=opts["openstates_dir"], states=states or None
                    )
                elif part == "zips":
                    summary = services.import_zip_crosswalk(path=opts["zccd"])
                elif part == "safe-harbor":
                    summary = services.import_safe_harbor(path=opts["safe_harbor"])
                else:
                    summary = services.import_tvpa_bills()
                details = ", ".join(f"{k} {v}" for k, v in summary.items())
                self.stdout.write(f"{part}: {details}")
        except importers.DataFileError as exc:
            raise CommandError(f"{exc} (nothing was changed)") from None
