"""Letters to legislators: how each one can be reached, the letters a supporter sends,
and their delivery.

A letter takes one of four routes (``route_for``), decided before the supporter writes
and shown beside each target:
- ``email``: a state legislator with a public email address. A ``LetterDelivery`` job
  sends it through the one send path (``harbor.mail.send_batch``) from Harbor's address
  with Reply-To the supporter.
- ``cwc``: a member of Congress, when that chamber's Communicating with Congress
  endpoint is configured (``advocacy.cwc``). A ``LetterDelivery`` job POSTs the
  validated CWC XML.
- ``contact_form``: a member (or a state legislator without email) who has a contact
  form: the finish page shows the letter ready to copy, with the form's link.
- ``none``: nothing reaches them; the write page says so before the supporter writes,
  and a letter to them is recorded as ``no_route``, never silently dropped.

Every letter is an ``Outreach`` of kind letter with its attribution; its
``delivery_status`` goes pending → sent (email accepted by the ESP) or delivered (CWC
accepted it) or failed; copied_to_contact_form; no_route.
"""

import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from anymail.exceptions import AnymailError
from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from harbor import jobs
from harbor.mail import (
    Recipient,
    SendFailure,
    classify_send_error,
    describe_send_error,
    send_batch,
)
from legislators.models import Legislator
from supporters.services import upsert_supporter

from . import cwc
from .models import AdvocacyCampaign, LetterDelivery, LetterSender, Outreach
from .services import Place, Source, outreach_attribution

logger = logging.getLogger(__name__)


class Route(models.TextChoices):
    EMAIL = "email", _("By email to their office")
    CWC = "cwc", _("Delivered to their office through Communicating with Congress")
    CONTACT_FORM = "contact_form", _("Through their website's contact form")
    NONE = "none", _("No way to write to them is known")


def route_for(legislator: Legislator) -> Route:
    """How a letter reaches ``legislator`` here (see the module docstring). Members of
    Congress publish no email address: CWC when configured, else their contact form. A
    state legislator: their public email, else their contact form. No query."""
    if legislator.is_federal:
        if cwc.reaches(legislator):
            return Route.CWC
        if legislator.contact_form_url:
            return Route.CONTACT_FORM
        return Route.NONE
    if legislator.email:
        return Route.EMAIL
    if legislator.contact_form_url:
        return Route.CONTACT_FORM
    return Route.NONE


_METHOD = {
    Route.EMAIL: Outreach.Method.EMAIL,
    Route.CWC: Outreach.Method.CWC,
    Route.CONTACT_FORM: Outreach.Method.CONTACT_FORM,
    Route.NONE: "",
}
_FIRST_STATUS = {
    Route.EMAIL: Outreach.Delivery.PENDING,
    Route.CWC: Outreach.Delivery.PENDING,
    Route.CONTACT_FORM: Outreach.Delivery.COPIED,
    Route.NONE: Outreach.Delivery.NO_ROUTE,
}


@dataclass(frozen=True)
class Sender:
    """The supporter as they signed their letters."""

    email: str
    first_name: str
    last_name: str
    street_address: str
    city: str
    state: str
    zip_code: str
    prefix: str = ""


@dataclass(frozen=True)
class Draft:
    """One letter as the supporter left it, to one of their targets."""

    legislator: Legislator
    subject: str
    body: str


def send_letters(
    *,
    action: AdvocacyCampaign,
    session: uuid.UUID,
    sender: Sender,
    drafts: list[Draft],
    wants_email: bool = False,
    place: Place,
    source: Source,
    language: str = "",
) -> list[Outreach]:
    """Record one outreach per letter (unique per session and legislator), queue the
    email and CWC deliveries after commit, and return the outreaches in ``drafts``
    order.

    Safe to repeat: a replayed form (same ``session``) finds the letters already there
    and queues nothing again, so no letter is ever sent twice; two concurrent first
    submissions collide on the unique keys and the loser's transaction is run again,
    finding the winner's rows. The caller checks that every legislator is one of the
    supporter's targets for ``action``."""
    for attempt in range(3):
        try:
            return _send_once(
                action=action,
                session=session,
                sender=sender,
                drafts=drafts,
                wants_email=wants_email,
                place=place,
                source=source,
                language=language,
            )
        except IntegrityError:
            logger.info("letters session retry after conflict %d", attempt)
    raise RuntimeError("could not record the letters after three attempts")


