"""Writes of the compose side of alerts: drafts, test sends, the guardrails before a send
(the count confirmed in words, a staff admin's approval beyond one chapter, the daily
cap), and the buttons that call the engine (``alerts.sending``). Every change is
audited."""

import datetime as dt
import logging
import unicodedata
import uuid

from django.conf import settings
from django.core.exceptions import (
    ImproperlyConfigured,
    PermissionDenied,
    ValidationError,
)
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, Chapter, User
from accounts.selectors import sees_everything, visible_chapter_ids
from accounts.services import record_audit
from campaigns.models import Campaign
from harbor import mail
from supporters.models import Supporter

from . import sending
from .audience import Filters, audience_for_alert, count_in_words
from .models import Alert
from .rendering import LINE_FIELDS, render_for, template_errors

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = (
    "chapter", "campaign", "subject", "preheader", "body", "from_name", "from_email",
    "reply_to", "audience",
)  # fmt: skip


# --- who may do what --------------------------------------------------------------------


def can_compose_for(user: User, chapter: Chapter | None) -> bool:
    """National staff compose for any chapter and the national list; a chapter leader
    for the chapters they lead only."""
    if not (
        user.is_authenticated and user.is_active and user.has_perm("alerts.add_alert")
    ):
        return False
    if sees_everything(user):
        return True
    led = visible_chapter_ids(user) or frozenset()
    return chapter is not None and chapter.pk in led


def needs_approval_for(chapter: Chapter | None) -> bool:
    """More than one chapter (the national list, or the national chapter every supporter
    belongs to) needs a staff admin's approval before it goes out."""
    return chapter is None or chapter.kind == Chapter.Kind.NATIONAL


def default_sender(chapter: Chapter | None) -> dict[str, str]:
    """The chapter's own sender (its name when it sets none), else the site's."""
    return {
        "from_name": (chapter.alert_from_name or chapter.name if chapter else "")
        or settings.ALERTS_FROM_NAME,
        "from_email": (chapter.alert_from_email if chapter else "")
        or settings.ALERTS_FROM_EMAIL,
        "reply_to": chapter.alert_reply_to if chapter else "",
    }


def allowed_senders(chapter: Chapter | None) -> tuple[frozenset[str], frozenset[str]]:
    """The From and Reply-To addresses anyone but a staff admin may use for ``chapter``:
    the chapter's configured alert sender (``Chapter.alert_from_email`` and
    ``alert_reply_to``, set by staff in the admin) and the site's default
    (``ALERTS_FROM_EMAIL``); a Reply-To may also be left empty or be one of the From
    addresses. Lower-cased."""
    froms = {settings.ALERTS_FROM_EMAIL}
    replies = {""}
    if chapter is not None:
        froms.add(chapter.alert_from_email)
        replies.add(chapter.alert_reply_to)
    froms.discard("")
    replies |= froms
    return (
        frozenset(a.strip().lower() for a in froms),
        frozenset(a.strip().lower() for a in replies),
    )


def check_sender(
    *, user: User, chapter: Chapter | None, from_email: str, reply_to: str
) -> None:
    """A chapter leader (anyone but a staff admin) sends only from the chapter's
    configured sender or the site's default: another address is refused with a
    ValidationError naming the ones allowed, so nobody writes as the national office,
    another chapter or a stranger. Staff admins choose freely."""
    if getattr(user, "is_staff_admin", False):
        return
    froms, replies = allowed_senders(chapter)
    errors: dict[str, list[str]] = {}
    if (from_email or "").strip().lower() not in froms:
        errors["from_email"] = [
            _(
                "You can send only from %(allowed)s. Another address needs a staff "
                "admin (they set the chapter's sender)."
            )
            % {"allowed": _or_list(sorted(froms))}
        ]
    if (reply_to or "").strip().lower() not in replies:
        errors["reply_to"] = [
            _("Replies can go only to %(allowed)s, or leave it empty.")
            % {"allowed": _or_list(sorted(a for a in replies if a))}
        ]
    if errors:
        raise ValidationError(errors)


def _or_list(addresses: list[str]) -> str:
    return _(" or ").join(addresses) if addresses else "—"


def _check_templates(*, subject: str, preheader: str, body: str) -> None:
    errors: dict[str, list[str]] = {}
    for name, text, allowed in (
        ("subject", subject, LINE_FIELDS),
        ("preheader", preheader, LINE_FIELDS),
        ("body", body, None),
    ):
        found = template_errors(text, allowed=allowed)
        if found:
            errors[name] = found
    if errors:
        raise ValidationError(errors)


# --- drafts -----------------------------------------------------------------------------


