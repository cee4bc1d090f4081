"""The one answer to "which rows may this user see".

National staff (staff admins and staff) see every row; a chapter leader sees the rows that
belong to the chapters they lead; everyone else sees none. Every staff page, export, admin
changelist, admin form choice (inlines included), and later the API and alert audiences,
reads through ``visible_to``: each model only says how its rows reach a chapter.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from .models import AuditEvent, Chapter, RoleGrant, User

AnyUser = User | AnonymousUser


def is_staff_user(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def sees_everything(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_national_staff)


def can_manage_roles(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_staff_admin)


def visible_chapter_ids(user: AnyUser) -> frozenset[int] | None:
    """None for "every chapter" (national staff), else the chapters this user leads
    (empty for anyone without a role)."""
    if sees_everything(user):
        return None
    if not is_staff_user(user):
        return frozenset()
    return user.led_chapter_ids  # type: ignore[union-attr]


def visible_to(
    user: AnyUser,
    queryset: QuerySet,
    *,
    chapter_path: str | None,
    owner_path: str | None = None,
) -> QuerySet:
    """``queryset`` narrowed to what ``user`` may see.

    ``chapter_path`` is the lookup from the queryset's model to a ``Chapter`` (for a
    supporter ``"memberships__chapter"``; for a signature
    ``"supporter__memberships__chapter"``). ``owner_path``, if given, names a user field
    whose own rows are visible too (an import's uploader); with no ``chapter_path``
    (rows that belong to no chapter, such as a delivery PDF) a chapter leader sees only
    their own. The filter is a subquery on primary keys, so a many-valued path never
    duplicates rows."""
    chapters = visible_chapter_ids(user)
    if chapters is None:
        return queryset
    if not is_staff_user(user):
        return queryset.none()
    allowed = (
        Q(**{f"{chapter_path}__in": chapters})
        if chapters and chapter_path
        else Q(pk__in=[])
    )
    if owner_path:
        allowed |= Q(**{owner_path: user})
    model = queryset.model
    return queryset.filter(
        pk__in=model._default_manager.filter(allowed).values("pk").distinct()
    )


def chapters_visible_to(user: AnyUser) -> QuerySet[Chapter]:
    chapters = visible_chapter_ids(user)
    if chapters is None:
        return Chapter.objects.all()
    return Chapter.objects.filter(pk__in=chapters)


def grants_for_management() -> QuerySet[RoleGrant]:
    """Every grant with its user, chapter and granter, for the staff admin's roles page."""
    return RoleGrant.objects.select_related("user", "chapter", "granted_by").order_by(
        "user__email", "role", "chapter__name"
    )


def staff_users() -> QuerySet[User]:
    return User.objects.filter(grants__isnull=False).distinct().order_by("email")


def audit_events(
    *,
    action: str = "",
    actor_id: int | None = None,
    object_type: str = "",
    object_id: str = "",
    since=None,
    until=None,
) -> QuerySet[AuditEvent]:
    """The audit log, newest first, filtered. For staff admins only (the view checks)."""
    qs = AuditEvent.objects.select_related("actor")
    if action:
        qs = qs.filter(action=action)
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs.order_by("-at", "-pk")


def history_of(obj) -> QuerySet[AuditEvent]:
    """Every audited change to ``obj``, newest first (bill and Safe Harbor pages)."""
    return AuditEvent.objects.select_related("actor").filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    )