@transaction.atomic
def _send_once(
    *, action, session, sender, drafts, wants_email, place, source, language
):
    profile = {
        "first_name": sender.first_name[:100],
        "last_name": sender.last_name[:100],
        "street_address": sender.street_address[:200],
        "city": sender.city[:100],
        "zip_code": sender.zip_code[:10],
    }
    if place.state:
        profile["state"] = place.state
    supporter, _created = upsert_supporter(
        email=sender.email,
        source=f"letter:{action.campaign.slug}"[:100],
        opt_in=wants_email,
        opt_in_method="letter_checkbox",
        congressional_district=place.congressional_district,
        **profile,
    )
    letter_sender, _new = LetterSender.objects.get_or_create(
        session=session,
        defaults={
            "supporter": supporter,
            "prefix": sender.prefix[:20],
            "first_name": sender.first_name[:100],
            "last_name": sender.last_name[:100],
            "street_address": sender.street_address[:200],
            "city": sender.city[:100],
            "state": sender.state[:2],
            "zip_code": sender.zip_code[:10],
            "email": supporter.email,
        },
    )
    attribution = outreach_attribution(action=action, place=place, source=source)
    outreaches = []
    for draft in drafts:
        route = route_for(draft.legislator)
        outreach, created = Outreach.objects.get_or_create(
            session=session,
            legislator=draft.legislator,
            kind=AdvocacyCampaign.Kind.LETTER,
            defaults={
                "advocacy_campaign": action,
                "supporter": supporter,
                "method": _METHOD[route],
                "delivery_status": _FIRST_STATUS[route],
                "subject": draft.subject[:200],
                "body": draft.body,
                "language": language[:10],
                **attribution,
            },
        )
        outreaches.append(outreach)
        if created and route in (Route.EMAIL, Route.CWC):
            delivery = LetterDelivery.objects.create(
                outreach=outreach,
                sender=letter_sender,
                method=LetterDelivery.Method(route.value),
                cwc_delivery_id=cwc.new_delivery_id() if route == Route.CWC else "",
            )
            jobs.enqueue_on_commit(LetterDelivery, delivery.pk)
        if created:
            logger.info(
                "letter action=%s legislator=%s route=%s",
                action.pk,
                draft.legislator.pk,
                route.value,
            )
    return outreaches


# --- delivery (the job) ---------------------------------------------------------------


