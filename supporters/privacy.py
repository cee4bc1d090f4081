"""A supporter's data export and erasure, and the retention policy (issue #11, item 1).

Everything Harbor holds on a person is spread over the apps: ``supporters`` holds the
profile, memberships, tags, consent history, subscriptions and suppression; the apps
above it (petitions, advocacy, alerts, reach, ...) hold the person's actions. Those apps
take part through the registry here, called from their ``AppConfig.ready()``, so that
``supporters`` imports nothing above it:

- ``register_exporter(name, fn)``: ``fn(supporter) -> JSON-serialisable`` (the section
  ``name`` of the export);
- ``register_eraser(name, fn)``: ``fn(supporter) -> int`` (rows changed), called inside
  the erasure's transaction *before* the supporter's own fields are blanked, so it can
  still read ``supporter.email``. It removes the personal data of its rows and keeps the
  rows that make a count (signatures, outreaches, alert recipients) with the supporter;
- ``register_activity(name, fn)``: ``fn(since) -> QuerySet`` of ``supporter_id`` values
  with a record of theirs since ``since`` (``None``: ever); what "inactive" means;
- ``register_retention(name, fn)``: ``fn(now) -> int``, one step of the periodic
  retention task (petitions deletes unconfirmed signatures).

Erasure keeps the ``Supporter`` row, anonymous (``erased_at`` set, the address replaced
by ``erased-<id>@erased.invalid``, every personal field blanked), so that every row that
makes a count keeps its supporter and every count stays the same. The suppression status
outlives it as the keyed hash (``SuppressedAddress``), so an erased address that bounced
or complained is never mailed again, whoever re-creates it.
"""

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, User
from accounts.selectors import AnyUser
from accounts.services import record_audit

from .models import (
    ConsentEvent,
    Subscription,
    Supporter,
    SupporterImport,
    SuppressedAddress,
)
from .selectors import supporters_visible_to
from .suppression import email_hash

logger = logging.getLogger(__name__)

EXPORT_FORMAT = "harbor.supporter-export/1"
ERASED_DOMAIN = "erased.invalid"

Exporter = Callable[[Supporter], Any]
Eraser = Callable[[Supporter], int]
Activity = Callable[[datetime | None], QuerySet]
RetentionStep = Callable[[datetime], int]

_exporters: dict[str, Exporter] = {}
_erasers: dict[str, Eraser] = {}
_activities: dict[str, Activity] = {}
_retention_steps: dict[str, RetentionStep] = {}


def register_exporter(name: str, fn: Exporter) -> None:
    """Add section ``name`` to every export. Registering a name again replaces it."""
    _exporters[name] = fn


def register_eraser(name: str, fn: Eraser) -> None:
    _erasers[name] = fn


def register_activity(name: str, fn: Activity) -> None:
    _activities[name] = fn


def register_retention(name: str, fn: RetentionStep) -> None:
    _retention_steps[name] = fn


def erased_email(supporter_id: int) -> str:
    """The placeholder address of an erased supporter: unique, lower-case, and in the
    ``.invalid`` domain, which no mail ever reaches (RFC 2606)."""
    return f"erased-{supporter_id}@{ERASED_DOMAIN}"


# --- export ----------------------------------------------------------------------------


def _profile(s: Supporter) -> dict[str, Any]:
    return {
        "id": s.pk,
        "email": s.email,
        "first_name": s.first_name,
        "last_name": s.last_name,
        "street_address": s.street_address,
        "city": s.city,
        "state": s.state,
        "zip_code": s.zip_code,
        "phone": str(s.phone or ""),
        "congressional_district": s.congressional_district,
        "state_upper_district": s.state_upper_district,
        "state_lower_district": s.state_lower_district,
        "source": s.source,
        "email_opt_in": s.email_opt_in,
        "opt_in_at": s.opt_in_at,
        "opt_in_source": s.opt_in_source,
        "opt_in_method": s.opt_in_method,
        "unsubscribed_at": s.unsubscribed_at,
        "has_login": s.user_id is not None,
        "created_at": s.created_at,
        "updated_at": s.updated_at,
        "erased_at": s.erased_at,
    }


def export_data(supporter: Supporter) -> dict[str, Any]:
    """Everything Harbor holds on ``supporter``, as plain data (no permission check: see
    ``export_supporter``). Sections of the apps above come from their exporters."""
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now(),
        "supporter": _profile(supporter),
        "memberships": [
            {
                "chapter": m.chapter.name,
                "chapter_slug": m.chapter.slug,
                "since": m.created_at,
            }
            for m in supporter.memberships.select_related("chapter").order_by("pk")
        ],
        "tags": sorted(supporter.tags.values_list("name", flat=True)),
        "consent_history": list(
            supporter.consent_events.order_by("at", "pk").values(
                "kind", "at", "source", "method", "reason"
            )
        ),
        "subscriptions": list(
            supporter.subscriptions.order_by("pk").values(
                "list", "source", "subscribed_at", "unsubscribed_at"
            )
        ),
        "suppression": suppression_status(supporter),
    }
    for name, fn in sorted(_exporters.items()):
        data[name] = fn(supporter)
    return data


