"""Reads of alerts: which alerts a staff user sees, their list, their progress."""

from django.db.models import Count, Q, QuerySet

from accounts.models import Chapter
from accounts.selectors import AnyUser, chapters_visible_to, sees_everything, visible_to

from .models import Alert, AlertRecipient


def alerts_visible_to(user: AnyUser) -> QuerySet[Alert]:
    """National staff see every alert; a chapter leader the alerts of the chapters they
    lead (never the national list's); anyone else none."""
    return visible_to(user, Alert.objects.all(), chapter_path="chapter")


def staff_alerts(user: AnyUser) -> QuerySet[Alert]:
    """The alert list: newest first, with what each row shows in the same query."""
    return alerts_visible_to(user).select_related("chapter", "campaign", "created_by")


def composable_chapters(user: AnyUser) -> QuerySet[Chapter]:
    """The chapters ``user`` may write alerts for (national staff: all of them, and the
    national list besides, which is not a chapter)."""
    if not (user.is_authenticated and user.has_perm("alerts.add_alert")):
        return Chapter.objects.none()
    return chapters_visible_to(user).order_by("kind", "name")


def may_send_nationally(user: AnyUser) -> bool:
    return sees_everything(user) and user.has_perm("alerts.add_alert")


# The counters of an alert's progress page, each one COUNT(...) FILTER (WHERE ...). The
# same keys as the tracking part's version of this selector (issue #10), so either serves.
PROGRESS_COUNTS = {
    "total": Q(),
    "queued": Q(status=AlertRecipient.Status.QUEUED),
    "sent": Q(status=AlertRecipient.Status.SENT),
    "failed": Q(status=AlertRecipient.Status.FAILED),
    "suppressed": Q(status=AlertRecipient.Status.SUPPRESSED),
    "cancelled": Q(status=AlertRecipient.Status.CANCELLED),
    "delivered": Q(delivered_at__isnull=False),
    # People only: tracking records a machine's open (a mail client's prefetch) with
    # machine_open and no opened_at.
    "opened": Q(opened_at__isnull=False, machine_open=False),
    "machine_opened": Q(machine_open=True),
    "clicked": Q(clicked_at__isnull=False),
    "acted": Q(acted_at__isnull=False),
    "bounced": Q(bounced_at__isnull=False),
    "complained": Q(complained_at__isnull=False),
    "unsubscribed": Q(unsubscribed_at__isnull=False),
}


def progress(alert: Alert) -> dict[str, int]:
    """Every counter of the alert's progress in one aggregate query over its recipient
    rows (the engine writes the statuses, tracking the timestamps): total, queued, sent,
    failed, suppressed, cancelled (never sent: the alert was cancelled), delivered, opened (by people), machine_opened, clicked, acted,
    bounced, complained, unsubscribed, and ``percent``: rows no longer queued, of all
    rows (0 before the audience is frozen). Reads only."""
    counts = AlertRecipient.objects.filter(alert_id=alert.pk).aggregate(
        **{
            name: Count("pk", filter=condition) if condition else Count("pk")
            for name, condition in PROGRESS_COUNTS.items()
        }
    )
    total = counts["total"]
    counts["percent"] = (100 * (total - counts["queued"])) // total if total else 0
    return counts
