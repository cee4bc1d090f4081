"""Bounces and complaints from the ESPs' real webhooks go on the suppression list."""

import pytest

from supporters.models import ConsentEvent, Supporter, SuppressedAddress
from supporters.suppression import email_hash
from tests import webhook_payloads as wp

from .factories import SupporterFactory

pytestmark = [
    pytest.mark.django_db,
    # Every webhook here is posted with anymail's authentication configured.
    pytest.mark.filterwarnings(
        "error::anymail.exceptions.AnymailInsecureWebhookWarning"
    ),
]


@pytest.fixture(autouse=True)
def _webhooks(settings):
    wp.webhook_settings(settings)


def listed(email):
    return set(
        SuppressedAddress.objects.filter(email_hash=email_hash(email)).values_list(
            "reason", flat=True
        )
    )


def test_webhooks_refuse_posts_without_the_secret(client):
    SupporterFactory(email="ana@example.org")
    response = wp.post(
        client, "postmark", wp.postmark_spam("ana@example.org", "m1"), auth=False
    )
    assert response.status_code == 400
    assert not SuppressedAddress.objects.exists()
    # A bad Mailgun signature is refused even with the basic auth.
    payload = wp.mailgun_signed(wp.mailgun_failed("ana@example.org", "<m@x>"))
    payload["signature"]["signature"] = "0" * 64
    response = client.post(
        "/anymail/mailgun/tracking/",
        data=payload,
        content_type="application/json",
        **wp._auth(),
    )
    assert response.status_code == 400
    assert not SuppressedAddress.objects.exists()


def test_mailgun_without_its_signing_key_is_refused_not_a_500(client, settings):
    SupporterFactory(email="ana@example.org")
    settings.ANYMAIL = {
        k: v for k, v in settings.ANYMAIL.items() if k != "MAILGUN_WEBHOOK_SIGNING_KEY"
    }
    payload = wp.mailgun_signed(wp.mailgun_failed("ana@example.org", "<m@x>"))
    response = client.post(
        "/anymail/mailgun/tracking/",
        data=payload,
        content_type="application/json",
        **wp._auth(),
    )
    assert response.status_code == 403
    assert not SuppressedAddress.objects.exists()


def test_a_postmark_complaint_suppresses_once(client):
    ana = SupporterFactory(email="ana@example.org")
    for _ in range(2):  # redelivered: nothing changes the second time
        response = wp.post(
            client, "postmark", wp.postmark_spam("Ana@Example.org", "m1")
        )
        assert response.status_code == 200
    ana.refresh_from_db()
    assert ana.suppression_reason == "complaint"
    assert listed("ana@example.org") == {"complaint"}
    assert ConsentEvent.objects.filter(kind="suppress").count() == 1
    assert SuppressedAddress.objects.get().source == "webhook:Postmark"


def test_hard_bounces_suppress_and_soft_ones_do_not(client):
    wp.post(client, "postmark", wp.postmark_bounce("hard@example.org", "m1"))
    wp.post(
        client,
        "postmark",
        wp.postmark_bounce("soft@example.org", "m2", kind="SoftBounce", inactive=False),
    )
    wp.post(client, "mailgun", wp.mailgun_failed("mg@example.org", "<m3@x>"))
    wp.post(
        client,
        "mailgun",
        wp.mailgun_failed("mgsoft@example.org", "<m4@x>", severity="temporary"),
    )
    wp.post(
        client,
        "sendgrid",
        [
            wp.sendgrid_event("bounce", "sg@example.org", "m5", type="bounce"),
            wp.sendgrid_event("bounce", "sgsoft@example.org", "m6", type="blocked"),
        ],
    )
    wp.post(client, "brevo", wp.brevo_event("hard_bounce", "bv@example.org", "<m7>"))
    wp.post(
        client, "brevo", wp.brevo_event("soft_bounce", "bvsoft@example.org", "<m8>")
    )
    response = wp.post(
        client,
        "resend",
        wp.resend_event(
            "email.bounced",
            "rs@example.org",
            "e1",
            bounce={
                "message": "The recipient's email provider sent a hard bounce message",
                "subType": "Suppressed",
                "type": "Permanent",
            },
        ),
    )
    assert response.status_code == 200
    for email in ("hard", "mg", "sg", "bv", "rs"):
        assert listed(f"{email}@example.org") == {"bounce"}, email
    for email in ("soft", "mgsoft", "sgsoft", "bvsoft"):
        assert listed(f"{email}@example.org") == set(), email


