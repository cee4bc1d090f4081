"""What an ESP's tracking event means, read once for every receiver (as
``harbor.mail.classify_send_error`` reads send errors): is a bounce hard, is an open or a
click a machine's, should the address be suppressed. anymail normalizes the event; the
finer points are in each ESP's own payload (``event.esp_event``), read here per ESP.

ESPs that say nothing about machine opens (Postmark, Resend, Amazon SES) have every open
counted as a person's.
"""

from anymail.signals import AnymailTrackingEvent, EventType, RejectReason

BOUNCE = "bounce"
COMPLAINT = "complaint"


def _get(data, *path):
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def is_hard_bounce(event: AnymailTrackingEvent, esp_name: str) -> bool:
    """A permanent failure: the address will never take mail. anymail's ``bounced``
    includes some soft bounces (Postmark's SoftBounce, SendGrid's blocked, Brevo's
    soft_bounce, Amazon SES's Transient), told apart here."""
    if event.event_type != EventType.BOUNCED:
        return False
    raw = event.esp_event
    if esp_name == "Postmark":
        # A bounce (Type), or a SubscriptionChange that deactivated the address.
        return (
            _get(raw, "Type") == "HardBounce"
            or _get(raw, "SuppressionReason") == "HardBounce"
            or _get(raw, "Inactive") is True
        )
    if esp_name == "SendGrid":
        return _get(raw, "type") in (None, "bounce")
    if esp_name in ("Brevo", "SendinBlue"):
        return _get(raw, "event") != "soft_bounce"
    if esp_name == "Resend":
        kind = _get(raw, "data", "bounce", "type")
        return kind in (None, "Permanent")
    if esp_name == "Amazon SES":
        return _get(raw, "bounce", "bounceType") == "Permanent"
    # Mailgun's temporary failures are already "deferred"; others: trust anymail.
    return True


def suppression_reason(event: AnymailTrackingEvent, esp_name: str) -> str | None:
    """``"bounce"`` or ``"complaint"`` when the event puts the address on the suppression
    list, else None. An ESP's rejection for an earlier bounce, spam or an invalid
    address counts too: the ESP has already given up on it."""
    if event.event_type == EventType.COMPLAINED:
        return COMPLAINT
    if is_hard_bounce(event, esp_name):
        return BOUNCE
    if event.event_type == EventType.REJECTED:
        if event.reject_reason == RejectReason.SPAM:
            return COMPLAINT
        if event.reject_reason in (RejectReason.BOUNCED, RejectReason.INVALID):
            return BOUNCE
    return None


def is_machine(event: AnymailTrackingEvent, esp_name: str) -> bool:
    """An open (or click) by a machine where the ESP says so: Apple Mail Privacy
    Protection's proxy, a security scanner. SendGrid: ``sg_machine_open``; Mailgun:
    ``client-info.bot`` (apple, gmail, generic); Brevo: the ``proxy_open`` and
    ``unique_proxy_open`` events."""
    raw = event.esp_event
    if esp_name == "SendGrid":
        return _get(raw, "sg_machine_open") is True
    if esp_name == "Mailgun":
        return bool(_get(raw, "event-data", "client-info", "bot"))
    if esp_name in ("Brevo", "SendinBlue"):
        return _get(raw, "event") in ("proxy_open", "unique_proxy_open")
    return False
