"""The one send path, through anymail's real Postmark backend and a loopback fake ESP."""

import json

import pytest
from anymail.exceptions import AnymailAPIError

from harbor.mail import Recipient, send_batch
from supporters import services

from .supporters.factories import SupporterFactory

pytestmark = pytest.mark.django_db


def recipients(*emails):
    return [
        Recipient(
            email=e,
            send_id=f"send-{i}",
            unsubscribe_url=f"https://act.example.org/u/{i}",
        )
        for i, e in enumerate(emails)
    ]


def test_one_batch_call_with_per_recipient_metadata_and_unsubscribe_headers(
    fake_postmark,
):
    status = send_batch(
        template="test_message",
        recipients=recipients("a@example.org", "b@example.org"),
        context={"name": "friend"},
        stream="bulk",
    )

    assert len(fake_postmark.requests) == 1
    request = fake_postmark.requests[0]
    assert request["path"] == "/email/batch"
    assert request["token"] == "test-token"
    by_to = {m["To"]: m for m in fake_postmark.messages}
    assert set(by_to) == {"a@example.org", "b@example.org"}
    assert by_to["b@example.org"]["Metadata"] == {"send_id": "send-1", "stream": "bulk"}
    assert by_to["b@example.org"]["Tag"] == "test_message"
    headers = {h["Name"]: h["Value"] for h in by_to["b@example.org"]["Headers"]}
    assert headers["List-Unsubscribe"] == "<https://act.example.org/u/1>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert by_to["a@example.org"]["Subject"] == "Hello from Harbor"
    assert "Hello friend" in by_to["a@example.org"]["TextBody"]
    assert {s.status for s in status.values()} == {"sent"}
    assert all(s.message_id for s in status.values())


def test_suppressed_and_unsubscribed_recipients_are_dropped(fake_postmark):
    bounced = SupporterFactory(email="bounced@example.org")
    services.suppress_supporter(supporter_id=bounced.pk, reason="bounce")
    gone = SupporterFactory(email="gone@example.org")
    services.unsubscribe_supporter(supporter_id=gone.pk, source="test")

    bulk = send_batch(
        template="test_message",
        recipients=recipients(
            "bounced@example.org", "gone@example.org", "ok@example.org"
        ),
        context={},
        stream="bulk",
    )
    transactional = send_batch(
        template="test_message",
        recipients=recipients("bounced@example.org", "gone@example.org"),
        context={},
        stream="transactional",
    )

    assert set(bulk) == {"ok@example.org"}
    # An unsubscribe stops campaigns, not the receipt a person just asked for; a bounce
    # or complaint stops everything.
    assert set(transactional) == {"gone@example.org"}


def test_nothing_is_sent_when_every_recipient_is_suppressed(fake_postmark):
    services.suppress_supporter(
        supporter_id=SupporterFactory(email="x@example.org").pk, reason="complaint"
    )
    assert (
        send_batch(
            template="test_message",
            recipients=recipients("x@example.org"),
            context={},
            stream="bulk",
        )
        == {}
    )
    assert fake_postmark.requests == []


def test_inactive_recipient_is_reported_rejected(fake_postmark):
    fake_postmark.inactive.add("dead@example.org")
    status = send_batch(
        template="test_message",
        recipients=recipients("dead@example.org", "live@example.org"),
        context={},
        stream="bulk",
    )
    assert status["dead@example.org"].status == "rejected"
    assert status["live@example.org"].status == "sent"


def test_esp_server_error_raises_for_the_caller_to_retry(fake_postmark):
    fake_postmark.fail_next.append(500)
    with pytest.raises(AnymailAPIError):
        send_batch(
            template="test_message",
            recipients=recipients("a@example.org"),
            context={},
            stream="bulk",
        )


def test_default_file_backend_writes_each_message(settings, tmp_path):
    settings.EMAIL_BACKEND = "harbor.mail_backends.FileEmailBackend"
    settings.HARBOR_MAIL_DIR = tmp_path
    status = send_batch(
        template="test_message",
        recipients=recipients("a@example.org"),
        context={"name": "Ana"},
        stream="transactional",
    )
    message_id = status["a@example.org"].message_id
    eml = (tmp_path / f"{message_id}.eml").read_text()
    assert "Hello Ana" in eml
    assert "To: a@example.org" in eml
    meta = json.loads((tmp_path / f"{message_id}.json").read_text())
    assert meta["merge_metadata"] == {"a@example.org": {"send_id": "send-0"}}


def test_merge_data_on_an_esp_that_cannot_merge_fails_loudly(fake_postmark):
    from anymail.exceptions import AnymailUnsupportedFeature

    with pytest.raises(AnymailUnsupportedFeature):
        send_batch(
            template="test_message",
            recipients=[
                Recipient(email="a@example.org", send_id="1", merge_data={"name": "A"})
            ],
            context={},
            stream="bulk",
        )
    assert fake_postmark.requests == []
