"""An alert sent the way the engine sends one (the audience frozen from emailable
supporters, one recipient row each, one ``harbor.mail.send_batch`` call with the
alert's unsubscribe headers and send ids, the ESP's status recorded per row), for the
tracking tests. The engine itself (alerts/sending.py) is the sending helper's."""

from django.utils import timezone

from alerts.compliance import recipient_for_mail
from alerts.models import Alert, AlertRecipient
from harbor.mail import send_batch
from supporters.models import Supporter


def make_alert(**fields) -> Alert:
    return Alert.objects.create(
        subject=fields.pop("subject", "Call your senator today"),
        body="Hello {{ first_name }}",
        from_name="Harbor Texas",
        from_email="alerts@act.example.org",
        **fields,
    )


def freeze(alert: Alert, supporters) -> list[AlertRecipient]:
    """The freeze rule: only supporters who may get bulk mail become recipients."""
    emailable = Supporter.objects.emailable().filter(pk__in=[s.pk for s in supporters])
    rows = AlertRecipient.objects.bulk_create(
        AlertRecipient(alert=alert, supporter=s, email=s.email) for s in emailable
    )
    alert.recipient_count = len(rows)
    alert.frozen_at = timezone.now()
    alert.save(update_fields=["recipient_count", "frozen_at"])
    return list(AlertRecipient.objects.filter(alert=alert).order_by("pk"))


def send_rows(rows: list[AlertRecipient]):
    """One ``send_batch`` call for ``rows``: the ESP's status by email."""
    return send_batch(
        template="test_message",
        recipients=[
            recipient_for_mail(
                recipient_id=r.pk,
                alert_id=r.alert_id,
                supporter_id=r.supporter_id,
                email=r.email,
            )
            for r in rows
        ],
        context={"name": "friend"},
        stream="bulk",
    )


def send(alert: Alert, supporters) -> list[AlertRecipient]:
    rows = freeze(alert, supporters)
    status = send_rows(rows)
    now = timezone.now()
    for row in rows:
        result = status.get(row.email)
        if result is None:  # dropped by the send path's suppression check
            row.status = AlertRecipient.Status.SUPPRESSED
        else:
            row.status = AlertRecipient.Status.SENT
            row.esp_message_id = result.message_id or ""
            row.sent_at = now
    AlertRecipient.objects.bulk_update(rows, ["status", "esp_message_id", "sent_at"])
    return rows
