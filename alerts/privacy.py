"""Alerts' part of a supporter's export and erasure (registered with
``supporters.privacy`` in ``AlertsConfig.ready()``): the alerts sent to them and what
happened to each."""

from datetime import datetime

from django.db.models import Q, QuerySet

from supporters.models import Supporter

from .models import AlertRecipient

EVENTS = ("sent_at", "delivered_at", "opened_at", "clicked_at", "acted_at",
          "bounced_at", "complained_at", "unsubscribed_at")  # fmt: skip


def export_recipients(supporter: Supporter) -> list[dict]:
    return [
        {
            "alert": r.alert.subject,
            "email": r.email,
            "status": r.status,
            **{event: getattr(r, event) for event in EVENTS},
            "machine_open": r.machine_open,
        }
        for r in AlertRecipient.objects.filter(supporter_id=supporter.pk)
        .select_related("alert")
        .order_by("pk")
    ]


def erase_recipients(supporter: Supporter) -> int:
    """The recipient rows stay (an alert's progress is an aggregate over them), without
    the address they were sent to; a row still queued (an alert being sent now) is
    suppressed instead of sent (the total stays; it moves from queued to suppressed)."""
    rows = AlertRecipient.objects.filter(supporter_id=supporter.pk)
    rows.filter(status=AlertRecipient.Status.QUEUED).update(
        status=AlertRecipient.Status.SUPPRESSED, error="erased before sending"
    )
    return rows.update(email="")


def engaged_since(since: datetime | None) -> QuerySet:
    """Recipients who opened (a person's open), clicked or acted: being sent an alert is
    no activity of the supporter's."""
    rows = AlertRecipient.objects.filter(supporter__isnull=False)
    if since is not None:
        rows = rows.filter(
            Q(opened_at__gte=since, machine_open=False)
            | Q(clicked_at__gte=since)
            | Q(acted_at__gte=since)
        )
    return rows.values("supporter_id")