@transaction.atomic
def save_alert(
    *,
    user: User,
    chapter: Chapter | None,
    campaign: Campaign | None,
    subject: str,
    preheader: str,
    body: str,
    from_name: str,
    from_email: str,
    reply_to: str,
    filters: Filters,
    alert: Alert | None = None,
    request=None,
) -> Alert:
    """Create a draft, or change one (only drafts change: a confirmed alert is what the
    sender confirmed). Merge fields beyond the allowed ones are refused with a
    ValidationError naming them; nothing is saved then. Audited. Not idempotent: each
    call without ``alert`` makes a new draft."""
    if not can_compose_for(user, chapter):
        raise PermissionDenied(_("You may not write alerts for this chapter."))
    _check_templates(subject=subject, preheader=preheader, body=body)
    check_sender(user=user, chapter=chapter, from_email=from_email, reply_to=reply_to)
    if any(unicodedata.category(c) == "Cc" for c in from_name):
        # A line break in a header: Django refuses the message, an ESP may not.
        raise ValidationError(
            {"from_name": [_("The from name must be one line of plain text.")]}
        )
    values = {
        "chapter": chapter,
        "campaign": campaign,
        "subject": subject,
        "preheader": preheader,
        "body": body,
        "from_name": from_name,
        "from_email": from_email,
        "reply_to": reply_to,
        "audience": filters.to_json(),
        "needs_approval": needs_approval_for(chapter),
    }
    if alert is None:
        alert = Alert(created_by=user, **values)
        alert.full_clean()
        alert.save()
        record_audit(
            actor=user,
            action=AuditEvent.Action.ALERT_CREATED,
            obj=alert,
            changes={
                "chapter": chapter.pk if chapter else None,
                "audience": values["audience"],
            },
            request=request,
        )
        return alert
    if not can_compose_for(user, alert.chapter):
        raise PermissionDenied(_("You may not change alerts of this chapter."))
    before = {name: getattr(alert, name) for name in EDITABLE_FIELDS}
    for name, value in values.items():
        setattr(alert, name, value)
    alert.full_clean()
    # Only a draft changes: the conditional update is the guard against an alert that was
    # confirmed in another tab meanwhile.
    changed = Alert.objects.filter(
        pk=alert.pk, status=Alert.Status.DRAFT, confirmed_at__isnull=True
    ).update(updated_at=timezone.now(), **values)
    if not changed:
        raise ValidationError(
            _("Only a draft can be changed; this alert is no longer one.")
        )
    diff = {
        name: [_plain(before[name]), _plain(getattr(alert, name))]
        for name in EDITABLE_FIELDS
        if before[name] != getattr(alert, name) and name != "body"
    }
    if before["body"] != alert.body:
        diff["body"] = ["…", "…"]
    record_audit(
        actor=user,
        action=AuditEvent.Action.ALERT_CHANGED,
        obj=alert,
        changes=diff,
        request=request,
    )
    return alert


def _plain(value):
    if hasattr(value, "pk"):
        return value.pk
    return value


# --- preview and test send --------------------------------------------------------------


def stand_in_for(user: User) -> Supporter:
    """The sender as a recipient: their own supporter record if they have one, else an
    unsaved stand-in with their first name (no districts, so the legislators field says
    so)."""
    own = Supporter.objects.filter(user=user).first()
    if own is not None:
        return own
    first = user.full_name.split(" ")[0] if user.full_name else ""
    return Supporter(email=user.email, first_name=first)


def send_test(
    *, alert: Alert, user: User, sample: Supporter | None = None, request=None
) -> bool:
    """Send the alert once to ``user``'s own address, rendered as ``sample`` would get it
    (default: the sender themself). Goes through ``harbor.mail.send_batch`` with the
    subject marked as a test; makes a network call, so never inside a transaction.
    Returns whether the ESP accepted it. Audited. Each call is one more test email."""
    recipient = sample or stand_in_for(user)
    subject, text, html = render_for(alert, recipient)
    status = mail.send_batch(
        template="alert_message",
        recipients=[
            mail.Recipient(
                email=user.email,
                send_id=f"alert-test-{alert.pk}-{uuid.uuid4().hex[:12]}",
            )
        ],
        context={
            "subject": _("[Test] %(subject)s") % {"subject": subject},
            "text": text,
            "html": html,
        },
        stream="transactional",
        from_email=_formatted_sender(alert),
        reply_to=[alert.reply_to] if alert.reply_to else None,
    )
    record_audit(
        actor=user,
        action=AuditEvent.Action.ALERT_TEST_SENT,
        obj=alert,
        changes={"sample_supporter": recipient.pk},
        request=request,
    )
    accepted = bool(status) and all(
        s.status in {"sent", "queued"} for s in status.values()
    )
    logger.info("alert test send alert=%s accepted=%s", alert.pk, accepted)
    return accepted


