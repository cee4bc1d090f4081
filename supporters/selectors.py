"""Reads of supporter data. All of it goes through ``supporters_visible_to``."""

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from .models import Chapter, ChapterMembership, Supporter


def chapters_led_by(user: User | AnonymousUser) -> QuerySet[Chapter]:
    """Chapters in which ``user``'s supporter record has the leader role."""
    if not user.is_authenticated:
        return Chapter.objects.none()
    return Chapter.objects.filter(
        memberships__supporter__user=user,
        memberships__role=ChapterMembership.Role.LEADER,
    )


def can_see_all_supporters(user: User | AnonymousUser) -> bool:
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.is_superuser or user.has_perm("supporters.view_all_supporters"):
        return True
    return chapters_led_by(user).filter(kind=Chapter.Kind.NATIONAL).exists()


def chapters_visible_to(user: User | AnonymousUser) -> QuerySet[Chapter]:
    if can_see_all_supporters(user):
        return Chapter.objects.all()
    if not (user.is_authenticated and user.is_staff):
        return Chapter.objects.none()
    return chapters_led_by(user)


def supporters_visible_to(
    user: User | AnonymousUser,
) -> QuerySet[Supporter]:
    """The supporters ``user`` may see: everyone for national staff, a chapter leader's own
    chapters' members otherwise, nobody for anyone else. Pages, exports, the API and alert
    audiences all start from this queryset."""
    if can_see_all_supporters(user):
        return Supporter.objects.all()
    if not (user.is_authenticated and user.is_staff):
        return Supporter.objects.none()
    member_ids = ChapterMembership.objects.filter(
        chapter__in=chapters_led_by(user)
    ).values("supporter_id")
    return Supporter.objects.filter(pk__in=member_ids)


def search_supporters(
    *,
    user: User | AnonymousUser,
    query: str = "",
    chapter_id: int | None = None,
    state: str = "",
    tag: str = "",
) -> QuerySet[Supporter]:
    """Visible supporters matching a free-text query (email, name, ZIP) and filters."""
    qs = supporters_visible_to(user)
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


def suppressed_emails(emails: Iterable[str], *, include_unsubscribed: bool) -> set[str]:
    """Of ``emails``, those that must not be mailed: suppressed (bounce, complaint, manual),
    and also unsubscribed when ``include_unsubscribed`` (bulk mail)."""
    blocked = Q(suppressed_at__isnull=False)
    if include_unsubscribed:
        blocked |= Q(unsubscribed_at__isnull=False)
    return set(
        Supporter.objects.filter(blocked, email__in=list(emails)).values_list(
            "email", flat=True
        )
    )
