"""``harbor.mail.send_personal_batch``: one ESP batch call, each recipient their own
message, through anymail's real Resend and Postmark backends (Harbor's subclasses)
against loopback fakes, and the file backend of the embedded setup."""

import email

import pytest
from django.core.exceptions import ImproperlyConfigured

from harbor.mail import PersonalMessage, send_personal_batch
from supporters import services
from tests.supporters.factories import SupporterFactory

pytestmark = pytest.mark.django_db


def _messages(*names):
    return [
        PersonalMessage(
            email=f"{n}@example.org",
            send_id=f"send-{n}",
            subject=f"Hi {n}",
            text=f"Dear {n}",
            html=f"<p>Dear {n}</p>",
            unsubscribe_url=f"https://act.example.org/u/{n}",
        )
        for n in names
    ]


def test_resend_one_batch_call_with_own_content_headers_and_key(fake_resend):
    status = send_personal_batch(
        messages=_messages("ann", "bob"),
        from_email="Texas <tx@act.example.org>",
        reply_to=["reply@act.example.org"],
        tag="alert",
        idempotency_key="key-1",
    )

    assert fake_resend.calls == 1
    ann, bob = fake_resend.accepted
    assert (ann["to"], ann["subject"], ann["text"], ann["html"]) == (
        "ann@example.org",
        "Hi ann",
        "Dear ann",
        "<p>Dear ann</p>",
    )
    assert bob["subject"] == "Hi bob"
    assert bob["headers"]["List-Unsubscribe"] == "<https://act.example.org/u/bob>"
    assert bob["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert bob["reply_to"] == ["reply@act.example.org"]
    assert status["bob@example.org"].message_id == bob["id"]

    # The same call with the same key: Resend answers as the first time, sends nothing.
    again = send_personal_batch(
        messages=_messages("ann", "bob"),
        from_email="Texas <tx@act.example.org>",
        reply_to=["reply@act.example.org"],
        tag="alert",
        idempotency_key="key-1",
    )
    assert len(fake_resend.accepted) == 2
    assert fake_resend.replays == 1
    assert {e: s.message_id for e, s in again.items()} == {
        e: s.message_id for e, s in status.items()
    }


def test_suppressed_addresses_are_dropped(fake_resend):
    gone = SupporterFactory(email="bob@example.org")
    services.suppress_supporter(supporter_id=gone.pk, reason="bounce")

    status = send_personal_batch(
        messages=_messages("ann", "bob"), from_email="tx@act.example.org", tag="alert"
    )

    assert [m["to"] for m in fake_resend.accepted] == ["ann@example.org"]
    assert set(status) == {"ann@example.org"}


def test_postmark_batch_endpoint_with_own_content(fake_postmark, settings):
    settings.EMAIL_BACKEND = "harbor.mail_backends.PostmarkBatchBackend"

    send_personal_batch(
        messages=_messages("ann", "bob"),
        from_email="tx@act.example.org",
        tag="alert",
        idempotency_key="ignored: Postmark has none",
    )

    assert [r["path"] for r in fake_postmark.requests] == ["/email/batch"]
    by_to = {m["To"]: m for m in fake_postmark.messages}
    assert by_to["bob@example.org"]["Subject"] == "Hi bob"
    assert by_to["bob@example.org"]["TextBody"] == "Dear bob"
    assert by_to["ann@example.org"]["HtmlBody"] == "<p>Dear ann</p>"


def test_file_backend_writes_each_recipients_own_message(settings):
    settings.EMAIL_BACKEND = "harbor.mail_backends.FileEmailBackend"

    send_personal_batch(
        messages=_messages("ann", "bob"), from_email="tx@act.example.org", tag="alert"
    )

    files = sorted(settings.HARBOR_MAIL_DIR.glob("*.eml"))
    parsed = [email.message_from_bytes(f.read_bytes()) for f in files]
    assert sorted(m["Subject"] for m in parsed) == ["Hi ann", "Hi bob"]
    bob = next(m for m in parsed if m["To"] == "bob@example.org")
    assert bob["List-Unsubscribe"] == "<https://act.example.org/u/bob>"


def test_a_backend_without_per_recipient_content_is_refused(fake_postmark, settings):
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"

    with pytest.raises(ImproperlyConfigured, match=r"harbor\.mail_backends"):
        send_personal_batch(
            messages=_messages("ann"), from_email="tx@act.example.org", tag="alert"
        )
    assert fake_postmark.requests == []