def test_postmark_subscription_changes_for_bounces_and_complaints_suppress(client):
    for email, reason in (
        ("b@example.org", "HardBounce"),
        ("c@example.org", "SpamComplaint"),
    ):
        payload = wp.postmark_unsubscribe(email, "m1")
        payload["SuppressionReason"] = reason
        wp.post(client, "postmark", payload)
    assert listed("b@example.org") == {"bounce"}
    assert listed("c@example.org") == {"complaint"}


def test_an_esp_unsubscribe_unsubscribes_the_supporter(client):
    ana = SupporterFactory(email="ana@example.org")
    wp.post(client, "postmark", wp.postmark_unsubscribe("ana@example.org", "m1"))
    ana.refresh_from_db()
    assert ana.unsubscribed_at is not None
    assert ana.suppressed_at is None
    assert ConsentEvent.objects.get().source == "webhook:Postmark"
    assert not SuppressedAddress.objects.exists()


def test_a_complaint_about_an_unknown_address_is_listed_for_later(client):
    wp.post(client, "postmark", wp.postmark_spam("nobody@example.org", "m1"))
    assert listed("nobody@example.org") == {"complaint"}
    assert not Supporter.objects.exists()


@pytest.mark.parametrize("esp", ["postmark", "sendgrid", "mailgun", "brevo", "resend"])
@pytest.mark.parametrize(
    "body",
    ["garbage", "[]", "{}", "null", '{"RecordType": 5}', '[{"event": "open"}]', "[1]"],
)
def test_a_malformed_body_is_a_400_never_a_500(client, esp, body):
    SupporterFactory(email="ana@example.org")
    client.raise_request_exception = False
    response = client.post(
        f"/anymail/{esp}/tracking/",
        data=body,
        content_type="application/json",
        **wp._auth(),
    )
    assert response.status_code in (200, 400), response.status_code
    assert not SuppressedAddress.objects.exists()
    assert not ConsentEvent.objects.exists()


def test_only_harbors_esps_have_webhooks(client):
    for esp in ("mailjet", "sparkpost", "mandrill"):
        assert client.post(f"/anymail/{esp}/tracking/").status_code == 404


def test_a_real_esp_without_a_webhook_secret_is_a_start_up_warning(settings):
    from django.core import checks

    def ids():
        return {m.id for m in checks.run_checks(tags=["harbor"])}

    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "x"}
    assert "harbor.W002" in ids()
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "x", "WEBHOOK_SECRET": "a:b"}
    assert "harbor.W002" not in ids()
    settings.ANYMAIL = {}
    settings.EMAIL_BACKEND = "harbor.mail_backends.ResendBatchBackend"
    assert "harbor.W002" in ids()
    settings.EMAIL_BACKEND = "harbor.mail_backends.FileEmailBackend"
    assert "harbor.W002" not in ids()


def test_without_a_webhook_secret_a_forged_event_suppresses_no_one(client, settings):
    """anymail accepts any caller when ANYMAIL_WEBHOOK_SECRET is unset: Harbor refuses."""
    settings.ANYMAIL = {
        k: v for k, v in settings.ANYMAIL.items() if k != "WEBHOOK_SECRET"
    }
    supporter = Supporter.objects.create(email="victim@example.org")
    bounce = {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "TypeCode": 1,
        "MessageID": "00000000-0000-0000-0000-000000000001",
        "Email": supporter.email,
        "BouncedAt": "2026-12-01T12:00:00Z",
        "Metadata": {},
        "Inactive": True,
        "ID": 1,
        "MessageStream": "outbound",
    }
    response = client.post(
        "/anymail/postmark/tracking/", bounce, content_type="application/json"
    )
    assert response.status_code == 403
    supporter.refresh_from_db()
    assert supporter.suppressed_at is None
