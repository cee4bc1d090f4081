"""Petitions' part of a supporter's export and erasure, and of the retention policy
(registered with ``supporters.privacy`` in ``PetitionsConfig.ready()``)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet

from supporters.models import Supporter
from supporters.privacy import orphans, render_again

from .models import (
    DeliveryReport,
    OrganisationSignOn,
    Signature,
    SignatureEmail,
    SignatureIntake,
)

ATTRIBUTION = ("referred_by_code", "utm_source", "utm_medium", "utm_campaign",
               "channel", "state", "congressional_district")  # fmt: skip


def export_signatures(supporter: Supporter) -> list[dict]:
    return [
        {
            "petition": sig.petition.title,
            "petition_slug": sig.petition.slug,
            "signed_at": sig.created_at,
            "confirmed_at": sig.confirmed_at,
            "comment": sig.comment,
            "show_name_publicly": sig.is_public,
            "wants_email": sig.wants_email,
            "language": sig.language,
            "share_code": sig.referral_code,
            **{field: getattr(sig, field) for field in ATTRIBUTION},
        }
        for sig in supporter.signatures.select_related("petition").order_by("pk")
    ]


def export_sign_ons(supporter: Supporter) -> list[dict]:
    """Organisation sign-ons whose contact is this person (by address)."""
    return list(
        OrganisationSignOn.objects.filter(contact_email=supporter.email)
        .order_by("pk")
        .values(
            "petition__title",
            "name",
            "kind",
            "city",
            "state",
            "contact_name",
            "contact_email",
            "status",
            "created_at",
        )
    )


def erase_signatures(supporter: Supporter) -> int:
    """The signatures stay (counted, attributed), without the typed comment, the IP
    hash or the consent to be listed publicly; an unconfirmed one (never counted) is
    deleted, so no confirmation link can count it later; a thank-you not sent yet is
    skipped; stored delivery PDFs of those petitions are rendered again."""
    signatures = Signature.objects.filter(supporter_id=supporter.pk)
    petition_ids = list(signatures.values_list("petition_id", flat=True))
    signatures.filter(confirmed_at__isnull=True).delete()
    SignatureEmail.objects.filter(
        signature__supporter_id=supporter.pk,
        status__in=[SignatureEmail.Status.PENDING, SignatureEmail.Status.RUNNING],
    ).update(status=SignatureEmail.Status.SKIPPED, claim_token=None)
    changed = signatures.update(
        comment="", ip_hash="", is_public=False, public_name="", public_city=""
    )
    render_again(
        DeliveryReport.objects.filter(petition_id__in=petition_ids).exclude(
            status=DeliveryReport.Status.FAILED
        )
    )
    return changed


def erase_sign_ons(supporter: Supporter) -> int:
    """The organisation's sign-on stays; its contact person's name and address go."""
    return OrganisationSignOn.objects.filter(contact_email=supporter.email).update(
        contact_name="", contact_email=""
    )


def signed_since(since: datetime | None) -> QuerySet:
    rows = Signature.objects.all()
    if since is not None:
        rows = rows.filter(Q(created_at__gte=since) | Q(confirmed_at__gte=since))
    return rows.values("supporter_id")


def delete_unconfirmed(now: datetime) -> int:
    """Double opt-in signatures unconfirmed after HARBOR_RETENTION_UNCONFIRMED_DAYS are
    deleted (never counted: the counters stay exact), with the supporters they alone
    created. Returns the signatures deleted."""
    days = settings.HARBOR_RETENTION_UNCONFIRMED_DAYS
    if days <= 0:
        return 0
    stale = Signature.objects.filter(
        confirmed_at__isnull=True, created_at__lt=now - timedelta(days=days)
    )
    supporter_ids = list(stale.values_list("supporter_id", flat=True))
    deleted = stale.delete()[1].get(Signature._meta.label, 0)
    # Only supporters a petition form created (an imported one is the staff's record).
    orphans(supporter_ids).filter(source__startswith="petition:").delete()
    return deleted


def export_intake(supporter: Supporter) -> list[dict]:
    """Signatures typed with the person's address and not written yet (waiting for the
    drain, or set aside with a reason)."""
    return list(
        SignatureIntake.objects.filter(email=supporter.email).values(
            "petition_id",
            "first_name",
            "last_name",
            "zip_code",
            "phone",
            "comment",
            "is_public",
            "status",
            "error",
            "created_at",
        )
    )


def erase_intake(supporter: Supporter) -> int:
    """What the person typed and no drain wrote yet is deleted: a signature waiting in
    the intake or set aside never becomes one after the erasure."""
    return SignatureIntake.objects.filter(email=supporter.email).delete()[0]


def delete_old_set_aside(now: datetime) -> int:
    """Intake rows set aside (never signatures) are kept as long as unconfirmed
    signatures, for staff to see why, then deleted."""
    days = settings.HARBOR_RETENTION_UNCONFIRMED_DAYS
    if days <= 0:
        return 0
    return SignatureIntake.objects.filter(
        status=SignatureIntake.Status.SET_ASIDE,
        created_at__lt=now - timedelta(days=days),
    ).delete()[0]
