"""Reads of alerts."""

from django.db.models import Count, Q

from .models import Alert, AlertRecipient

# The counters of an alert's progress page, each one COUNT(...) FILTER (WHERE ...).
PROGRESS_COUNTS = {
    "total": Q(),
    "queued": Q(status=AlertRecipient.Status.QUEUED),
    "sent": Q(status=AlertRecipient.Status.SENT),
    "failed": Q(status=AlertRecipient.Status.FAILED),
    "suppressed": Q(status=AlertRecipient.Status.SUPPRESSED),
    "delivered": Q(delivered_at__isnull=False),
    # People only: a machine's open (Apple Mail Privacy Protection) is counted apart.
    "opened": Q(opened_at__isnull=False),
    "machine_opened": Q(machine_open=True, opened_at__isnull=True),
    "clicked": Q(clicked_at__isnull=False),
    "acted": Q(acted_at__isnull=False),
    "bounced": Q(bounced_at__isnull=False),
    "complained": Q(complained_at__isnull=False),
    "unsubscribed": Q(unsubscribed_at__isnull=False),
}


def progress(alert: Alert) -> dict[str, int]:
    """Every counter of an alert's progress in one aggregate query over its recipient
    rows (the (alert, status) index and the alert's foreign key serve it):
    total, queued, sent, failed, suppressed, delivered, opened (by people),
    machine_opened, clicked, acted, bounced, complained, unsubscribed, and ``percent``
    (rows no longer queued, of all rows; 0 before the audience is frozen)."""
    counts = AlertRecipient.objects.filter(alert=alert).aggregate(
        **{
            name: Count("pk", filter=condition) if condition else Count("pk")
            for name, condition in PROGRESS_COUNTS.items()
        }
    )
    total = counts["total"]
    done = total - counts["queued"]
    counts["percent"] = int(100 * done / total) if total else 0
    return counts
