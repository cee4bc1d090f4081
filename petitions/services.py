"""Writes for petitions: sign, confirm, count, email the signer, organisation sign-ons. Plain functions; views, tasks, commands and the API all call these."""

import logging
import re
import secrets
from datetime import timedelta

from anymail.exceptions import AnymailError
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.services import record_audit
from harbor import jobs
from harbor.mail import (
    Recipient,
    SendFailure,
    classify_send_error,
    describe_send_error,
    send_batch,
)
from harbor.net import hash_ip
from legislators.selectors import districts_for_zip
from supporters.services import normalize_email, record_opt_in

from . import intake
from .models import (
    OrganisationSignOn,
    Petition,
    Signature,
    SignatureCountShard,
    SignatureEmail,
)
from .selectors import touch_petition_page

logger = logging.getLogger(__name__)

REFERRAL_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
# A signer's share code, or an alert's source code ("al-" and ten letters).
REFERRAL_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{3,15}$")
CONFIRM_SALT = "harbor.petitions.confirm"
THANKS_SALT = "harbor.petitions.thanks"


class PetitionClosedError(Exception):
    """The petition does not take signatures now."""


# --- tokens and small helpers ---------------------------------------------------------


def new_referral_code() -> str:
    return "".join(secrets.choice(REFERRAL_ALPHABET) for _ in range(10))


def clean_referral_code(value: str) -> str:
    """The code if it looks like one of ours, else ''."""
    value = (value or "").strip().lower()
    return value if REFERRAL_CODE.match(value) else ""


def make_confirm_token(signature_id: int) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(
        signing.b62_encode(signature_id)
    )


def signature_id_from_confirm_token(token: str) -> int | None:
    """The signature id of a valid, unexpired confirmation token, else None."""
    max_age = timedelta(days=settings.PETITIONS_CONFIRM_MAX_AGE_DAYS)
    try:
        value = signing.TimestampSigner(salt=CONFIRM_SALT).unsign(
            token, max_age=max_age
        )
        return signing.b62_decode(value)
    except (signing.BadSignature, ValueError):
        return None


def make_thanks_token(referral_code: str) -> str:
    """The signer's own thank-you link: their share code, signed (it names the intake
    row before the drain and the signature after, which keeps the code)."""
    return signing.Signer(salt=THANKS_SALT).sign(referral_code)


