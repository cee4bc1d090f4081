"""The delivery PDF: what staff hand to a petition's target (totals, signers,
comments)."""

import logging
from io import BytesIO
from xml.sax.saxutils import escape

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import (
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from accounts.models import AuditEvent
from accounts.services import record_audit
from harbor import jobs
from harbor.states import STATES

from . import selectors
from .models import DeliveryReport, Petition, Signature

logger = logging.getLogger(__name__)

# A delivery lists every signer up to this many (about 2,000 pages) and counts them all.
MAX_LISTED_SIGNERS = 100_000
# Signers go in tables of this many rows: reportlab splits one huge table slowly.
TABLE_CHUNK = 500
MAX_LISTED_COMMENTS = 2000


def _p(text: str, style) -> Paragraph:
    # Paragraph reads a small markup language: signer text is escaped, never
    # interpreted.
    return Paragraph(escape(str(text or "")), style)


def _table(rows: list[list], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
            ]
        )
    )
    return table


def render_delivery_pdf(
    *, petition: Petition, signatures: QuerySet[Signature]
) -> bytes:
    """Render the delivery report for ``signatures`` (already scoped by the caller)."""
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    small = styles["BodyText"].clone("small", fontSize=9, leading=11)
    totals = selectors.delivery_totals(signatures)
    story = [
        _p(petition.title, styles["Title"]),
        _p(f"To: {petition.target}", styles["Heading2"]),
        _p(
            f"{totals['total']:,} signatures as of {timezone.localtime():%B %d, %Y}.",
            body,
        ),
        Spacer(1, 0.2 * inch),
    ]
    if petition.text:
        for para in petition.text.split("\n\n"):
            story.append(_p(para.replace("*", "").replace("#", "").strip(), body))
    story += [Spacer(1, 0.2 * inch), _p("Signatures by state", styles["Heading2"])]
    state_rows = [["State", "Signatures"]] + [
        [STATES.get(code, code) if code else "Not given", f"{n:,}"]
        for code, n in totals["by_state"]
    ]
    story.append(_table(state_rows, [3.5 * inch, 1.5 * inch]))
    if totals["by_district"]:
        story += [
            Spacer(1, 0.2 * inch),
            _p("Signatures by congressional district", styles["Heading2"]),
        ]
        story.append(
            _table(
                [["District", "Signatures"]]
                + [[d, f"{n:,}"] for d, n in totals["by_district"]],
                [3.5 * inch, 1.5 * inch],
            )
        )
    story += [PageBreak(), _p("Signers", styles["Heading2"])]
    header = ["Name", "City", "State", "ZIP", "Signed"]
    widths = [2.2 * inch, 1.6 * inch, 0.6 * inch, 0.7 * inch, 1.0 * inch]
    rows: list[list] = []
    comments: list[tuple[str, str, str, str]] = []
    for sig in signatures.order_by("created_at", "pk")[:MAX_LISTED_SIGNERS].iterator(
        chunk_size=2000
    ):
        s = sig.supporter
        rows.append(
            [
                _p(s.full_name, small),
                _p(s.city, small),
                s.state,
                s.zip_code[:5],
                f"{timezone.localtime(sig.created_at):%Y-%m-%d}",
            ]
        )
        if len(rows) == TABLE_CHUNK:
            story.append(_table([header, *rows], widths))
            rows = []
        if sig.comment and len(comments) < MAX_LISTED_COMMENTS:
            comments.append((s.first_name, s.city, s.state, sig.comment))
    if rows or not isinstance(story[-1], Table):
        story.append(_table([header, *rows], widths))
    if totals["total"] > MAX_LISTED_SIGNERS:
        story.append(_p(f"… and {totals['total'] - MAX_LISTED_SIGNERS:,} more.", body))
    if comments:
        story += [PageBreak(), _p("Comments from signers", styles["Heading2"])]
        for first_name, city, state, comment in comments:
            where = ", ".join(part for part in (city, state) if part)
            story.append(
                _p(f"“{comment}” — {first_name}{', ' + where if where else ''}", body)
            )
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=LETTER, title=petition.title, author="Harbor",
        leftMargin=0.75 * inch, rightMargin=0.75 * inch,
    )  # fmt: skip
    doc.build(story)
    return buffer.getvalue()


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
    try:
        pdf = render_delivery_pdf(petition=report.petition, signatures=signatures)
    except Exception as exc:
        # Recorded for the staff page, then raised for the worker's log.
        jobs.fail(claim, error=type(exc).__name__)
        raise
    if not jobs.finish(claim, pdf=pdf, signature_count=signatures.count()):
        return None
    logger.info("delivery report=%s done bytes=%d", report_id, len(pdf))
    return DeliveryReport.objects.get(pk=report_id)
