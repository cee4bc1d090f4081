"""Through the real engine (alerts.sending, anymail's Resend backend, the loopback fake
Resend) and the real webhooks: an address that unsubscribed through the alert's own
List-Unsubscribe link, bounced, complained, or complained and was erased, never
receives a later alert."""

import pytest
from django.test import Client

from alerts import selectors, sending
from alerts.models import Alert, AlertRecipient
from supporters.models import Supporter, SuppressedAddress
from tests import webhook_payloads as wp

from .conftest import add_members
from .conftest import sending_alert as make_alert

pytestmark = [
    pytest.mark.django_db,
    # Every webhook here is posted with anymail's authentication configured.
    pytest.mark.filterwarnings(
        "error::anymail.exceptions.AnymailInsecureWebhookWarning"
    ),
]


def send_all(alert: Alert) -> None:
    assert sending.start_sending(alert)
    for pk in alert.chunks.order_by("number").values_list("pk", flat=True):
        sending.send_chunk(chunk_id=pk)


def test_unsubscribed_bounced_complained_and_erased_never_get_a_later_alert(
    fake_resend, tx_sender, settings, client
):
    wp.webhook_settings(settings)
    settings.SITE_URL = "https://act.example.org"
    chapter, leader = tx_sender
    add_members(chapter, 6, prefix="tx")
    first = make_alert(chapter, leader)
    send_all(first)
    sent = {m["to"]: m for m in fake_resend.accepted}
    assert len(sent) == 6
    rows = {r.email: r for r in AlertRecipient.objects.filter(alert=first)}

    # tx0: the mailbox's RFC 8058 one-click POST to the header's URL.
    link = sent["tx0@example.org"]["headers"]["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://act.example.org/unsubscribe/")
    mailbox = Client(enforce_csrf_checks=True)
    path = link.removeprefix("https://act.example.org")
    assert mailbox.get(path).status_code == 200  # a scanner's GET: nothing
    assert Supporter.objects.get(email="tx0@example.org").unsubscribed_at is None
    assert (
        mailbox.post(
            path,
            data="List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        ).status_code
        == 200
    )
    # tx1 bounces, tx2 complains, tx3 complains and is then erased.
    bounce = {"message": "The recipient's email provider sent a hard bounce message"}
    for email, kind, data in (
        (
            "tx1@example.org",
            "email.bounced",
            {"bounce": {**bounce, "type": "Permanent"}},
        ),
        ("tx2@example.org", "email.complained", {}),
        ("tx3@example.org", "email.complained", {}),
    ):
        payload = wp.resend_event(kind, email, rows[email].esp_message_id, **data)
        response = wp.post(client, "resend", payload, svix_id=f"msg_{email}")
        assert response.status_code == 200
    Supporter.objects.filter(email="tx3@example.org").delete()
    assert SuppressedAddress.objects.count() == 3

    counts = selectors.progress(first)
    assert (counts["unsubscribed"], counts["bounced"], counts["complained"]) == (
        1,
        1,
        2,
    )

    # tx3 signs up again (a new record; the hashed list marks it suppressed at once).
    from supporters.services import upsert_supporter

    again, _ = upsert_supporter(
        email="tx3@example.org", opt_in=True, opt_in_method="form", state="TX"
    )
    assert again.suppression_reason == "complaint"
    assert again.memberships.filter(chapter=chapter).exists()  # in the audience's reach

    fake_resend.accepted.clear()
    second = make_alert(chapter, leader, subject="Second alert")
    send_all(second)
    assert sorted(m["to"] for m in fake_resend.accepted) == [
        "tx4@example.org",
        "tx5@example.org",
    ]


def test_no_postal_address_no_send(fake_resend, tx_sender, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.HARBOR_POSTAL_ADDRESS = ""
    chapter, leader = tx_sender
    add_members(chapter, 2, prefix="tx")
    alert = make_alert(chapter, leader)
    with pytest.raises(ImproperlyConfigured, match="HARBOR_POSTAL_ADDRESS"):
        sending.start_sending(alert)
    alert.refresh_from_db()
    assert alert.status == Alert.Status.DRAFT
    assert not AlertRecipient.objects.exists()
