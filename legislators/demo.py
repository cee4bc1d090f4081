"""Demo legislators: the shipped Congress and ZIP data, Open States for the shipped
states, Safe Harbor records and the TVPA reauthorization bills. Safe to run again."""

from . import services


def seed(log) -> None:
    for name, run in (
        ("congress", services.import_congress),
        ("openstates", services.import_openstates),
        ("zip crosswalk", services.import_zip_crosswalk),
        ("safe harbor", services.import_safe_harbor),
        ("tvpa bills", services.import_tvpa_bills),
    ):
        summary = run()
        log(
            f"legislators: {name}: " + ", ".join(f"{k} {v}" for k, v in summary.items())
        )