def suppression_status(supporter: Supporter) -> dict[str, Any]:
    listed = (
        SuppressedAddress.objects.filter(email_hash=email_hash(supporter.email))
        .values("reason", "created_at")
        .first()
    )
    return {
        "suppressed_at": supporter.suppressed_at,
        "reason": supporter.suppression_reason,
        "on_suppression_list": listed is not None,
        "listed_at": listed["created_at"] if listed else None,
    }


def export_json(data: dict[str, Any]) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def export_supporter(*, user: AnyUser, supporter_id: int, request=None) -> str:
    """The JSON export of one supporter ``user`` may see (staff of every role; a chapter
    leader only for the members of their chapters), audited. PermissionDenied when the
    supporter is not visible (or does not exist: the two are not told apart)."""
    supporter = supporters_visible_to(user).filter(pk=supporter_id).first()
    if supporter is None:
        raise PermissionDenied(_("You cannot see this supporter."))
    data = export_data(supporter)
    record_audit(
        actor=user if isinstance(user, User) else None,
        action=AuditEvent.Action.SUPPORTER_DATA_EXPORT,
        obj=supporter,
        # Which sections, and how many rows each: never their content.
        changes={
            "sections": {
                key: len(value) if isinstance(value, list) else 1
                for key, value in data.items()
                if key not in ("format", "exported_at")
            }
        },
        request=request,
    )
    return export_json(data)


# --- erasure ---------------------------------------------------------------------------


def may_erase(user: AnyUser) -> bool:
    """Erasure is a staff admin's alone: it cannot be undone, and it reaches the
    supporter's rows in every chapter."""
    return isinstance(user, User) and user.is_staff_admin


def _scrub_imports(email: str) -> int:
    """Finished CSV imports whose error list quotes the address (a rejected file's
    rows): those errors are dropped (the counts and who imported stay). The file itself
    is dropped when an import finishes (``importing``); a pending or running import is
    left alone (the staff's current work: erase after it)."""
    changed = 0
    quoting = SupporterImport.objects.filter(
        status__in=[SupporterImport.Status.DONE, SupporterImport.Status.FAILED],
        error_count__gt=0,
    )
    for pk, errors in quoting.values_list("pk", "errors"):
        if email in json.dumps(errors, ensure_ascii=False).lower():
            changed += SupporterImport.objects.filter(pk=pk).update(
                content=b"", errors=[]
            )
    return changed


def erase(supporter_id: int) -> dict[str, int] | None:
    """Remove ``supporter_id``'s personal data everywhere (no permission check, no audit:
    see ``erase_supporter``). Returns the rows changed per part, or None when there is no
    such supporter or it was erased already. Safe to repeat."""
    with transaction.atomic():
        supporter = (
            Supporter.objects.select_for_update()
            .filter(pk=supporter_id, erased_at__isnull=True)
            .first()
        )
        if supporter is None:
            return None
        email = supporter.email
        if supporter.suppressed_at is not None:
            # The hash is what outlives the address (normally there already).
            SuppressedAddress.objects.get_or_create(
                email_hash=email_hash(email),
                defaults={
                    "reason": supporter.suppression_reason
                    or Supporter.SuppressionReason.MANUAL,
                    "source": "erasure",
                },
            )
        counts: dict[str, int] = {}
        for name, fn in sorted(_erasers.items()):
            counts[name] = fn(supporter)
        now = timezone.now()
        counts["tags"] = supporter.tags.count()
        supporter.tags.clear()
        counts["consent_history"] = ConsentEvent.objects.filter(
            supporter_id=supporter.pk
        ).delete()[0]
        counts["subscriptions"] = Subscription.objects.filter(
            supporter_id=supporter.pk, unsubscribed_at__isnull=True
        ).update(unsubscribed_at=now, source="", updated_at=now)
        counts["imports"] = _scrub_imports(email)
        Supporter.objects.filter(pk=supporter.pk).update(
            email=erased_email(supporter.pk),
            first_name="",
            last_name="",
            street_address="",
            city="",
            zip_code="",
            phone="",
            source="",
            email_opt_in=False,
            opt_in_at=None,
            opt_in_source="",
            opt_in_method="",
            unsubscribed_at=supporter.unsubscribed_at or now,
            user=None,
            erased_at=now,
            updated_at=now,
        )
    logger.info("erased supporter=%s", supporter_id)
    return counts


