"""What every alert must carry by law and by RFC 8058: a one-click unsubscribe per
recipient (``List-Unsubscribe`` and ``List-Unsubscribe-Post`` headers, the footer link)
and the organisation's postal address in the footer; and the send id that ties an ESP's
webhook back to the recipient row.

The sending engine builds each ``harbor.mail.Recipient`` with ``recipient_for_mail``;
the alert's email template shows ``footer_context``'s fields.
"""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from harbor.mail import Recipient
from supporters.unsubscribe import unsubscribe_mailto, unsubscribe_url

SEND_ID_PREFIX = "alert-recipient-"


def topic_for(alert_id: int) -> str:
    """The unsubscribe token's topic for an alert: the unsubscribe is from all bulk
    email, and the alert's recipient row is marked."""
    return f"alert:{alert_id}"


def unsubscribe_url_for(*, alert_id: int, supporter_id: int) -> str:
    """The https link of the header and the footer: GET asks for one click, POST (the
    button or a mailbox's one-click) unsubscribes."""
    return unsubscribe_url(supporter_id=supporter_id, topic=topic_for(alert_id))


def unsubscribe_mailto_for(*, alert_id: int, supporter_id: int) -> str:
    """``List-Unsubscribe``'s mailto when ``HARBOR_UNSUBSCRIBE_MAILTO`` is set, else ""."""
    return unsubscribe_mailto(supporter_id=supporter_id, topic=topic_for(alert_id))


def postal_address() -> str:
    """``HARBOR_POSTAL_ADDRESS``, required in every alert's footer (CAN-SPAM)."""
    address = settings.HARBOR_POSTAL_ADDRESS.strip()
    if not address:
        raise ImproperlyConfigured(
            "HARBOR_POSTAL_ADDRESS is not set: alerts cannot be sent without the "
            "organisation's postal address in their footer. Set it to the mailing "
            "address, e.g. 'Harbor Network, PO Box 123, Austin, TX 78701'."
        )
    return address


def check_postal_address(app_configs=None, **kwargs):
    """Registered in ``AlertsConfig.ready``: say at start-up what ``start_sending`` would
    refuse later."""
    if settings.HARBOR_POSTAL_ADDRESS.strip():
        return []
    return [
        checks.Warning(
            "HARBOR_POSTAL_ADDRESS is not set: no alert can be sent.",
            hint="Set it to the organisation's mailing address (every alert's footer).",
            id="alerts.W001",
        )
    ]


def send_id_for(recipient_id: int) -> str:
    """The send id ``harbor.mail`` puts in ``merge_metadata``; webhooks bring it back."""
    return f"{SEND_ID_PREFIX}{recipient_id}"


def recipient_id_from_send_id(send_id: object) -> int | None:
    if not isinstance(send_id, str) or not send_id.startswith(SEND_ID_PREFIX):
        return None
    tail = send_id[len(SEND_ID_PREFIX) :]
    return int(tail) if tail.isdigit() and len(tail) < 19 else None


def footer_context(*, alert_id: int, supporter_id: int) -> dict[str, str]:
    """The footer's merge fields for one recipient: their unsubscribe link and the
    postal address (raises ImproperlyConfigured without one)."""
    return {
        "unsubscribe_url": unsubscribe_url_for(
            alert_id=alert_id, supporter_id=supporter_id
        ),
        "postal_address": postal_address(),
    }


def recipient_for_mail(
    *,
    recipient_id: int,
    alert_id: int,
    supporter_id: int,
    email: str,
    merge_data: dict | None = None,
) -> Recipient:
    """One ``harbor.mail.Recipient`` of an alert: its send id and its unsubscribe
    headers (https, and mailto when ``HARBOR_UNSUBSCRIBE_MAILTO`` is set). The footer's
    fields (``footer_context``) go into the recipient's content by the ESP's path:
    ``merge_data`` where the ESP merges, the rendered message where it does not."""
    postal_address()  # no alert leaves without the address in its footer
    return Recipient(
        email=email,
        send_id=send_id_for(recipient_id),
        merge_data=merge_data or {},
        unsubscribe_url=unsubscribe_url_for(
            alert_id=alert_id, supporter_id=supporter_id
        ),
        unsubscribe_mailto=unsubscribe_mailto_for(
            alert_id=alert_id, supporter_id=supporter_id
        ),
    )
