"""Writes for petitions: sign, confirm, count, email the signer, organisation sign-ons. Plain functions; views, tasks, commands and the API all call these."""

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from anymail.exceptions import AnymailError
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.services import record_audit
from campaigns.services import attribution_fields
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
from supporters.services import normalize_email, record_opt_in, upsert_supporter

from .models import (
    OrganisationSignOn,
    Petition,
    Signature,
    SignatureCountShard,
    SignatureEmail,
)

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


def make_thanks_token(signature_id: int) -> str:
    return signing.Signer(salt=THANKS_SALT).sign(signing.b62_encode(signature_id))


def signature_id_from_thanks_token(token: str) -> int | None:
    try:
        return signing.b62_decode(signing.Signer(salt=THANKS_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


# --- the counter ----------------------------------------------------------------------


def count_signature(*, petition_id: int) -> None:
    """Add one to a random shard of the petition's counter. Not idempotent: call it once
    per signature, in the transaction that makes the signature count."""
    shard = secrets.randbelow(max(1, settings.PETITIONS_COUNTER_SHARDS))
    rows = SignatureCountShard.objects.filter(petition_id=petition_id, shard=shard)
    if rows.update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            SignatureCountShard.objects.create(
                petition_id=petition_id, shard=shard, count=1
            )
    except IntegrityError:
        # Another signer created this shard first.
        rows.update(count=F("count") + 1)


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


@dataclass(frozen=True)
class SignOutcome:
    signature: Signature
    created: bool

    @property
    def needs_confirmation(self) -> bool:
        return self.signature.confirmed_at is None


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


def _queue_email(*, signature: Signature, kind: str, is_new: bool = False) -> None:
    """Create the email row and enqueue its send after commit. ``is_new``: the signature
    was created in this transaction, so no row can exist yet (one query, not two)."""
    if is_new:
        email = SignatureEmail.objects.create(signature=signature, kind=kind)
    else:
        email, created = SignatureEmail.objects.get_or_create(
            signature=signature, kind=kind
        )
        if not created:
            return
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
    """Sign ``petition`` for the person with ``email``: upsert the supporter, insert the
    signature, count it (unless double opt-in holds it) and queue the thank-you or the
    confirmation email after commit.

    Safe to repeat and safe under concurrency: the unique (petition, supporter) key lets one
    signature exist; a repeat returns it with ``created=False``, counts nothing and sends
    nothing (upsert_supporter may still fill in profile fields the repeat supplied). Two
    concurrent first signatures of one email collide on that key: the loser's whole
    transaction is rolled back and run again, and then finds the winner's signature.
    Raises PetitionClosedError when the petition does not take signatures.
    """
    if not petition.is_open:
        raise PetitionClosedError(petition.pk)
    double_opt_in = petition.requires_double_opt_in
    location = location_from_zip(zip_code)
    signature_values = {
        "comment": comment[:1000],
        "is_public": is_public,
        "wants_email": wants_email,
        "ip_hash": hash_ip(ip_address),
        "language": language[:10],
        **attribution_fields(
            campaign=petition.campaign,
            state=location.get("state", ""),
            congressional_district=location.get("congressional_district", ""),
            referred_by_code=clean_referral_code(referred_by_code),
            utm_source=utm_source,
            utm_medium=utm_medium,
            utm_campaign=utm_campaign,
            channel=channel,
        ),
    }
    profile = {
        "first_name": first_name[:100],
        "last_name": last_name[:100],
        "zip_code": zip_code,
        "phone": phone,
        **location,
    }
    for attempt in range(3):
        try:
            return _sign_once(
                petition=petition,
                email=email,
                wants_email=wants_email,
                double_opt_in=double_opt_in,
                profile=profile,
                signature_values=signature_values,
            )
        except IntegrityError:
            # A concurrent first signature of the same email, or (31^10 codes: rare) a
            # referral code drawn twice. Nothing of this attempt was kept.
            logger.info(
                "sign petition=%s retry after conflict %d", petition.pk, attempt
            )
    raise RuntimeError("could not record the signature after three attempts")


@transaction.atomic
def _sign_once(
    *,
    petition: Petition,
    email: str,
    wants_email: bool,
    double_opt_in: bool,
    profile: dict[str, str],
    signature_values: dict,
) -> SignOutcome:
    """One attempt of sign_petition, in one transaction with no savepoints: an
    IntegrityError aborts the attempt whole and sign_petition runs it again."""
    supporter, supporter_created = upsert_supporter(
        email=email,
        source=f"petition:{petition.slug}"[:100],
        opt_in=wants_email and not double_opt_in,
        opt_in_method="petition_checkbox",
        **profile,
    )
    if not supporter_created:
        # A supporter created in this transaction cannot have signed yet.
        existing = Signature.objects.filter(
            petition=petition, supporter=supporter
        ).first()
        if existing is not None:
            if existing.confirmed_at is None:
                _resend_confirmation(signature_id=existing.pk)
            return SignOutcome(signature=existing, created=False)
    signature = Signature.objects.create(
        petition=petition,
        supporter=supporter,
        referral_code=new_referral_code(),
        confirmed_at=None if double_opt_in else timezone.now(),
        **signature_values,
    )
    if double_opt_in:
        _queue_email(signature=signature, kind=SignatureEmail.Kind.CONFIRM, is_new=True)
    else:
        count_signature(petition_id=petition.pk)
        _queue_email(
            signature=signature, kind=SignatureEmail.Kind.THANK_YOU, is_new=True
        )
    logger.info("signed petition=%s signature=%s", petition.pk, signature.pk)
    return SignOutcome(signature=signature, created=True)


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
    count = pending.update(status=status, reviewed_at=timezone.now(), reviewed_by=user)
    if count:
        record_audit(
            actor=user,
            action=AuditEvent.Action.SIGN_ON_REVIEWED,
            changes={"decision": status, "sign_ons": decided},
            request=request,
        )
    return count