def _formatted_sender(alert: Alert) -> str:
    from email.utils import formataddr

    return formataddr((alert.from_name, alert.from_email))


# --- guardrails -------------------------------------------------------------------------


def _start_of_today() -> dt.datetime:
    today = timezone.localdate()
    return timezone.make_aware(dt.datetime.combine(today, dt.time.min))


def sent_today(chapter: Chapter | None, *, excluding: int | None = None) -> int:
    """Alerts of ``chapter`` (None: the national list) confirmed for sending today,
    counting every one that went or goes out (a draft or one cancelled before any mail
    left does not count)."""
    # Confirmed today, whatever its status now (one sent at once is a draft for the
    # moment between its confirmation and its start; an undone confirmation has none).
    qs = Alert.objects.filter(confirmed_at__gte=_start_of_today())
    qs = qs.filter(chapter=chapter) if chapter else qs.filter(chapter__isnull=True)
    qs = qs.exclude(status=Alert.Status.CANCELLED, frozen_at__isnull=True)
    if excluding:
        qs = qs.exclude(pk=excluding)
    return qs.count()


def _lock_for_cap(chapter: Chapter | None) -> None:
    """Take the lock the daily cap's check-and-confirm runs under (inside a transaction):
    the chapter's row; for the national list (no row of its own) the first chapter's,
    which only makes national confirmations wait on that chapter's. A no-op where the
    database has no row locks (SQLite serializes writes anyway)."""
    rows = Chapter.objects.select_for_update()
    row = rows.filter(pk=chapter.pk) if chapter else rows.order_by("pk")[:1]
    list(row.values_list("pk", flat=True))


def _check_daily_cap(alert: Alert) -> None:
    cap = settings.ALERTS_DAILY_CAP_PER_CHAPTER
    if cap and sent_today(alert.chapter, excluding=alert.pk) >= cap:
        raise ValidationError(
            _(
                "%(chapter)s has already sent %(cap)d alerts today, the daily limit. "
                "Schedule this one for tomorrow."
            )
            % {"chapter": alert.chapter or _("The national list"), "cap": cap}
        )


def parse_typed_count(value: str) -> int | None:
    """ "4,210", "4210" or "4 210" → 4210; None for anything else."""
    digits = (value or "").replace(",", "").replace(" ", "").replace("\u00a0", "")
    if not digits.isascii() or not digits.isdigit() or len(digits) > 9:
        return None
    return int(digits)


def confirm_send(
    *,
    alert: Alert,
    user: User,
    typed_count: str,
    scheduled_for: dt.datetime | None = None,
    request=None,
) -> Alert:
    """The sender confirms the audience's size in words and sends now or at
    ``scheduled_for``. Refused (ValidationError, nothing changed) when the typed number
    is not the audience's size as it is now, the audience is empty, the time is past, or
    the chapter's daily cap is reached. Beyond one chapter it waits for a staff admin's
    approval. Safe to repeat: only a draft is confirmed (a conditional update), so a
    double submit sends once. Audited."""
    if not can_compose_for(user, alert.chapter):
        raise PermissionDenied(_("You may not send alerts for this chapter."))
    if alert.status != Alert.Status.DRAFT or alert.confirmed_at is not None:
        raise ValidationError(
            _("This alert is no longer a draft: it was confirmed already.")
        )
    # The sender confirms what goes out under their name: a From a staff admin chose
    # (or a chapter sender changed since) is theirs to send only if they may use it.
    check_sender(
        user=user,
        chapter=alert.chapter,
        from_email=alert.from_email,
        reply_to=alert.reply_to,
    )
    count = audience_for_alert(alert, sender=user).count()
    typed = parse_typed_count(typed_count)
    if count == 0:
        raise ValidationError(
            _("Nobody is in this audience: there is no one to send to.")
        )
    if typed != count:
        raise ValidationError(
            _(
                "Type the number of people exactly as shown: the alert goes to %(words)s."
            )
            % {"words": count_in_words(count, alert)}
        )
    now = timezone.now()
    if scheduled_for is not None and scheduled_for <= now:
        raise ValidationError(_("Choose a time in the future, or send now."))
    if alert.needs_approval and alert.approved_at is None:
        to = Alert.Status.AWAITING_APPROVAL
    elif scheduled_for is not None:
        to = Alert.Status.SCHEDULED
    else:
        to = Alert.Status.DRAFT  # start_sending moves it on
    with transaction.atomic():
        # The cap is checked and the confirmation written under one lock: two senders
        # confirming the chapter's last alert of the day at once cannot both pass.
        _lock_for_cap(alert.chapter)
        _check_daily_cap(alert)
        # A draft not yet confirmed: a double submit (or a second tab) confirms once.
        won = Alert.objects.filter(
            pk=alert.pk, status=Alert.Status.DRAFT, confirmed_at__isnull=True
        ).update(
            status=to,
            confirmed_count=count,
            confirmed_by=user,
            confirmed_at=now,
            scheduled_for=scheduled_for,
            updated_at=now,
        )
        if not won:
            raise ValidationError(
                _("This alert is no longer a draft: it was confirmed already.")
            )
        record_audit(
            actor=user,
            action=AuditEvent.Action.ALERT_SEND_REQUESTED,
            obj=alert,
            changes={
                "confirmed_count": count,
                "scheduled_for": scheduled_for.isoformat() if scheduled_for else None,
                "needs_approval": alert.needs_approval,
            },
            request=request,
        )
    alert.refresh_from_db()
    if to == Alert.Status.DRAFT:
        _start_or_undo(
            alert,
            undo={"confirmed_at": None, "confirmed_count": None, "confirmed_by": None},
        )
    return alert


