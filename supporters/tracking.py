"""anymail's tracking signal → the suppression list and unsubscribes, for every email
Harbor sends (alerts add their own receiver for their recipient rows); its inbound
signal → List-Unsubscribe's mailto."""

import logging

from anymail.signals import AnymailTrackingEvent, EventType
from django.conf import settings

from harbor.tracking import suppression_reason

from . import services, unsubscribe
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


def on_inbound(sender, event, esp_name: str, **kwargs):
    """anymail's ``inbound`` signal: a mail to ``HARBOR_UNSUBSCRIBE_MAILTO`` whose subject
    is ``unsubscribe <token>`` (what List-Unsubscribe's mailto writes) unsubscribes the
    token's supporter. Anything else sent there is ignored."""
    mailbox = settings.HARBOR_UNSUBSCRIBE_MAILTO.strip().lower()
    message = getattr(event, "message", None)
    if not mailbox or message is None:
        return
    addressed = {a.addr_spec.lower() for a in [*message.to, *message.cc]}
    if message.envelope_recipient:
        addressed.add(message.envelope_recipient.lower())
    if mailbox not in addressed:
        return
    word, _, rest = (message.subject or "").strip().partition(" ")
    token = (
        unsubscribe.read_token(rest.strip()) if word.lower() == "unsubscribe" else None
    )
    if token is None:
        logger.info("unsubscribe mail without a valid token via %s", esp_name)
        return
    services.unsubscribe_with_token(token=token, method="mailto")
