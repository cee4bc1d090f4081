"""Reads of petitions: counts, recent signers, sign-ons, and staff views of signatures
(always scoped through the visibility selector)."""

import hashlib
from collections import Counter

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, QuerySet, Sum

from accounts.selectors import visible_to
from campaigns.models import Campaign
from supporters.selectors import rows_of_visible_supporters

from .models import (
    DeliveryReport,
    OrganisationSignOn,
    Petition,
    Signature,
    SignatureCountShard,
)


def _count_key(petition_id: int) -> str:
    return f"harbor:petitions:count:{petition_id}"


def signature_count(*, petition_id: int, fresh: bool = False) -> int:
    """Confirmed signatures of a petition: the sum of its counter shards.

    Public pages read it through a cache of PETITIONS_COUNT_CACHE_SECONDS, shared by all
    processes; ``fresh`` reads the shards (a handful of indexed rows) and leaves the
    cache alone: a signer's own page must show their signature counted, and writing the
    cache on every such view would be a write per signer (a row with the database cache)."""
    key = _count_key(petition_id)
    ttl = settings.PETITIONS_COUNT_CACHE_SECONDS
    if not fresh and ttl > 0:
        cached = cache.get(key)
        if cached is not None:
            return cached
    total = (
        SignatureCountShard.objects.filter(petition_id=petition_id).aggregate(
            total=Sum("count")
        )["total"]
        or 0
    )
    if ttl > 0 and not fresh:
        cache.set(key, total, ttl)
    return total


def progress_percent(*, count: int, goal: int) -> int:
    """Percent of the goal for the progress bar; at least 1 once anyone has signed."""
    if not goal:
        return 100
    return min(100, max(1 if count else 0, round(100 * count / goal)))


def recent_public_signers(*, petition_id: int, limit: int = 8) -> list[dict]:
    """First name and city of the latest confirmed signers who agreed to be listed; cached
    with the counter."""
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
        .order_by("-created_at")
        .values("supporter__first_name", "supporter__city", "created_at")[:limit]
    )
    signers = [
        {
            "first_name": row["supporter__first_name"],
            "city": row["supporter__city"],
            "created_at": row["created_at"],
        }
        for row in rows
    ]
    if ttl > 0:
        cache.set(key, signers, ttl)
    return signers


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
    fresh = dict(
        SignatureCountShard.objects.filter(petition_id__in=ids)
        .values("petition_id")
        .annotate(total=Sum("count"))
        .values_list("petition_id", "total")
    )
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
    """Every petition (drafts included) with its exact count, newest first: one query for
    the petitions and one aggregate for all their counts."""
    petitions = list(
        Petition.objects.select_related("campaign").order_by("-created_at")[:limit]
    )
    counts = dict(
        SignatureCountShard.objects.filter(petition__in=[p.pk for p in petitions])
        .values("petition_id")
        .annotate(total=Sum("count"))
        .values_list("petition_id", "total")
    )
    return [{"petition": p, "count": counts.get(p.pk) or 0} for p in petitions]


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
