"""The delivery packet as documents: a PDF (through ``petitions.pdf``, so every script a
constituent may type is drawn and shaped) and a CSV. Names and city only: never an
email, a phone number or a street address."""

import csv
import io

from django.utils import timezone

from legislators.models import Legislator

# The delivery PDF's table pieces, so both documents look alike.
from petitions.delivery import _heading
from petitions.delivery import _table_header as _header
from petitions.delivery import _table_row as _row
from petitions.pdf import UnicodePdf
from supporters.importing import _safe_cell

from .selectors import LegislatorPacket

SUMMARY_COLUMNS = (("Legislator", 66.0), ("Seat", 22.0), ("Constituents", 28.0),
                   ("Signed", 18.0), ("Called", 18.0), ("Wrote", 18.0))  # fmt: skip
PEOPLE_COLUMNS = (("Name", 70.0), ("City", 50.0), ("Signed", 18.0),
                  ("Called", 18.0), ("Wrote", 18.0))  # fmt: skip
CSV_HEADER = ["legislator", "legislator_id", "seat", "name", "city", "signed",
              "called", "wrote"]  # fmt: skip


def _source_id(legislator: Legislator) -> str:
    return legislator.bioguide_id or legislator.openstates_id or ""


def _yes(flag: bool) -> str:
    return "yes" if flag else ""


def render_packet_pdf(*, title: str, packets: list[LegislatorPacket]) -> bytes:
    """A summary page, then one section per legislator with their constituents who
    acted. The legislator's name and the constituents' names and cities are drawn in
    whatever script they are written in."""
    pdf = UnicodePdf(title=title, footer_text=title)
    pdf.add_page()
    _heading(pdf, title, size=18)
    pdf.paragraph(
        f"Delivery packet of {timezone.localtime():%B %d, %Y}: for each legislator, "
        "their own constituents (by the state and district they gave) who signed, "
        "called and wrote."
    )
    pdf.ln(2)
    if not packets:
        pdf.paragraph(
            "No targeted legislator has a constituent among the actions: signatures, "
            "calls and letters count here only with the state and district the "
            "supporter gave."
        )
    else:
        _header(pdf, SUMMARY_COLUMNS)
    for packet in packets:
        leg = packet.legislator
        _row(
            pdf,
            SUMMARY_COLUMNS,
            (
                leg.title_and_name,
                leg.seat_label,
                f"{packet.constituent_count:,}",
                f"{packet.signatures:,}",
                f"{packet.calls:,}",
                f"{packet.letters:,}",
            ),
        )
    for packet in packets:
        leg = packet.legislator
        pdf.add_page()
        _heading(
            pdf, f"To: {leg.title_and_name} ({leg.party_initial}-{leg.seat_label})"
        )
        pdf.paragraph(
            f"{packet.constituent_count:,} constituents acted: "
            f"{packet.signatures:,} signed, {packet.calls:,} called, "
            f"{packet.letters:,} wrote."
        )
        if packet.unnamed:
            pdf.paragraph(
                f"{packet.unnamed:,} of them called or wrote without giving a name."
            )
        listed = packet.listed
        if listed:
            pdf.ln(2)
            _header(pdf, PEOPLE_COLUMNS)
            for person in listed:
                _row(
                    pdf,
                    PEOPLE_COLUMNS,
                    (
                        person.name,
                        person.city,
                        _yes(person.signed),
                        _yes(person.called),
                        _yes(person.wrote),
                    ),
                )
    return bytes(pdf.output())


def render_packet_csv(packets: list[LegislatorPacket]) -> bytes:
    """One row per (legislator, named constituent), formula-safe, UTF-8 with a byte
    order mark (so spreadsheets read every script)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for packet in packets:
        leg = packet.legislator
        for person in packet.listed:
            writer.writerow(
                [
                    _safe_cell(value)
                    for value in (
                        leg.name,
                        _source_id(leg),
                        leg.seat_label,
                        person.name,
                        person.city,
                        _yes(person.signed),
                        _yes(person.called),
                        _yes(person.wrote),
                    )
                ]
            )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
