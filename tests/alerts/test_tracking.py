"""The ESPs' tracking webhooks, through anymail's real URLs and authentication, mark
the alert's recipient rows; the progress counters read them in one query."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from alerts import selectors
from alerts.compliance import (
    recipient_for_mail,
    recipient_id_from_send_id,
    send_id_for,
)
from alerts.models import AlertRecipient
from supporters.models import Supporter, SuppressedAddress
from tests import webhook_payloads as wp
from tests.supporters.factories import SupporterFactory

from .tracking_helpers import make_alert, send

pytestmark = [
    pytest.mark.django_db,
    # Every webhook here is posted with anymail's authentication configured.
    pytest.mark.filterwarnings(
        "error::anymail.exceptions.AnymailInsecureWebhookWarning"
    ),
]


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.SITE_URL = "https://act.example.org"
    settings.HARBOR_POSTAL_ADDRESS = "Harbor Network, PO Box 123, Austin, TX 78701"


@pytest.fixture
def sent(fake_postmark, settings):
    """Three supporters sent one alert through the real Postmark backend."""
    people = [SupporterFactory(email=f"p{i}@example.org") for i in range(3)]
    alert = make_alert()
    rows = send(alert, people)
    wp.webhook_settings(settings)
    by_email = {m["To"]: m for m in fake_postmark.messages}
    return alert, {r.email: r for r in rows}, by_email


def fresh(row):
    return AlertRecipient.objects.get(pk=row.pk)


def test_every_alert_carries_both_unsubscribe_headers_and_its_send_id(sent):
    _alert, rows, messages = sent
    message = messages["p0@example.org"]
    headers = {h["Name"]: h["Value"] for h in message["Headers"]}
    assert headers["List-Unsubscribe"].startswith(
        "<https://act.example.org/unsubscribe/"
    )
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Metadata"]["send_id"] == send_id_for(rows["p0@example.org"].pk)
    assert recipient_id_from_send_id(send_id_for(42)) == 42
    for bad in (None, 42, "alert-recipient-", "alert-recipient-x", "petition-email-1"):
        assert recipient_id_from_send_id(bad) is None


def test_no_postal_address_no_alert(settings):
    settings.HARBOR_POSTAL_ADDRESS = "  "
    with pytest.raises(ImproperlyConfigured, match="HARBOR_POSTAL_ADDRESS"):
        recipient_for_mail(
            recipient_id=1, alert_id=1, supporter_id=1, email="a@example.org"
        )


def test_a_missing_postal_address_is_a_start_up_warning(settings):
    from django.core import checks

    settings.HARBOR_POSTAL_ADDRESS = ""
    ids = {m.id for m in checks.run_checks(tags=["harbor"])}
    assert "alerts.W001" in ids
    settings.HARBOR_POSTAL_ADDRESS = "PO Box 1, Austin, TX"
    assert "alerts.W001" not in {m.id for m in checks.run_checks(tags=["harbor"])}


def test_postmark_events_fill_the_timestamps_once(client, sent):
    _alert, rows, messages = sent
    row = rows["p0@example.org"]
    mid, meta = row.esp_message_id, messages["p0@example.org"]["Metadata"]
    for payload in (
        wp.postmark_delivery(row.email, mid, metadata=meta),
        wp.postmark_open(row.email, mid),
        wp.postmark_click(row.email, mid),
    ):
        assert wp.post(client, "postmark", payload).status_code == 200
    first = fresh(row)
    assert first.delivered_at is not None
    assert first.opened_at is not None
    assert first.clicked_at is not None
    assert not first.machine_open
    # Redelivered: nothing changes.
    for payload in (
        wp.postmark_delivery(row.email, mid, metadata=meta),
        wp.postmark_open(row.email, mid),
    ):
        wp.post(client, "postmark", payload)
    again = fresh(row)
    assert (again.delivered_at, again.opened_at) == (
        first.delivered_at,
        first.opened_at,
    )
    # Other recipients untouched.
    assert fresh(rows["p1@example.org"]).delivered_at is None


def test_a_bounce_and_a_complaint_mark_the_row_and_suppress(client, sent):
    _alert, rows, _ = sent
    bounced, complained = rows["p0@example.org"], rows["p1@example.org"]
    wp.post(
        client, "postmark", wp.postmark_bounce(bounced.email, bounced.esp_message_id)
    )
    wp.post(
        client,
        "postmark",
        wp.postmark_spam(complained.email, complained.esp_message_id),
    )
    assert fresh(bounced).bounced_at is not None
    assert fresh(complained).complained_at is not None
    assert Supporter.objects.get(email=bounced.email).suppression_reason == "bounce"
    assert SuppressedAddress.objects.count() == 2
    # A soft bounce is neither.
    soft = rows["p2@example.org"]
    wp.post(
        client,
        "postmark",
        wp.postmark_bounce(
            soft.email, soft.esp_message_id, kind="SoftBounce", inactive=False
        ),
    )
    assert fresh(soft).bounced_at is None
    assert Supporter.objects.get(email=soft.email).suppressed_at is None


def test_machine_opens_are_told_apart_per_esp(client, sent):
    """SendGrid's sg_machine_open, Mailgun's client-info.bot, Brevo's proxy opens: the
    row gets machine_open, not opened_at; a person's open later still counts."""
    alert, rows, _ = sent
    a, b, c = rows["p0@example.org"], rows["p1@example.org"], rows["p2@example.org"]
    # Mailgun's one message id covers a batch: its events carry the send id back.
    b_meta = {"send_id": send_id_for(b.pk)}
    wp.post(
        client,
        "sendgrid",
        [wp.sendgrid_event("open", a.email, a.esp_message_id, sg_machine_open=True)],
    )
    wp.post(
        client,
        "mailgun",
        wp.mailgun_opened(b.email, "<x@mg>", bot="apple", variables=b_meta),
    )
    wp.post(
        client, "brevo", wp.brevo_event("unique_proxy_open", c.email, c.esp_message_id)
    )
    for row in (a, b, c):
        row = fresh(row)
        assert row.machine_open
        assert row.opened_at is None
    counts = selectors.progress(alert)
    assert counts["opened"] == 0
    assert counts["machine_opened"] == 3
    # A person's opens now.
    wp.post(
        client,
        "sendgrid",
        [wp.sendgrid_event("open", a.email, a.esp_message_id, sg_machine_open=False)],
    )
    wp.post(client, "mailgun", wp.mailgun_opened(b.email, "<x@mg>", variables=b_meta))
    wp.post(client, "brevo", wp.brevo_event("opened", c.email, c.esp_message_id))
    assert all(fresh(r).opened_at is not None for r in (a, b, c))
    # A scanner following the links (Mailgun's bot) is no click; a person's is.
    scan = wp.mailgun_opened(b.email, "<x@mg>", bot="generic", variables=b_meta)
    scan["event-data"].update(event="clicked", url="https://act.example.org/p/")
    wp.post(client, "mailgun", scan)
    assert fresh(b).clicked_at is None
    click = wp.mailgun_opened(b.email, "<x@mg>", variables=b_meta)
    click["event-data"].update(event="clicked", url="https://act.example.org/p/")
    wp.post(client, "mailgun", click)
    assert fresh(b).clicked_at is not None
    counts = selectors.progress(alert)
    assert (counts["opened"], counts["machine_opened"]) == (3, 0)


