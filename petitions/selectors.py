"""Reads of petitions: counts, recent signers, sign-ons, and staff views of signatures
(always scoped through the visibility selector)."""

import hashlib
import logging
import time
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from accounts.selectors import visible_to
from campaigns.models import Campaign
from supporters.selectors import rows_of_visible_supporters

from .models import (
    DeliveryReport,
    OrganisationSignOn,
    Petition,
    Signature,
    SignatureCountShard,
    SignatureIntake,
)

logger = logging.getLogger(__name__)


def _count_key(petition_id: int) -> str:
    return f"harbor:petitions:count:{petition_id}"


def signature_count(*, petition_id: int, fresh: bool = False) -> int:
    """The public count of a petition: the sum of its counter shards (confirmed, drained
    signatures) plus its intake rows still waiting for the drain (on a petition without
    double opt-in, where each will count), read in one statement so a row drained
    meanwhile is counted once.

    Public pages read it through a cache of PETITIONS_COUNT_CACHE_SECONDS, shared by all
    processes; ``fresh`` reads the database and leaves the cache alone: a signer's own
    page must show their signature counted, and writing the cache on every such view
    would be a write per signer (a row with the database cache)."""
    key = _count_key(petition_id)
    ttl = settings.PETITIONS_COUNT_CACHE_SECONDS
    if not fresh and ttl > 0:
        cached = cache.get(key)
        if cached is not None:
            return cached
    total = public_counts(petition_ids=[petition_id]).get(petition_id, 0)
    if ttl > 0 and not fresh:
        cache.set(key, total, ttl)
    return total