def _start_or_undo(alert: Alert, *, undo: dict) -> None:
    """Start the engine; if this site cannot send alerts (no backend that takes each
    recipient's own message, no postal address: ImproperlyConfigured, raised before
    anything is frozen), undo the confirmation or approval so the sender can try again
    once it is fixed, and say why."""
    status = alert.status
    try:
        sending.queue_start(alert)
    except ImproperlyConfigured as exc:
        Alert.objects.filter(pk=alert.pk, status=status).update(
            updated_at=timezone.now(), **undo
        )
        alert.refresh_from_db()
        logger.warning("alert %s not started: %s", alert.pk, type(exc).__name__)
        raise ValidationError(
            _("This site cannot send alerts yet, so nothing was sent: %(reason)s")
            % {"reason": exc}
        ) from exc
    alert.refresh_from_db()


def may_approve(user, alert: Alert) -> bool:
    """A staff admin approves an alert beyond one chapter only if they did not write or
    confirm it themselves."""
    return bool(
        isinstance(user, User)
        and user.is_staff_admin
        and user.pk not in (alert.created_by_id, alert.confirmed_by_id)
    )


def approve_alert(*, alert: Alert, user: User, request=None) -> Alert:
    """A staff admin approves an alert beyond one chapter; it then goes out (or waits for
    its scheduled time). Safe to repeat: only an alert awaiting approval is approved.
    Audited."""
    if not (isinstance(user, User) and user.is_staff_admin):
        raise PermissionDenied(_("Only a staff admin may approve an alert."))
    if not may_approve(user, alert):
        raise PermissionDenied(
            _(
                "You wrote or confirmed this alert: another staff admin must approve "
                "it (four eyes)."
            )
        )
    if alert.status != Alert.Status.AWAITING_APPROVAL:
        raise ValidationError(_("This alert is not waiting for approval."))
    now = timezone.now()
    later = alert.scheduled_for is not None and alert.scheduled_for > now
    with transaction.atomic():
        _lock_for_cap(alert.chapter)
        _check_daily_cap(alert)
        won = Alert.objects.filter(
            pk=alert.pk, status=Alert.Status.AWAITING_APPROVAL
        ).update(
            approved_by=user,
            approved_at=now,
            status=Alert.Status.SCHEDULED if later else Alert.Status.AWAITING_APPROVAL,
            updated_at=now,
        )
        if not won:
            raise ValidationError(_("This alert is not waiting for approval."))
        record_audit(
            actor=user,
            action=AuditEvent.Action.ALERT_APPROVED,
            obj=alert,
            changes={"confirmed_count": alert.confirmed_count},
            request=request,
        )
    alert.refresh_from_db()
    if not later:
        _start_or_undo(alert, undo={"approved_by": None, "approved_at": None})
    return alert


# --- the engine's buttons -----------------------------------------------------------------

_CONTROLS = {
    "pause": (sending.pause, AuditEvent.Action.ALERT_PAUSED),
    "resume": (sending.resume, AuditEvent.Action.ALERT_RESUMED),
    "cancel": (sending.cancel, AuditEvent.Action.ALERT_CANCELLED),
}


def control_alert(*, alert: Alert, user: User, action: str, request=None) -> bool:
    """Pause, resume or cancel through the engine. Returns whether the alert's state
    changed (a repeated click changes nothing and is not audited twice)."""
    if not can_compose_for(user, alert.chapter):
        raise PermissionDenied(_("You may not control alerts of this chapter."))
    if action not in _CONTROLS:
        raise ValidationError(_("Unknown action."))
    call, audit_action = _CONTROLS[action]
    before = alert.status
    call(alert)
    alert.refresh_from_db()
    changed = alert.status != before
    if changed:
        record_audit(
            actor=user,
            action=audit_action,
            obj=alert,
            changes={"status": [before, alert.status]},
            request=request,
        )
    return changed