def referral_code_from_thanks_token(token: str) -> str | None:
    try:
        code = signing.Signer(salt=THANKS_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return code if REFERRAL_CODE.match(code) else None


# --- the counter ----------------------------------------------------------------------


def count_signature(*, petition_id: int) -> None:
    """Add one to a random shard of the petition's counter. Not idempotent: call it once
    per signature, in the transaction that makes the signature count."""
    intake.add_to_counter(petition_id=petition_id, n=1)


@transaction.atomic
def recount_signatures(*, petition_id: int) -> int:
    """Rebuild the counter from the confirmed signatures. Safe to repeat (run it when no
    one is signing, or accept that signatures counted meanwhile may be off by a few)."""
    total = Signature.objects.filter(
        petition_id=petition_id, confirmed_at__isnull=False
    ).count()
    SignatureCountShard.objects.filter(petition_id=petition_id).delete()
    SignatureCountShard.objects.create(petition_id=petition_id, shard=0, count=total)
    return total


# --- signing --------------------------------------------------------------------------


class SignOutcome:
    """What a sign request did. ``created``: this call recorded a new signature (an
    intake row, drained into a Signature by a worker moments later); ``referral_code``
    is then its share code. A repeat (``created`` False) carries nothing of the earlier
    signature a public page could show: anyone can type anyone's email."""

    def __init__(
        self,
        *,
        petition: Petition,
        created: bool,
        referral_code: str = "",
        intake_id: int | None = None,
        existing: Signature | None = None,
    ) -> None:
        self.petition = petition
        self.created = created
        self.referral_code = referral_code
        self.intake_id = intake_id
        self._existing = existing

    @property
    def needs_confirmation(self) -> bool:
        """Whether the signer must follow an emailed link: only ever said of a
        signature made by this call (never of an earlier signer's)."""
        return self.created and self.petition.requires_double_opt_in

    @property
    def signature(self) -> Signature | None:
        """The Signature, once drained (None while its intake row waits); for a repeat,
        the earlier signature (for server-side callers only, never a public page)."""
        if not self.created:
            return self._existing
        return Signature.objects.filter(referral_code=self.referral_code).first()


def _enqueue_email(email_id: int) -> None:
    # After commit; a broker outage must not turn a stored signature into an error page.
    # The row stays pending and the job sweep sends it later.
    jobs.enqueue_on_commit(SignatureEmail, email_id)


# A repeat signature while unconfirmed re-sends the confirmation at most this often.
CONFIRM_RESEND_AFTER = timedelta(minutes=10)


def _resend_confirmation(*, signature_id: int) -> bool:
    """Re-arm a sent confirmation email (the signer lost it and signed again), at most
    once per CONFIRM_RESEND_AFTER: the conditional UPDATE is both the idempotency guard
    and the rate limit. A suppressed, failed, pending or sending row is left alone."""
    rows = SignatureEmail.objects.filter(
        signature_id=signature_id,
        kind=SignatureEmail.Kind.CONFIRM,
        status=SignatureEmail.Status.DONE,
        finished_at__lt=timezone.now() - CONFIRM_RESEND_AFTER,
    )
    email_id = rows.values_list("pk", flat=True).first()
    if email_id is None or not rows.filter(pk=email_id).update(
        status=SignatureEmail.Status.PENDING,
        claim_token=None,
        attempts=0,
        next_attempt_at=None,
        finished_at=None,
    ):
        return False
    _enqueue_email(email_id)
    logger.info("re-sending confirmation signature=%s", signature_id)
    return True


def _queue_email(*, signature: Signature, kind: str) -> None:
    """Create the email row (at most one per kind) and enqueue its send after commit."""
    email, created = SignatureEmail.objects.get_or_create(
        signature=signature, kind=kind
    )
    if created:
        _enqueue_email(email.pk)


def location_from_zip(zip_code: str) -> dict[str, str]:
    """What a ZIP alone says for certain: the state, if the ZIP lies in one, and the
    congressional district, if it lies in one ("TX-37"). An in-memory lookup, no query."""
    districts = districts_for_zip(zip_code[:5]) if zip_code else []
    states = {d.state for d in districts}
    location = {}
    if len(states) == 1:
        location["state"] = states.pop()
    if len(districts) == 1:
        location["congressional_district"] = districts[0].code
    return location


def sign_petition(
    *,
    petition: Petition,
    email: str,
    first_name: str,
    last_name: str,
    zip_code: str,
    phone: str = "",
    comment: str = "",
    wants_email: bool = False,
    is_public: bool = False,
    referred_by_code: str = "",
    utm_source: str = "",
    utm_medium: str = "",
    utm_campaign: str = "",
    ip_address: str = "",
    language: str = "",
    channel: str = "page",
) -> SignOutcome:
    """Sign ``petition`` for the person with ``email``: one intake row (one statement),
    drained by a worker into the supporter, the signature, the counter and the
    thank-you or confirmation email (``petitions.intake``). The public counter counts
    the row at once.

    Safe to repeat and safe under concurrency: the unique (petition, email) intake key,
    and the unique (petition, supporter) signature key behind it, let one signature
    exist; a repeat returns ``created=False``, stores nothing, counts nothing, and
    re-sends an unconfirmed signature's confirmation at most every ten minutes.
    Raises PetitionClosedError when the petition does not take signatures, and
    ValidationError for an unusable email.
    """
    if not petition.is_open:
        raise PetitionClosedError(petition.pk)
    email = normalize_email(email)
    location = location_from_zip(zip_code)
    values = {
        "petition_id": petition.pk,
        "email": email,
        "first_name": first_name[:100],
        "last_name": last_name[:100],
        "zip_code": zip_code[:10],
        "phone": phone[:30],
        "comment": comment[:1000],
        "wants_email": bool(wants_email),
        "is_public": bool(is_public),
        "ip_hash": hash_ip(ip_address),
        "language": language[:10],
        "referred_by_code": clean_referral_code(referred_by_code)[:16],
        "utm_source": utm_source[:100],
        "utm_medium": utm_medium[:100],
        "utm_campaign": utm_campaign[:100],
        "channel": channel[:20],
        "state": location.get("state", ""),
        "congressional_district": location.get("congressional_district", ""),
    }
    code = ""
    for attempt in range(3):
        code = values["referral_code"] = new_referral_code()
        try:
            intake_id = intake.write_intake(values=values)
            break
        except IntegrityError:
            # 31^10 codes: a code drawn twice is rare; nothing was written.
            logger.info("sign petition=%s referral code retry %d", petition.pk, attempt)
    else:
        raise RuntimeError("could not record the signature after three attempts")
    if intake_id is None:
        existing = (
            Signature.objects.filter(petition=petition, supporter__email=email)
            .only("pk", "confirmed_at", "petition_id", "supporter_id")
            .first()
        )
        if existing is not None and existing.confirmed_at is None:
            _resend_confirmation(signature_id=existing.pk)
        return SignOutcome(petition=petition, created=False, existing=existing)
    intake.request_drain()
    logger.info("signed petition=%s intake=%s", petition.pk, intake_id)
    return SignOutcome(
        petition=petition,
        created=True,
        referral_code=code,
        intake_id=intake_id,
    )


@transaction.atomic
def confirm_signature(*, signature_id: int) -> bool:
    """Confirm a double opt-in signature: it counts from now, consent given on the form is
    recorded and the thank-you email is queued. Safe to repeat: only the first call changes
    anything; returns whether this call confirmed it."""
    now = timezone.now()
    if not Signature.objects.filter(pk=signature_id, confirmed_at__isnull=True).update(
        confirmed_at=now
    ):
        return False
    signature = Signature.objects.select_related("petition", "supporter").get(
        pk=signature_id
    )
    count_signature(petition_id=signature.petition_id)
    if signature.is_public:
        transaction.on_commit(
            lambda: touch_petition_page(petition_id=signature.petition_id)
        )
    if signature.wants_email:
        record_opt_in(
            supporter=signature.supporter,
            source=f"petition:{signature.petition.slug}"[:100],
            method="double_opt_in",
        )
    _queue_email(signature=signature, kind=SignatureEmail.Kind.THANK_YOU)
    logger.info("confirmed signature=%s", signature_id)
    return True


# --- the signer's emails --------------------------------------------------------------


def _email_context(row: SignatureEmail) -> dict:
    signature = row.signature
    petition = signature.petition
    share_path = reverse("petitions:detail", kwargs={"slug": petition.slug})
    context = {
        "petition": petition,
        "first_name": signature.supporter.first_name,
        "share_url": f"{settings.SITE_URL}{share_path}?ref={signature.referral_code}",
        "petition_url": f"{settings.SITE_URL}{share_path}",
        "site_url": settings.SITE_URL,
    }
    if row.kind == SignatureEmail.Kind.CONFIRM:
        path = reverse(
            "petitions:confirm",
            kwargs={"slug": petition.slug, "token": make_confirm_token(signature.pk)},
        )
        lang = signature.language or petition.language
        # The confirmation page opens in the language the signer signed in.
        query = f"?lang={lang}" if lang and lang != settings.LANGUAGE_CODE else ""
        context["confirm_url"] = f"{settings.SITE_URL}{path}{query}"
        context["confirm_days"] = settings.PETITIONS_CONFIRM_MAX_AGE_DAYS
    return context


def send_signature_email(*, email_id: int) -> str:
    """Send one thank-you or confirmation email and record anymail's answer on its row.

    Safe to repeat: the row is a job (harbor.jobs); a call claims it and does nothing if
    it cannot, so a redelivered task never sends twice, and the result is recorded only
    under this call's claim. A claim whose worker died is taken over once stale (the
    sweep), so only a worker that dies between the ESP call and the next commit can
    cause a second send. A transient failure (harbor.mail.classify_send_error) puts the
    row back to pending with backoff; a permanent one is recorded, never retried; a
    configuration error (bad API key) is recorded and raised. Returns the new status, or
    "unclaimed".
    """
    claim = jobs.claim(SignatureEmail, email_id)
    if claim is None:
        return "unclaimed"
    row = (
        SignatureEmail.objects.select_related(
            "signature__petition__campaign", "signature__supporter"
        )
        .filter(pk=email_id)
        .first()
    )
    if row is None:
        logger.info("signature email %s is gone", email_id)
        return "unclaimed"
    signature = row.signature
    address = signature.supporter.email
    template = (
        "petition_confirm"
        if row.kind == SignatureEmail.Kind.CONFIRM
        else "petition_thank_you"
    )
    try:
        statuses = send_batch(
            template=template,
            recipients=[Recipient(email=address, send_id=f"petition-email-{row.pk}")],
            context=_email_context(row),
            stream="transactional",
            language=signature.language or signature.petition.language,
        )
    except AnymailError as exc:
        kind = classify_send_error(exc)
        error = describe_send_error(exc)
        if kind is SendFailure.TRANSIENT:
            logger.warning("transient failure sending signature email %s", email_id)
            jobs.fail(claim, error=error, retry_in=_retry_delay(claim.attempt))
            return SignatureEmail.Status.PENDING
        jobs.fail(claim, error=error)
        logger.error("permanent failure sending signature email %s", email_id)
        if kind is SendFailure.CONFIGURATION:
            raise  # a bad API key fails loudly
        return SignatureEmail.Status.FAILED
    status = statuses.get(address)
    if status is None:
        jobs.finish(claim, status=SignatureEmail.Status.SKIPPED)
        return SignatureEmail.Status.SKIPPED
    jobs.finish(
        claim,
        message_id=(status.message_id or "")[:200],
        esp_status=(status.status or "")[:30],
    )
    return SignatureEmail.Status.DONE


_retry_delay = jobs.backoff


# --- organisations ----------------------------------------------------------------


def create_sign_on(
    *,
    petition: Petition,
    name: str,
    kind: str,
    contact_name: str,
    contact_email: str,
    city: str = "",
    state: str = "",
    website: str = "",
    logo: bytes = b"",
    logo_content_type: str = "",
) -> tuple[OrganisationSignOn, bool]:
    """Record an organisation's sign-on, pending staff review. Safe to repeat: the same
    organisation name and contact email on one petition is one sign-on. Returns (sign-on,
    created)."""
    if not petition.is_open:
        raise PetitionClosedError(petition.pk)
    try:
        with transaction.atomic():
            return OrganisationSignOn.objects.get_or_create(
                petition=petition,
                contact_email=normalize_email(contact_email),
                name=name.strip()[:200],
                defaults={
                    "kind": kind,
                    "contact_name": contact_name.strip()[:200],
                    "city": city.strip()[:100],
                    "state": state,
                    "website": website,
                    "logo": logo,
                    "logo_content_type": logo_content_type if logo else "",
                },
            )
    except IntegrityError:
        return (
            OrganisationSignOn.objects.get(
                petition=petition,
                contact_email=normalize_email(contact_email),
                name=name.strip()[:200],
            ),
            False,
        )


def review_sign_ons(
    *, sign_on_ids: list[int], approve: bool, user, request=None
) -> int:
    """Approve or reject pending sign-ons; audited. Safe to repeat: decided ones are left
    alone (and a repeat records an event for nothing)."""
    status = (
        OrganisationSignOn.Status.APPROVED
        if approve
        else OrganisationSignOn.Status.REJECTED
    )
    pending = OrganisationSignOn.objects.filter(
        pk__in=sign_on_ids, status=OrganisationSignOn.Status.PENDING
    )
    decided = list(pending.values_list("pk", flat=True))
    petition_ids = set(pending.values_list("petition_id", flat=True))
    count = pending.update(status=status, reviewed_at=timezone.now(), reviewed_by=user)
    for petition_id in petition_ids:
        touch_petition_page(petition_id=petition_id)
    if count:
        record_audit(
            actor=user,
            action=AuditEvent.Action.SIGN_ON_REVIEWED,
            changes={"decision": status, "sign_ons": decided},
            request=request,
        )
    return count