def public_counts(*, petition_ids: list[int]) -> dict[int, int]:
    """Shards plus pending intake rows (where they will count) for several petitions,
    in one statement (one snapshot)."""
    shards = (
        SignatureCountShard.objects.filter(petition_id=OuterRef("pk"))
        .order_by()
        .values("petition_id")
        .annotate(total=Sum("count"))
        .values("total")
    )
    pending = (
        SignatureIntake.objects.filter(
            petition_id=OuterRef("pk"), status=SignatureIntake.Status.PENDING
        )
        .order_by()
        .values("petition_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = (
        Petition.objects.filter(pk__in=petition_ids)
        .order_by()
        .annotate(
            shards=Coalesce(Subquery(shards), 0),
            pending=Coalesce(Subquery(pending), 0),
        )
        .values_list("pk", "shards", "pending", "requires_double_opt_in")
    )
    return {
        pk: int(shard_total) + (0 if double_opt_in else int(waiting))
        for pk, shard_total, waiting, double_opt_in in rows
    }


def counted_signatures(*, petition_id: int) -> int:
    """Drained, counted signatures only (the counter's shards): what staff pages,
    exports and the delivery PDF speak of."""
    return (
        SignatureCountShard.objects.filter(petition_id=petition_id).aggregate(
            total=Sum("count")
        )["total"]
        or 0
    )


def pending_signature_count(*, petition_id: int) -> int:
    """Signatures of the petition still waiting in the intake (not yet in exports, the
    signature list or the delivery PDF)."""
    return SignatureIntake.objects.filter(
        petition_id=petition_id, status=SignatureIntake.Status.PENDING
    ).count()


def progress_percent(*, count: int, goal: int) -> int:
    """Percent of the goal for the progress bar; at least 1 once anyone has signed."""
    if not goal:
        return 100
    return min(100, max(1 if count else 0, round(100 * count / goal)))


def _page_version_key(petition_id: int) -> str:
    return f"harbor:petitions:page-version:{petition_id}"


def petition_page_version(*, petition_id: int) -> str:
    """The version of a petition page's cached fragments (recent signers, sign-ons):
    part of every fragment's key, so ``touch_petition_page`` invalidates them all at
    once, in every process. The petition's own edits change its ``updated_at``, which
    is in the keys too."""
    return str(cache.get(_page_version_key(petition_id)) or 0)


def touch_petition_page(*, petition_id: int) -> None:
    """Invalidate the petition page's cached fragments (a public signature counted, a
    sign-on approved). Safe to repeat; a cache outage only delays the change by
    PETITIONS_PAGE_CACHE_SECONDS."""
    try:
        cache.set(_page_version_key(petition_id), time.time_ns(), None)
    except Exception:  # noqa: BLE001 - a cache outage must not fail the write
        logger.warning("could not invalidate the page of petition %s", petition_id)


def recent_public_signers(*, petition_id: int, limit: int = 8) -> list[dict]:
    """The latest confirmed signers who agreed to be listed, by the name (and city)
    typed on that very signature, never the supporter record's: anyone can type anyone's
    email. Nothing about unconfirmed signatures. Cached with the counter."""
    key = f"harbor:petitions:recent:{petition_id}"
    ttl = settings.PETITIONS_COUNT_CACHE_SECONDS
    if ttl > 0:
        cached = cache.get(key)
        if cached is not None:
            return cached
    rows = list(
        Signature.objects.filter(
            petition_id=petition_id, is_public=True, confirmed_at__isnull=False
        )
        .exclude(public_name="")
        .order_by("-created_at")
        .values("public_name", "public_city", "created_at")[:limit]
    )
    signers = [
        {
            "first_name": row["public_name"],
            "city": row["public_city"],
            "created_at": row["created_at"],
        }
        for row in rows
    ]
    if ttl > 0:
        cache.set(key, signers, ttl)
    return signers


@dataclass(frozen=True)
class Signer:
    """A signer's own signature as their thank-you page sees it (drained or not)."""

    referral_code: str
    needs_confirmation: bool


def signer_by_referral_code(*, petition: Petition, code: str | None) -> Signer | None:
    """The signature of ``petition`` with share code ``code``: drained (a Signature) or
    still in the intake; None if neither. At most two indexed reads."""
    if not code:
        return None
    drained = (
        Signature.objects.filter(petition=petition, referral_code=code)
        .values_list("confirmed_at")
        .first()
    )
    if drained is not None:
        return Signer(referral_code=code, needs_confirmation=drained[0] is None)
    if SignatureIntake.objects.filter(
        petition=petition, referral_code=code, status=SignatureIntake.Status.PENDING
    ).exists():
        return Signer(
            referral_code=code, needs_confirmation=petition.requires_double_opt_in
        )
    return None


def public_petition(*, slug: str, cached: bool = False) -> Petition | None:
    """The open or closed petition with ``slug``, with its campaign.

    ``cached`` reads it through the shared cache (PETITIONS_COUNT_CACHE_SECONDS), which
    spares the sign path a query on a viral day; an edit by staff shows within seconds."""
    ttl = settings.PETITIONS_COUNT_CACHE_SECONDS if cached else 0
    key = f"harbor:petitions:petition:{slug}"
    if ttl > 0:
        petition = cache.get(key)
        if petition is not None:
            return petition
    petition = (
        Petition.objects.public().select_related("campaign").filter(slug=slug).first()
    )
    if ttl > 0 and petition is not None:
        cache.set(key, petition, ttl)
    return petition


def approved_sign_ons(*, petition_id: int) -> QuerySet[OrganisationSignOn]:
    return OrganisationSignOn.objects.filter(
        petition_id=petition_id, status=OrganisationSignOn.Status.APPROVED
    ).defer("logo")


def campaign_petitions(*, campaign: Campaign) -> list[dict]:
    """The campaign's public petitions, open first, each with its (cached) count."""
    return petitions_for_campaigns(campaign_ids=[campaign.pk]).get(campaign.pk, [])


def petitions_for_campaigns(*, campaign_ids: list[int]) -> dict[int, list[dict]]:
    """Public petitions of several campaigns with their counts, in one petitions query,
    one cache read and (for counts not cached) one aggregate query: a list page costs
    the same for one campaign or twelve."""
    petitions = list(
        Petition.objects.filter(campaign_id__in=campaign_ids)
        .public()
        .order_by("status", "-created_at")
    )
    counts = signature_counts(petition_ids=[p.pk for p in petitions])
    result: dict[int, list[dict]] = {}
    for petition in petitions:
        count = counts.get(petition.pk, 0)
        result.setdefault(petition.campaign_id, []).append(
            {
                "petition": petition,
                "count": count,
                "percent": progress_percent(count=count, goal=petition.goal),
            }
        )
    return result


def signature_counts(*, petition_ids: list[int]) -> dict[int, int]:
    """signature_count for several petitions at once: one cache entry for the whole set
    (one read; on a miss one aggregate query and one write), so a list page costs the
    same for two petitions or fifty, with Redis or the database cache alike."""
    ttl = settings.PETITIONS_COUNT_CACHE_SECONDS
    ids = sorted(set(petition_ids))
    if not ids:
        return {}
    key = (
        "harbor:petitions:counts:"
        + hashlib.sha1(
            ",".join(map(str, ids)).encode(), usedforsecurity=False
        ).hexdigest()
    )
    if ttl > 0:
        cached = cache.get(key)
        if cached is not None:
            return cached
    fresh = public_counts(petition_ids=ids)
    counts = {pk: fresh.get(pk) or 0 for pk in ids}
    if ttl > 0:
        cache.set(key, counts, ttl)
    return counts


def signatures_visible_to(
    user, *, petition: Petition, query: str = "", confirmed_only: bool = False
) -> QuerySet[Signature]:
    """Signatures of ``petition`` whose signers ``user`` may see, newest first, matching a
    free-text query on email, name, ZIP, city or comment."""
    qs = rows_of_visible_supporters(
        user, Signature.objects.filter(petition=petition)
    ).select_related("supporter")
    if confirmed_only:
        qs = qs.filter(confirmed_at__isnull=False)
    for word in query.split()[:5]:
        qs = qs.filter(
            Q(supporter__email__icontains=word)
            | Q(supporter__first_name__icontains=word)
            | Q(supporter__last_name__icontains=word)
            | Q(supporter__zip_code__startswith=word)
            | Q(supporter__city__icontains=word)
            | Q(comment__icontains=word)
        )
    return qs.order_by("-created_at", "-pk")


def staff_petitions(*, limit: int = 100) -> list[dict]:
    """Every petition (drafts included) with its exact count of drained, counted
    signatures and how many wait in the intake, newest first: one query for the
    petitions and one aggregate each for the counts and the pending rows."""
    petitions = list(
        Petition.objects.select_related("campaign").order_by("-created_at")[:limit]
    )
    ids = [p.pk for p in petitions]
    counts = dict(
        SignatureCountShard.objects.filter(petition__in=ids)
        .values("petition_id")
        .annotate(total=Sum("count"))
        .values_list("petition_id", "total")
    )
    pending = dict(
        SignatureIntake.objects.filter(
            petition__in=ids, status=SignatureIntake.Status.PENDING
        )
        .values("petition_id")
        .annotate(n=Count("id"))
        .values_list("petition_id", "n")
    )
    return [
        {
            "petition": p,
            "count": counts.get(p.pk) or 0,
            "pending": pending.get(p.pk) or 0,
        }
        for p in petitions
    ]


def deliveries_visible_to(user, *, petition: Petition) -> QuerySet[DeliveryReport]:
    """Reports of ``petition`` that ``user`` may see: their own, or all for national
    staff (each lists what its requester could see)."""
    return visible_to(
        user,
        DeliveryReport.objects.filter(petition=petition).defer("pdf"),
        chapter_path=None,
        owner_path="requested_by",
    )


def delivery_totals(signatures: QuerySet[Signature]) -> dict:
    """Totals by state and by congressional district for a delivery report."""
    by_state: Counter = Counter()
    by_district: Counter = Counter()
    for state, district in signatures.values_list(
        "supporter__state", "supporter__congressional_district"
    ).iterator(chunk_size=5000):
        by_state[state or ""] += 1
        if district:
            by_district[district] += 1
    return {
        "total": sum(by_state.values()),
        "by_state": sorted(by_state.items(), key=lambda item: (-item[1], item[0])),
        "by_district": sorted(
            by_district.items(), key=lambda item: (-item[1], item[0])
        ),
    }