def test_resend_events_are_verified_by_svix_and_recorded(client, sent):
    _alert, rows, _ = sent
    row = rows["p0@example.org"]
    payload = wp.resend_event("email.delivered", row.email, row.esp_message_id)
    assert wp.post(client, "resend", payload).status_code == 200
    assert fresh(row).delivered_at is not None
    # A bad signature is refused.
    response = client.post(
        "/anymail/resend/tracking/",
        data=wp.resend_event("email.complained", row.email, row.esp_message_id),
        content_type="application/json",
        HTTP_SVIX_ID="msg_x",
        HTTP_SVIX_TIMESTAMP="1764600000",
        HTTP_SVIX_SIGNATURE="v1,AAAA",
        **wp._auth(),
    )
    assert response.status_code == 400
    assert fresh(row).complained_at is None


def test_an_esp_unsubscribe_marks_the_row(client, sent):
    _alert, rows, _ = sent
    row = rows["p0@example.org"]
    wp.post(client, "postmark", wp.postmark_unsubscribe(row.email, row.esp_message_id))
    assert fresh(row).unsubscribed_at is not None
    assert Supporter.objects.get(email=row.email).unsubscribed_at is not None


def test_events_of_other_mail_change_no_alert(client, sent):
    alert, _rows, _ = sent
    wp.post(client, "postmark", wp.postmark_open("p0@example.org", "not-an-alert-id"))
    assert selectors.progress(alert)["opened"] == 0


def test_progress_is_one_query(sent, django_assert_num_queries):
    alert, rows, _ = sent
    AlertRecipient.objects.filter(pk=rows["p2@example.org"].pk).update(
        status=AlertRecipient.Status.FAILED
    )
    with django_assert_num_queries(1):
        counts = selectors.progress(alert)
    assert counts["total"] == 3
    assert counts["sent"] == 2
    assert counts["failed"] == 1
    assert counts["queued"] == 0
    assert counts["percent"] == 100
    assert selectors.progress(make_alert(subject="empty"))["percent"] == 0