def erase_supporter(
    *, by: AnyUser, supporter_id: int, request=None
) -> dict[str, int] | None:
    """Erase one supporter as staff admin ``by`` (PermissionDenied for anyone else),
    audited with the counts of rows changed and nothing personal. Returns what ``erase``
    returns."""
    if not may_erase(by):
        raise PermissionDenied(_("Only a staff admin may erase a supporter."))
    counts = erase(supporter_id)
    if counts is not None:
        _audit_erasure(
            supporter_id, counts, actor=by, request=request, reason="request"
        )
    return counts


def _audit_erasure(supporter_id, counts, *, actor, request, reason: str) -> None:
    record_audit(
        actor=actor if isinstance(actor, User) else None,
        action=AuditEvent.Action.SUPPORTER_ERASED,
        obj=Supporter.objects.get(pk=supporter_id),
        changes={"reason": reason, "rows": counts},
        request=request,
        via=AuditEvent.Via.STAFF if isinstance(actor, User) else AuditEvent.Via.SYSTEM,
    )


# --- retention -------------------------------------------------------------------------


def active_supporter_ids(since: datetime | None) -> list[QuerySet]:
    """One queryset of ``supporter_id`` values per app with a record since ``since``."""
    own = [
        ConsentEvent.objects.filter(**({"at__gte": since} if since else {})).values(
            "supporter_id"
        ),
        Subscription.objects.filter(
            **({"subscribed_at__gte": since} if since else {})
        ).values("supporter_id"),
    ]
    return own + [_activities[name](since) for name in sorted(_activities)]


def inactive_supporters(*, now: datetime, years: int) -> QuerySet[Supporter]:
    """Supporters not erased, with no login, nothing changed on their record and no
    record of theirs in any app for ``years`` years."""
    cutoff = now - timedelta(days=round(365.25 * years))
    qs = Supporter.objects.filter(
        erased_at__isnull=True,
        user__isnull=True,
        created_at__lt=cutoff,
        updated_at__lt=cutoff,
    )
    for active in active_supporter_ids(cutoff):
        qs = qs.exclude(pk__in=active)
    return qs.order_by("pk")


def apply_retention(*, now: datetime | None = None) -> dict[str, int]:
    """The retention policy (settings ``HARBOR_RETENTION_*``), one pass: every registered
    step (petitions: unconfirmed double opt-in signatures older than
    ``HARBOR_RETENTION_UNCONFIRMED_DAYS`` deleted), then supporters inactive for
    ``HARBOR_RETENTION_INACTIVE_YEARS`` erased through ``erase``, at most
    ``HARBOR_RETENTION_BATCH`` per pass (the next pass goes on). Each erasure is audited
    (via system). Safe to repeat. Returns the counts per step."""
    now = now or timezone.now()
    done: dict[str, int] = {}
    for name, fn in sorted(_retention_steps.items()):
        done[name] = fn(now)
    years = settings.HARBOR_RETENTION_INACTIVE_YEARS
    erased = 0
    if years > 0:
        batch = list(
            inactive_supporters(now=now, years=years).values_list("pk", flat=True)[
                : settings.HARBOR_RETENTION_BATCH
            ]
        )
        for pk in batch:
            counts = erase(pk)
            if counts is not None:
                _audit_erasure(pk, counts, actor=None, request=None, reason="retention")
                erased += 1
    done["inactive_erased"] = erased
    logger.info("retention applied: %s", done)
    return done


def orphans(supporter_ids: list[int]) -> QuerySet[Supporter]:
    """Of ``supporter_ids``, those with no record left in any app, no consent, no
    login, and not erased: what an unconfirmed signature alone created. A retention step
    that deletes actions deletes these with them."""
    qs = Supporter.objects.filter(
        pk__in=supporter_ids,
        erased_at__isnull=True,
        user__isnull=True,
        email_opt_in=False,
    ).exclude(tags__isnull=False)
    for active in active_supporter_ids(None):
        qs = qs.exclude(pk__in=active)
    return qs


def render_again(queryset: QuerySet) -> int:
    """Rendered documents (delivery PDFs, packets: ``harbor.jobs.Job`` rows that store
    names) that listed an erased supporter: their stored files are dropped and the rows
    go back to pending, to be rendered again without the person. A worker rendering one
    now loses its claim (new token) and stores nothing. For the apps' erasers."""
    from harbor import jobs

    pks = list(queryset.values_list("pk", flat=True))
    model = queryset.model
    file_fields = {
        f.name: b""
        for f in model._meta.concrete_fields
        if f.get_internal_type() == "BinaryField"
    }
    model.objects.filter(pk__in=pks).update(
        status=jobs.JobStatus.PENDING,
        claim_token=None,
        claimed_at=None,
        finished_at=None,
        attempts=0,
        last_error="",
        next_attempt_at=None,
        updated_at=timezone.now(),
        **file_fields,
    )
    for pk in pks:
        jobs.enqueue_on_commit(model, pk)
    return len(pks)
