"""Reads of supporter data. All of it goes through ``supporters_visible_to``, which is
``accounts.selectors.visible_to`` with the path from a supporter to their chapters."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from accounts.selectors import AnyUser, visible_to

from .models import ChapterMembership, Supporter, SuppressedAddress
from .suppression import email_hash, normalize_for_hash

# The path from a supporter to a chapter, for rows that hang off a supporter.
SUPPORTER_CHAPTER_PATH = "memberships__chapter"


def supporters_visible_to(user: AnyUser) -> QuerySet[Supporter]:
    """The supporters ``user`` may see: everyone for national staff, the members of a
    chapter leader's chapters, nobody for anyone else. Pages, exports, the admin, the API
    and alert audiences all start from this queryset."""
    return visible_to(
        user, Supporter.objects.all(), chapter_path=SUPPORTER_CHAPTER_PATH
    )


def rows_of_visible_supporters(
    user: AnyUser, queryset: QuerySet, *, supporter_path: str = "supporter"
) -> QuerySet:
    """Rows that belong to a supporter (memberships, consent events, signatures, calls),
    narrowed to those whose supporter ``user`` may see."""
    return visible_to(
        user, queryset, chapter_path=f"{supporter_path}__{SUPPORTER_CHAPTER_PATH}"
    )


def search_supporters(
    *,
    user: AnyUser,
    query: str = "",
    chapter_id: int | None = None,
    state: str = "",
    tag: str = "",
) -> QuerySet[Supporter]:
    """Visible supporters matching a free-text query (email, name, ZIP) and filters."""
    # Erased supporters are anonymous rows kept for the counts: no one to list.
    qs = supporters_visible_to(user).filter(erased_at__isnull=True)
    for word in query.split()[:5]:
        qs = qs.filter(
            Q(email__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(zip_code__startswith=word)
            | Q(city__icontains=word)
        )
    if chapter_id:
        qs = qs.filter(
            pk__in=ChapterMembership.objects.filter(chapter_id=chapter_id).values(
                "supporter_id"
            )
        )
    if state:
        qs = qs.filter(state=state)
    if tag:
        qs = qs.filter(tags__name=tag)
    return qs.order_by("-created_at", "-pk")


def supporter_page(*, user: AnyUser, supporter: Supporter) -> dict:
    """What the staff page of one (visible) supporter shows: the chapters among those
    ``user`` may see, tags, consent history (newest first), subscriptions, and whether
    the address is on the hashed suppression list."""
    return {
        "supporter": supporter,
        "memberships": list(
            visible_to(
                user,
                supporter.memberships.select_related("chapter"),
                chapter_path="chapter",
            ).order_by("chapter__name")
        ),
        "tags": list(supporter.tags.values_list("name", flat=True)),
        "consent_events": list(supporter.consent_events.order_by("-at", "-pk")[:200]),
        "subscriptions": list(supporter.subscriptions.order_by("-subscribed_at")),
        "on_suppression_list": bool(listed_suppressions([supporter.email])),
    }


def suppression_hashes(*, at_most: int) -> set[str] | None:
    """Every hash on the suppression list, or None when there are more than ``at_most``
    (then ask ``listed_suppressions`` batch by batch). One query."""
    hashes = set(
        SuppressedAddress.objects.values_list("email_hash", flat=True)[: at_most + 1]
    )
    return None if len(hashes) > at_most else hashes


def listed_suppressions(emails: Iterable[str]) -> dict[str, str]:
    """Of ``emails``, those on the hashed suppression list, with the reason: the list
    that outlives erasure. One query for the whole batch."""
    by_hash: dict[str, list[str]] = {}
    for email in emails:
        by_hash.setdefault(email_hash(email), []).append(email)
    if not by_hash:
        return {}
    return {
        original: reason
        for h, reason in SuppressedAddress.objects.filter(
            email_hash__in=list(by_hash)
        ).values_list("email_hash", "reason")
        for original in by_hash[h]
    }


def suppressed_emails(emails: Iterable[str], *, include_unsubscribed: bool) -> set[str]:
    """Of ``emails``, those that must not be mailed: on the hashed suppression list or
    suppressed on their supporter record (bounce, complaint, manual), and also
    unsubscribed when ``include_unsubscribed`` (bulk mail). Addresses are compared
    normalized; the ones returned are as given. Two queries for the whole batch."""
    given = list(emails)
    normal: dict[str, list[str]] = {}
    for email in given:
        normal.setdefault(normalize_for_hash(email), []).append(email)
    blocked = Q(suppressed_at__isnull=False)
    if include_unsubscribed:
        blocked |= Q(unsubscribed_at__isnull=False)
    # No mail reaches .invalid (RFC 6761): an erased supporter's placeholder is one.
    found = {
        original
        for e, originals in normal.items()
        if e.endswith(".invalid") or not e
        for original in originals
    }
    found |= {
        original
        for e in Supporter.objects.filter(blocked, email__in=list(normal)).values_list(
            "email", flat=True
        )
        for original in normal[e]
    }
    return found | set(listed_suppressions(given))
