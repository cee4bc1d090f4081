"""Writes to accounts: role grants (a staff admin's alone) and the audit log."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from harbor.net import request_ip_hash

from .models import AuditEvent, Chapter, Role, RoleGrant, User

logger = logging.getLogger(__name__)


def record_audit(
    *,
    actor: User | None,
    action: str,
    obj=None,
    changes: dict | None = None,
    request=None,
    via: str = AuditEvent.Via.STAFF,
) -> AuditEvent:
    """Append one audit event. ``obj`` is any model instance (its type, id and a short
    description are kept, so the record survives the object). ``changes`` must hold no
    supporter's personal data: field diffs of staff-edited records, counts, filters.
    Not idempotent: each call is one event."""
    user = actor if isinstance(actor, User) and actor.pk else None
    return AuditEvent.objects.create(
        actor=user,
        actor_email=user.email if user else "",
        action=action,
        via=via if user or via != AuditEvent.Via.STAFF else AuditEvent.Via.SYSTEM,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=changes or {},
        ip_hash=request_ip_hash(request),
    )


def _require_staff_admin(user: User) -> None:
    if not (isinstance(user, User) and user.is_staff_admin):
        raise PermissionDenied(_("Only a staff admin may change roles."))


@transaction.atomic
def grant_role(
    *,
    by: User,
    user: User,
    role: str,
    chapter: Chapter | None = None,
    request=None,
) -> RoleGrant:
    """Give ``user`` the ``role`` (of ``chapter``, for a chapter leader), as staff admin
    ``by``; audited. Raises PermissionDenied for anyone else and ValidationError for a
    role that needs (or must not have) a chapter, or one already held. Not idempotent:
    a second identical call is a ValidationError."""
    _require_staff_admin(by)
    if role not in Role.values:
        raise ValidationError(_("Choose a role."))
    if (role == Role.CHAPTER_LEADER) != (chapter is not None):
        raise ValidationError(
            _("A chapter leader's role names one chapter; other roles name none.")
        )
    try:
        with transaction.atomic():
            grant = RoleGrant.objects.create(
                user=user, role=role, chapter=chapter, granted_by=by
            )
    except IntegrityError:
        raise ValidationError(
            _("%(user)s already has that role.") % {"user": user}
        ) from None
    user.forget_roles()
    record_audit(
        actor=by,
        action=AuditEvent.Action.ROLE_GRANTED,
        obj=user,
        changes={"role": role, "chapter": chapter.slug if chapter else None},
        request=request,
    )
    logger.info("role granted: user=%s role=%s chapter=%s", user.pk, role, chapter)
    return grant


@transaction.atomic
def revoke_role(*, by: User, grant_id: int, request=None) -> bool:
    """Remove one grant, as staff admin ``by``; audited. A staff admin cannot remove their
    own staff admin grant (someone must always be able to manage roles). Returns False if
    the grant was already gone. Safe to repeat."""
    _require_staff_admin(by)
    grant = (
        RoleGrant.objects.select_related("user", "chapter").filter(pk=grant_id).first()
    )
    if grant is None:
        return False
    if grant.user_id == by.pk and grant.role == Role.STAFF_ADMIN:
        raise ValidationError(_("You cannot remove your own staff admin role."))
    grant.delete()
    grant.user.forget_roles()
    record_audit(
        actor=by,
        action=AuditEvent.Action.ROLE_REVOKED,
        obj=grant.user,
        changes={
            "role": grant.role,
            "chapter": grant.chapter.slug if grant.chapter else None,
        },
        request=request,
    )
    return True
