"""What happens to an alert after it is sent, recorded on its recipient rows: the ESP's
tracking events (delivered, opened, clicked, bounced, complained, unsubscribed), an
unsubscribe through the alert's link, and an action taken through the alert's link.

Every write sets a timestamp only where it is still empty, so a redelivered webhook or
a second click changes nothing. Suppression itself (bounces, complaints) is the
``supporters`` app's receiver; this module only marks the alert's rows.
"""

import logging
from datetime import datetime

from anymail.signals import AnymailTrackingEvent, EventType
from django.db.models import QuerySet
from django.utils import timezone

from campaigns.models import Attribution
from harbor.tracking import is_hard_bounce, is_machine

from .compliance import recipient_id_from_send_id
from .models import SOURCE_CODE_PREFIX, AlertRecipient

logger = logging.getLogger(__name__)

# anymail's normalized event -> the recipient's timestamp it sets.
EVENT_FIELDS = {
    EventType.DELIVERED: "delivered_at",
    EventType.OPENED: "opened_at",
    EventType.CLICKED: "clicked_at",
    EventType.BOUNCED: "bounced_at",
    EventType.COMPLAINED: "complained_at",
    EventType.UNSUBSCRIBED: "unsubscribed_at",
}


def recipients_for_event(event: AnymailTrackingEvent) -> QuerySet[AlertRecipient]:
    """The recipient row an event is about: by the send id Harbor put in the message's
    metadata, else by the ESP's message id and the address (one message id may cover a
    whole batch, as Mailgun's does). None for mail that is not an alert."""
    recipient_id = recipient_id_from_send_id((event.metadata or {}).get("send_id"))
    if recipient_id is not None:
        return AlertRecipient.objects.filter(pk=recipient_id)
    if event.message_id and event.recipient:
        return AlertRecipient.objects.filter(
            esp_message_id=event.message_id, email__iexact=event.recipient.strip()
        )
    return AlertRecipient.objects.none()


def record_event(*, event: AnymailTrackingEvent, esp_name: str) -> int:
    """Record one tracking event on its alert recipient; returns the rows changed (0 for
    a repeat, a soft bounce, a machine's click, or mail that is not an alert). A
    machine's open (Apple Mail Privacy Protection, where the ESP says so) sets
    ``machine_open``, never ``opened_at``; a person's open sets ``opened_at`` and clears
    it (``machine_open`` means only a machine has opened the message)."""
    field = EVENT_FIELDS.get(event.event_type)
    if field is None:
        return 0
    machine = event.event_type in (EventType.OPENED, EventType.CLICKED) and is_machine(
        event, esp_name
    )
    if event.event_type == EventType.BOUNCED and not is_hard_bounce(event, esp_name):
        return 0
    rows = recipients_for_event(event)
    if machine:
        if event.event_type != EventType.OPENED:
            return 0  # a scanner following links is no click
        return rows.filter(machine_open=False, opened_at__isnull=True).update(
            machine_open=True
        )
    at = event.timestamp or timezone.now()
    changes: dict[str, object] = {field: at}
    if event.event_type == EventType.OPENED:
        changes["machine_open"] = False  # a person has opened it now
    return rows.filter(**{f"{field}__isnull": True}).update(**changes)


def on_tracking_event(sender, event: AnymailTrackingEvent, esp_name: str, **kwargs):
    """anymail's ``tracking`` signal, connected in ``AlertsConfig.ready``."""
    record_event(event=event, esp_name=esp_name)


def record_unsubscribe(*, supporter_id: int, ref: str, at: datetime) -> int:
    """The alert's own unsubscribe link was used (``supporters.unsubscribe`` calls this
    inside the unsubscribe's transaction)."""
    if not ref.isdigit() or len(ref) > 18:
        return 0
    return AlertRecipient.objects.filter(
        alert_id=int(ref), supporter_id=supporter_id, unsubscribed_at__isnull=True
    ).update(unsubscribed_at=at)


def record_action(*, source_code: str, supporter_id: int, at: datetime) -> int:
    """A signature, call or letter came in with ``referred_by_code`` equal to an alert's
    source code, from someone the alert was sent to: the alert gets the credit. Others
    (a forwarded link) change nothing."""
    return AlertRecipient.objects.filter(
        alert__source_code=source_code,
        supporter_id=supporter_id,
        status=AlertRecipient.Status.SENT,
        acted_at__isnull=True,
    ).update(acted_at=at)


def on_actions_created(sender, pks: list[int], **kwargs) -> None:
    """``harbor.events.records_created`` for every ``campaigns.Attribution`` model
    (signatures, outreaches, and any action added later, one by one or in bulk), after
    they commit: credit the alerts whose source code brought them, in one query."""
    if not (isinstance(sender, type) and issubclass(sender, Attribution)):
        return
    actions = (
        sender.objects.filter(
            pk__in=pks,
            referred_by_code__startswith=SOURCE_CODE_PREFIX,
            supporter_id__isnull=False,
        )
        .values_list("referred_by_code", "supporter_id", "created_at")
        .iterator()
    )
    for code, supporter_id, at in actions:
        # A supporter's share code (most referred actions) is no alert's: not read.
        record_action(
            source_code=code, supporter_id=supporter_id, at=at or timezone.now()
        )
