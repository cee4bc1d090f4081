"""The merge path: SendGrid, Mailgun and Brevo through anymail's real backends against
loopback fakes of their batch/merge APIs. One content per chunk with the ESP's merge
placeholders; each recipient's name, legislators block and unsubscribe link as
anymail's merge_data; the fake substitutes as the ESP documents, so what it "delivers"
can be compared with the message Harbor renders for that recipient."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts import esp, sending
from alerts.models import Alert, AlertChunk, AlertRecipient
from alerts.rendering import render_for
from tests.fake_esp import FakeBrevo, FakeMailgun, FakeSendGrid

from .conftest import add_members, member
from .conftest import sending_alert as make_alert

pytestmark = [
    pytest.mark.django_db,
    # anymail warns that it dropped official support for SendGrid (README says so).
    pytest.mark.filterwarnings("ignore:django-anymail has dropped official support"),
]

R = AlertRecipient.Status

ESPS = {
    "sendgrid": (
        FakeSendGrid,
        "anymail.backends.sendgrid.EmailBackend",
        lambda f: {"SENDGRID_API_KEY": f.api_key, "SENDGRID_API_URL": f.url + "v3/"},
    ),
    "mailgun": (
        FakeMailgun,
        "anymail.backends.mailgun.EmailBackend",
        lambda f: {"MAILGUN_API_KEY": f.api_key, "MAILGUN_API_URL": f.url + "v3"},
    ),
    "brevo": (
        FakeBrevo,
        "anymail.backends.brevo.EmailBackend",
        lambda f: {"BREVO_API_KEY": f.api_key, "BREVO_API_URL": f.url + "v3/"},
    ),
}


@pytest.fixture(params=sorted(ESPS))
def fake_merge_esp(request, settings):
    fake_class, backend, anymail_settings = ESPS[request.param]
    with fake_class() as fake:
        settings.EMAIL_BACKEND = backend
        settings.ANYMAIL = anymail_settings(fake)
        fake.name = request.param
        yield fake


@pytest.fixture
def fake_brevo(settings):
    _fake, backend, anymail_settings = ESPS["brevo"]
    with FakeBrevo() as fake:
        settings.EMAIL_BACKEND = backend
        settings.ANYMAIL = anymail_settings(fake)
        yield fake


def _send_all(alert: Alert) -> None:
    for pk in alert.chunks.order_by("number").values_list("pk", flat=True):
        sending.send_chunk(chunk_id=pk)


def test_each_recipient_gets_the_message_harbor_renders_for_them(
    fake_merge_esp, tx_sender, legislators
):
    """The merged message is the rendered one: same subject and text, and the HTML
    with the recipient's own (escaped) name, legislators and unsubscribe link."""
    chapter, leader = tx_sender
    people = [
        member(chapter, first_name="Ana", state="TX", congressional_district="TX-25"),
        member(chapter, first_name="Ben <b>&amp;", state="TX"),
        member(chapter, first_name="", state="OH"),
        member(chapter, first_name="%recipient.last_name% -harbor-last_name-"),
    ]
    alert = make_alert(chapter, leader)
    assert sending.start_sending(alert) is True
    _send_all(alert)

    assert fake_merge_esp.calls == 1  # one chunk, one batch call
    by_to = {m["to"]: m for m in fake_merge_esp.accepted}
    assert len(fake_merge_esp.accepted) == 4 == len(by_to)
    for supporter in people:
        got = by_to[supporter.email]
        row = AlertRecipient.objects.get(alert=alert, supporter=supporter)
        url = sending.unsubscribe_url_for(row)
        subject, text, html = render_for(alert, supporter, unsubscribe_url=url)
        assert got["subject"] == subject
        assert got["text"] == text
        assert got["html"] == html
        assert got["headers"]["List-Unsubscribe"].startswith(f"<{url}>")
        assert got["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert row.status == R.SENT
        assert row.esp_message_id
    ana = by_to[people[0].email]
    assert "Roger Williams" in ana["text"]
    assert "202-225-9896" in ana["text"]
    assert 'href="tel:2022259896"' in ana["html"]
    ben = by_to[people[1].email]
    assert "Ben &lt;b&gt;&amp;amp;" in ben["html"]
    assert "<b>" not in ben["html"]
    assert "Roger Williams" not in ben["text"]  # no House district stored
    # A name that looks like a placeholder is a name, filled in once, never again.
    odd = by_to[people[3].email]
    assert "Hello %recipient.last_name% -harbor-last_name-," in odd["text"]
    alert.refresh_from_db()
    assert alert.status == Alert.Status.SENT


def test_chunks_are_the_esps_batch_size_and_everyone_gets_exactly_one(
    fake_merge_esp, tx_sender, settings
):
    chapter, leader = tx_sender
    add_members(chapter, 25, prefix="tx")
    settings.ALERTS_CHUNK_SIZE = 10
    alert = make_alert(chapter, leader)
    sending.start_sending(alert)
    assert [c.size for c in alert.chunks.order_by("number")] == [10, 10, 5]

    _send_all(alert)

    assert fake_merge_esp.calls == 3
    assert sorted(fake_merge_esp.sent_to) == sorted(
        f"tx{i}@example.org" for i in range(25)
    )
    one = next(m for m in fake_merge_esp.accepted if m["to"] == "tx7@example.org")
    assert one["subject"] == "Call P7 today"
    assert one["from"] == "Texas chapter <texas@act.example.org>"
    assert one["reply_to"] == "replies@act.example.org"


@pytest.mark.parametrize(
    ("backend", "limit"),
    [
        ("anymail.backends.sendgrid.EmailBackend", 1000),
        ("anymail.backends.mailgun.EmailBackend", 1000),
        ("anymail.backends.brevo.EmailBackend", 1000),
    ],
)
def test_the_merge_esps_take_the_merge_path(settings, backend, limit):
    settings.EMAIL_BACKEND = backend
    profile = esp.require_sendable()
    assert profile.path == "merge"
    assert esp.chunk_size() == limit


def test_a_brevo_chunk_repeated_after_it_was_accepted_sends_nothing_new(
    fake_brevo, tx_sender
):
    """The window between "Brevo accepted" and "the rows are marked": the repeat
    carries the chunk's idempotencyKey, and Brevo processes the request only once."""
    chapter, leader = tx_sender
    add_members(chapter, 12, prefix="tx")
    alert = make_alert(chapter, leader)
    sending.start_sending(alert)
    chunk = alert.chunks.get()
    sending.send_chunk(chunk_id=chunk.pk)
    assert fake_brevo.requests[0]["headers"]["idempotencyKey"] == chunk.idempotency_key
    AlertRecipient.objects.filter(alert=alert).update(
        status=R.QUEUED, esp_message_id="", sent_at=None
    )
    AlertChunk.objects.filter(pk=chunk.pk).update(
        status="running",
        claim_token=None,
        claimed_at=timezone.now() - timedelta(hours=1),
        finished_at=None,
    )
    Alert.objects.filter(pk=alert.pk).update(status=Alert.Status.SENDING)

    assert sending.send_chunk(chunk_id=chunk.pk) == "sent"

    assert len(fake_brevo.accepted) == 12
    assert fake_brevo.replays == 1
    assert set(AlertRecipient.objects.values_list("status", flat=True)) == {R.SENT}


def test_a_merge_esps_5xx_backs_off_and_the_retry_sends_once(fake_merge_esp, tx_sender):
    chapter, leader = tx_sender
    add_members(chapter, 5, prefix="tx")
    alert = make_alert(chapter, leader)
    sending.start_sending(alert)
    chunk = alert.chunks.get()
    fake_merge_esp.fail_next = [503]

    assert sending.send_chunk(chunk_id=chunk.pk) == "retry"
    assert fake_merge_esp.accepted == []
    AlertChunk.objects.filter(pk=chunk.pk).update(next_attempt_at=timezone.now())
    assert sending.send_chunk(chunk_id=chunk.pk) == "sent"
    assert len(fake_merge_esp.sent_to) == 5


def test_amazon_ses_is_refused_with_a_clear_message(settings, tx_sender):
    from django.core.exceptions import ImproperlyConfigured

    chapter, leader = tx_sender
    add_members(chapter, 2, prefix="tx")
    settings.EMAIL_BACKEND = "anymail.backends.amazon_ses.EmailBackend"
    alert = make_alert(chapter, leader)
    with pytest.raises(ImproperlyConfigured, match=r"Amazon SES.*stored-template"):
        sending.start_sending(alert)
    assert not AlertRecipient.objects.exists()
