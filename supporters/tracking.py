"""anymail's tracking signal → the suppression list and unsubscribes, for every email
Harbor sends (alerts add their own receiver for their recipient rows)."""

import logging

from anymail.signals import AnymailTrackingEvent, EventType

from harbor.tracking import suppression_reason

from . import services
from .models import Supporter

logger = logging.getLogger(__name__)


def on_tracking_event(sender, event: AnymailTrackingEvent, esp_name: str, **kwargs):
    if not event.recipient:
        return
    source = f"webhook:{esp_name}"
    reason = suppression_reason(event, esp_name)
    if reason is not None:
        services.suppress_address(email=event.recipient, reason=reason, source=source)
    elif event.event_type == EventType.UNSUBSCRIBED:
        supporter_id = (
            Supporter.objects.filter(email=event.recipient.strip().lower())
            .values_list("pk", flat=True)
            .first()
        )
        if supporter_id is not None:
            services.unsubscribe_supporter(supporter_id=supporter_id, source=source)
