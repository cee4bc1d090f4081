"""Reads of alerts: which alerts a staff user sees, their list, their progress."""

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Progress:
    """What the alert's page shows while it sends. ``total`` is the frozen recipient
    count; ``done`` those the engine is finished with (sent, failed or suppressed)."""

    status: str
    status_text: str
    total: int
    queued: int
    sent: int
    failed: int
    suppressed: int
    delivered: int
    opened: int
    clicked: int
    acted: int
    # Filled by the tracking webhooks (alerts/tracking.py).
    machine_opened: int = 0
    bounced: int = 0
    complained: int = 0
    unsubscribed: int = 0

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.suppressed

    @property
    def percent(self) -> int:
        if self.total == 0:
            return 100 if self.status == Alert.Status.SENT else 0
        return min(100, (100 * self.done) // self.total)

    def as_json(self) -> dict:
        return {
            "status": self.status,
            "status_text": self.status_text,
            "total": self.total,
            "queued": self.queued,
            "sent": self.sent,
            "failed": self.failed,
            "suppressed": self.suppressed,
            "delivered": self.delivered,
            "opened": self.opened,
            "clicked": self.clicked,
            "acted": self.acted,
            "machine_opened": self.machine_opened,
            "bounced": self.bounced,
            "complained": self.complained,
            "unsubscribed": self.unsubscribed,
            "done": self.done,
            "percent": self.percent,
        }


def progress(alert: Alert) -> Progress:
    """The alert's counters in one aggregate query over its recipients (alerts/tracking.py
    fills the timestamps from the ESP's webhooks). ``opened`` counts people: a row only
    a machine opened (Apple Mail Privacy Protection, where the ESP says so) has
    ``machine_open`` and is counted in ``machine_opened`` instead. Reads only."""
    s = AlertRecipient.Status
    counts = AlertRecipient.objects.filter(alert_id=alert.pk).aggregate(
        rows=Count("pk"),
        queued=Count("pk", filter=Q(status=s.QUEUED)),
        sent=Count("pk", filter=Q(status=s.SENT)),
        failed=Count("pk", filter=Q(status=s.FAILED)),
        suppressed=Count("pk", filter=Q(status=s.SUPPRESSED)),
        delivered=Count("pk", filter=Q(delivered_at__isnull=False)),
        opened=Count("pk", filter=Q(opened_at__isnull=False, machine_open=False)),
        clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
        acted=Count("pk", filter=Q(acted_at__isnull=False)),
        machine_opened=Count("pk", filter=Q(machine_open=True)),
        bounced=Count("pk", filter=Q(bounced_at__isnull=False)),
        complained=Count("pk", filter=Q(complained_at__isnull=False)),
        unsubscribed=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
    )
    rows = counts.pop("rows")
    return Progress(
        status=alert.status,
        status_text=str(alert.get_status_display()),
        total=max(alert.recipient_count, rows),
        **counts,
    )
