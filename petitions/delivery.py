"""The delivery PDF: what staff hand to a petition's target (totals, signers,
comments)."""

import logging

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.services import record_audit
from harbor import jobs
from harbor.states import STATES

from . import selectors
from .models import DeliveryReport, Petition, Signature
from .pdf import BASE, UnicodePdf

logger = logging.getLogger(__name__)

# A delivery lists every signer up to this many (about 2,000 pages) and counts them all.
MAX_LISTED_SIGNERS = 100_000
MAX_LISTED_COMMENTS = 2000


ROW_HEIGHT = 5.0  # mm, at 9 pt
SIGNER_COLUMNS = (("Name", 56.0), ("City", 41.0), ("State", 15.0), ("ZIP", 18.0),
                  ("Signed", 25.0))  # fmt: skip
TOTAL_COLUMNS = (("", 89.0), ("Signatures", 38.0))


def _table_header(pdf: UnicodePdf, columns) -> None:
    pdf.set_font(BASE, style="B", size=9)
    for label, width in columns:
        pdf.text_cell(width, ROW_HEIGHT + 1, label, border="B")
    pdf.ln()
    pdf.set_font(BASE, size=9)


def _table_row(pdf: UnicodePdf, columns, values) -> None:
    if pdf.will_page_break(ROW_HEIGHT):
        pdf.add_page()
        _table_header(pdf, columns)
    for (_, width), value in zip(columns, values, strict=True):
        pdf.text_cell(width, ROW_HEIGHT, value)
    pdf.ln()


def _heading(pdf: UnicodePdf, text: str, size: float = 13) -> None:
    pdf.set_font(BASE, style="B", size=size)
    pdf.paragraph(text, height=size * 0.5)
    pdf.set_font(BASE, size=10)


def _totals(pdf: UnicodePdf, title: str, first_column: str, rows) -> None:
    pdf.ln(4)
    _heading(pdf, title)
    columns = ((first_column, TOTAL_COLUMNS[0][1]), TOTAL_COLUMNS[1])
    _table_header(pdf, columns)
    for label, count in rows:
        _table_row(pdf, columns, (label, f"{count:,}"))


def render_delivery_pdf(
    *, petition: Petition, signatures: QuerySet[Signature], pending: int = 0
) -> bytes:
    """Render the delivery report for ``signatures`` (already scoped by the caller).

    Names, cities, comments and the petition's text come out in whatever script they
    were typed (``petitions.pdf``), the text with its lists, headings and paragraphs.
    Memory grows with the pages (about 20 KB each), not with rows held: signers are
    read from the database in chunks and drawn as they come."""
    totals = selectors.delivery_totals(signatures)
    pdf = UnicodePdf(title=petition.title, footer_text=petition.title)
    pdf.add_page()
    _heading(pdf, petition.title, size=18)
    pdf.set_font(BASE, style="B", size=12)
    pdf.paragraph(f"To: {petition.target}")
    pdf.set_font(BASE, size=10)
    pdf.paragraph(
        f"{totals['total']:,} signatures as of {timezone.localtime():%B %d, %Y}."
    )
    if pending:
        # Signatures still in the intake are not listed: they have no signer record yet.
        pdf.paragraph(
            f"{pending:,} more signatures were still being recorded and are not "
            "included."
        )
    if petition.text:
        pdf.ln(2)
        pdf.markdown(petition.text)
    _totals(
        pdf,
        "Signatures by state",
        "State",
        [
            (STATES.get(code, code) if code else "Not given", n)
            for code, n in totals["by_state"]
        ],
    )
    if totals["by_district"]:
        _totals(
            pdf,
            "Signatures by congressional district",
            "District",
            totals["by_district"],
        )
    pdf.add_page()
    _heading(pdf, "Signers")
    _table_header(pdf, SIGNER_COLUMNS)
    comments: list[tuple[str, str, str, str]] = []
    for sig in signatures.order_by("created_at", "pk")[:MAX_LISTED_SIGNERS].iterator(
        chunk_size=2000
    ):
        s = sig.supporter
        _table_row(
            pdf,
            SIGNER_COLUMNS,
            (
                s.full_name,
                s.city,
                s.state,
                s.zip_code[:5],
                f"{timezone.localtime(sig.created_at):%Y-%m-%d}",
            ),
        )
        if sig.comment and len(comments) < MAX_LISTED_COMMENTS:
            comments.append((s.first_name, s.city, s.state, sig.comment))
    if totals["total"] > MAX_LISTED_SIGNERS:
        pdf.ln(2)
        pdf.paragraph(f"… and {totals['total'] - MAX_LISTED_SIGNERS:,} more.")
    if comments:
        pdf.add_page()
        _heading(pdf, "Comments from signers")
        for first_name, city, state, comment in comments:
            where = ", ".join(part for part in (city, state) if part)
            pdf.paragraph(f"“{comment}” — {first_name}{', ' + where if where else ''}")
    return bytes(pdf.output())


def request_delivery_report(
    *, petition: Petition, user, request=None
) -> DeliveryReport:
    """Create a report for ``user`` (it will list the signers they may see), audit the
    request and queue its rendering after commit. Not idempotent: each call is a new
    report."""
    report = DeliveryReport.objects.create(petition=petition, requested_by=user)
    record_audit(
        actor=user,
        action=AuditEvent.Action.DELIVERY_REQUESTED,
        obj=petition,
        changes={"report": report.pk},
        request=request,
    )
    jobs.enqueue_on_commit(DeliveryReport, report.pk)
    return report


def render_delivery_report(*, report_id: int) -> DeliveryReport | None:
    """Render a claimed report and store its PDF. Safe to repeat: only a pending report
    (or one whose worker died, once its claim is stale) is claimed, by one caller, and
    the PDF is stored only while the claim is still this worker's. Returns the report,
    or None if it could not be claimed or the claim was lost."""
    claim = jobs.claim(DeliveryReport, report_id)
    if claim is None:
        logger.info("delivery report=%s not claimable", report_id)
        return None
    report = DeliveryReport.objects.select_related("petition").get(pk=report_id)
    user = report.requested_by or get_user_model()(is_active=False)
    signatures = selectors.signatures_visible_to(
        user, petition=report.petition, confirmed_only=True
    )
    pending = selectors.pending_signature_count(petition_id=report.petition_id)
    try:
        pdf = render_delivery_pdf(
            petition=report.petition, signatures=signatures, pending=pending
        )
    except Exception as exc:
        # Recorded for the staff page, then raised for the worker's log.
        jobs.fail(claim, error=type(exc).__name__)
        raise
    if not jobs.finish(
        claim, pdf=pdf, signature_count=signatures.count(), pending_count=pending
    ):
        return None
    logger.info("delivery report=%s done bytes=%d", report_id, len(pdf))
    return DeliveryReport.objects.get(pk=report_id)