def _retry_delay(attempt: int) -> timedelta:
    """Exponential backoff with jitter: about 30 s, 60 s, 2 min … capped at 30 min."""
    base = min(1800, 30 * 2 ** max(0, attempt - 1))
    return timedelta(seconds=base / 2 + secrets.randbelow(max(1, base // 2) + 1))


def _mark(outreach_id: int, status: str, *, error: str = "") -> None:
    values: dict = {"delivery_status": status, "error": error[:200]}
    if status in (Outreach.Delivery.SENT, Outreach.Delivery.DELIVERED):
        values["delivered_at"] = timezone.now()
    # Only a pending letter moves: a letter already settled is never reopened.
    Outreach.objects.filter(
        pk=outreach_id, delivery_status=Outreach.Delivery.PENDING
    ).update(**values)


def _failed(claim: jobs.Claim, row: LetterDelivery, *, error: str, transient: bool):
    """End this attempt; the letter fails for good only when its job does."""
    retry_in = _retry_delay(claim.attempt) if transient else None
    jobs.fail(claim, error=error, retry_in=retry_in)
    status = (
        LetterDelivery.objects.filter(pk=row.pk)
        .values_list("status", flat=True)
        .first()
    )
    if status == LetterDelivery.Status.FAILED:
        _mark(row.outreach_id, Outreach.Delivery.FAILED, error=error)
        return Outreach.Delivery.FAILED
    return Outreach.Delivery.PENDING


def _cwc_letter(row: LetterDelivery) -> cwc.CwcLetter:
    outreach = row.outreach
    sender = row.sender
    action = outreach.advocacy_campaign
    bill = action.target_bill
    ref = (
        cwc.bill_ref(
            jurisdiction=bill.jurisdiction,
            session=bill.session,
            identifier=bill.identifier,
        )
        if bill is not None
        else None
    )
    return cwc.CwcLetter(
        delivery_id=row.cwc_delivery_id,
        campaign_id=f"harbor-{action.campaign.slug}",
        member_office=cwc.office_code(outreach.legislator) or "",
        constituent=cwc.Constituent(
            prefix=sender.prefix or "Mx.",
            first_name=sender.first_name,
            last_name=sender.last_name,
            address1=sender.street_address,
            city=sender.city,
            state=sender.state,
            zip_code=sender.zip_code,
            email=sender.email,
        ),
        subject=outreach.subject,
        body=outreach.body,
        bills=(ref,) if ref else (),
        pro_or_con="pro" if ref else "",
        delivery_date=timezone.localdate(),
    )


def _deliver_cwc(claim: jobs.Claim, row: LetterDelivery) -> str:
    try:
        payload = cwc.render(_cwc_letter(row))
    except cwc.CwcInvalidMessage as exc:
        logger.error("letter %s is not a valid CWC message: %s", row.pk, exc.errors[:3])
        return _failed(
            claim, row, error="The letter is not a valid CWC message.", transient=False
        )
    office = cwc.office_code(row.outreach.legislator) or ""
    try:
        cwc.deliver(payload, member_office=office)
    except cwc.CwcDeliveryError as exc:
        status = _failed(claim, row, error=str(exc), transient=exc.transient)
        if exc.configuration:
            raise  # a bad key or a missing endpoint fails loudly
        return status
    jobs.finish(claim)
    _mark(row.outreach_id, Outreach.Delivery.DELIVERED)
    return Outreach.Delivery.DELIVERED


def _deliver_email(claim: jobs.Claim, row: LetterDelivery) -> str:
    outreach = row.outreach
    address = outreach.legislator.email
    if not address:
        return _failed(
            claim, row, error="The office has no email address.", transient=False
        )
    context = {
        "subject": outreach.subject,
        "body": outreach.body,
        "sender": row.sender,
        "legislator": outreach.legislator,
        "campaign": outreach.advocacy_campaign.campaign,
        "site_url": settings.SITE_URL,
    }
    try:
        statuses = send_batch(
            template="letter_to_legislator",
            recipients=[Recipient(email=address, send_id=f"letter-{row.pk}")],
            context=context,
            stream="transactional",
            language=outreach.language or None,
            reply_to=[row.sender.email],
        )
    except AnymailError as exc:
        kind = classify_send_error(exc)
        status = _failed(
            claim,
            row,
            error=describe_send_error(exc),
            transient=kind is SendFailure.TRANSIENT,
        )
        if kind is SendFailure.CONFIGURATION:
            raise
        return status
    answer = statuses.get(address)
    if answer is None:
        jobs.finish(claim, status=LetterDelivery.Status.SKIPPED)
        _mark(
            row.outreach_id,
            Outreach.Delivery.FAILED,
            error="The office's address does not take mail from Harbor.",
        )
        return Outreach.Delivery.FAILED
    if answer.status in ("rejected", "failed", "invalid"):
        jobs.finish(claim, message_id=(answer.message_id or "")[:200])
        _mark(
            row.outreach_id,
            Outreach.Delivery.FAILED,
            error=f"The email service refused it ({answer.status}).",
        )
        return Outreach.Delivery.FAILED
    jobs.finish(claim, message_id=(answer.message_id or "")[:200])
    _mark(row.outreach_id, Outreach.Delivery.SENT)
    return Outreach.Delivery.SENT


def deliver_letter(*, delivery_id: int) -> str:
    """Deliver one letter by its route and record the outcome on its outreach.

    Safe to repeat: the row is a job; a call that cannot claim it does nothing, so a
    redelivered task never sends twice (only a worker that dies between the send and
    the next commit can). Transient failures (network, 429, 5xx) go back to pending
    with backoff and the letter stays pending; a refusal (a 4xx, an invalid message, a
    rejected address) is recorded as failed and never retried; a configuration error
    (bad key) is recorded and raised. Returns the letter's delivery status, or
    "unclaimed"."""
    claim = jobs.claim(LetterDelivery, delivery_id)
    if claim is None:
        return "unclaimed"
    row = (
        LetterDelivery.objects.select_related(
            "sender",
            "outreach__legislator",
            "outreach__advocacy_campaign__campaign",
            "outreach__advocacy_campaign__target_bill",
        )
        .filter(pk=delivery_id)
        .first()
    )
    if row is None:
        logger.info("letter delivery %s is gone", delivery_id)
        return "unclaimed"
    if row.method == LetterDelivery.Method.CWC:
        return _deliver_cwc(claim, row)
    return _deliver_email(claim, row)


def settle_failed_letters() -> int:
    """Mark failed the letters still pending whose delivery job ended failed without
    saying so on the letter (the sweep fails a job whose workers died too often). Safe
    to repeat and to run beside workers: only pending letters of failed jobs move.
    Returns how many letters it marked."""
    return Outreach.objects.filter(
        kind=AdvocacyCampaign.Kind.LETTER,
        delivery_status=Outreach.Delivery.PENDING,
        letter_delivery__status=LetterDelivery.Status.FAILED,
    ).update(
        delivery_status=Outreach.Delivery.FAILED,
        error="The delivery stopped before finishing, too many times.",
    )
