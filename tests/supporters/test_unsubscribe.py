"""Unsubscribe links: signed tokens, a one-click page that a GET never triggers, and the
RFC 8058 one-click POST."""

import pytest
from django.urls import reverse

from harbor.mail import Recipient, send_batch
from supporters import unsubscribe
from supporters.models import ConsentEvent, Subscription, Supporter

from .factories import SupporterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana():
    supporter = SupporterFactory(email="ana@example.org")
    Subscription.objects.create(
        supporter=supporter, list="newsletter", subscribed_at="2026-01-01T00:00Z"
    )
    return supporter


def path_for(supporter, topic="newsletter"):
    token = unsubscribe.make_token(supporter_id=supporter.pk, topic=topic)
    return reverse("supporters:unsubscribe", args=[token])


def test_the_token_names_the_supporter_and_topic_never_the_address(ana, settings):
    settings.SITE_URL = "https://act.example.org"
    url = unsubscribe.unsubscribe_url(supporter_id=ana.pk, topic="alert:7")
    assert url.startswith("https://act.example.org/unsubscribe/")
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert "ana" not in url
    assert "example.org/unsub" not in token
    parsed = unsubscribe.read_token(token)
    assert parsed == unsubscribe.UnsubscribeToken(supporter_id=ana.pk, topic="alert:7")
    assert (parsed.kind, parsed.ref) == ("alert", "7")
    # Another supporter's id in the same shape is not signed: refused.
    forged = unsubscribe.make_token(supporter_id=ana.pk + 1, topic="alert:7")
    assert unsubscribe.read_token(token[:-3] + forged[-3:]) is None
    assert unsubscribe.read_token("garbage") is None
    assert unsubscribe.read_token("") is None


def test_a_get_shows_one_button_and_unsubscribes_no_one(client, ana):
    response = client.get(path_for(ana))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'method="post"' in body
    assert "<button" in body
    assert "ana@example.org" not in body
    assert "<script" not in body
    ana.refresh_from_db()
    assert ana.unsubscribed_at is None
    assert ana.email_opt_in
    assert not ConsentEvent.objects.exists()


def test_the_button_unsubscribes_with_no_login_and_no_csrf_token(ana):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(path_for(ana, "alert:7"), {"confirm": "1"})
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    ana.refresh_from_db()
    assert ana.unsubscribed_at is not None
    assert not ana.email_opt_in
    assert ana.subscriptions.get().unsubscribed_at is not None
    event = ConsentEvent.objects.get()
    assert (event.kind, event.source) == ("unsubscribe", "unsubscribe_page:alert:7")
    # Again: the same page, nothing new recorded.
    assert client.post(path_for(ana, "alert:7")).status_code == 200
    assert ConsentEvent.objects.count() == 1


def test_rfc_8058_one_click_post_unsubscribes_at_once(ana):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)  # a mailbox provider: no cookie, no CSRF
    response = client.post(
        path_for(ana),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert not response.cookies
    ana.refresh_from_db()
    assert ana.unsubscribed_at is not None
    assert ConsentEvent.objects.get().source == "one_click:newsletter"


def test_bad_tokens_get_a_clear_400_and_change_nothing(client, ana):
    bad = reverse("supporters:unsubscribe", args=["not-a-token"])
    response = client.get(bad)
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert client.post(bad).status_code == 400
    response = client.post(
        bad,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert not ConsentEvent.objects.exists()


def test_an_erased_supporters_link_still_answers(client, ana):
    path = path_for(ana)
    Supporter.objects.filter(pk=ana.pk).delete()
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 200


def test_the_page_speaks_spanish(client, ana):
    response = client.get(path_for(ana) + "?lang=es")
    body = response.content.decode()
    assert 'lang="es"' in body
    assert "Cancelar la suscripción" in body


def test_an_unsubscribed_address_gets_no_later_bulk_mail(client, ana, fake_postmark):
    client.post(path_for(ana), {"confirm": "1"})
    sent = send_batch(
        template="test_message",
        recipients=[Recipient(email="ana@example.org", send_id="1")],
        context={"name": "x"},
        stream="bulk",
    )
    assert sent == {}
    assert fake_postmark.requests == []


def test_headers_carry_the_https_link_and_the_mailto(fake_postmark, ana, settings):
    settings.HARBOR_UNSUBSCRIBE_MAILTO = "unsubscribe@act.example.org"
    url = unsubscribe.unsubscribe_url(supporter_id=ana.pk)
    mailto = unsubscribe.unsubscribe_mailto(supporter_id=ana.pk)
    assert mailto.startswith(
        "mailto:unsubscribe@act.example.org?subject=unsubscribe%20"
    )
    send_batch(
        template="test_message",
        recipients=[
            Recipient(
                email="ana@example.org",
                send_id="1",
                unsubscribe_url=url,
                unsubscribe_mailto=mailto,
            )
        ],
        context={"name": "x"},
        stream="bulk",
    )
    (message,) = fake_postmark.messages
    headers = {h["Name"]: h["Value"] for h in message["Headers"]}
    assert headers["List-Unsubscribe"] == f"<{url}>, <{mailto}>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def postmark_inbound(to, subject):
    return {
        "FromFull": {"Email": "ana@example.org", "Name": "Ana", "MailboxHash": ""},
        "ToFull": [{"Email": to, "Name": "", "MailboxHash": ""}],
        "CcFull": [],
        "BccFull": [],
        "OriginalRecipient": to,
        "ReplyTo": "",
        "Subject": subject,
        "MessageID": "22c74902-a0c1-4511-804f2-341342852c90",
        "Date": "Tue, 1 Dec 2026 18:31:04 -0700",
        "TextBody": "",
        "HtmlBody": "",
        "StrippedTextReply": "",
        "Tag": "",
        "Headers": [{"Name": "MIME-Version", "Value": "1.0"}],
        "Attachments": [],
    }


def test_the_mailto_unsubscribes_through_the_inbound_webhook(client, ana, settings):
    from urllib.parse import unquote

    from tests import webhook_payloads as wp

    wp.webhook_settings(settings)
    settings.HARBOR_UNSUBSCRIBE_MAILTO = "unsubscribe@act.example.org"
    mailto = unsubscribe.unsubscribe_mailto(supporter_id=ana.pk, topic="alert:3")
    subject = unquote(mailto.partition("?subject=")[2])

    def inbound(to, subject):
        return client.post(
            "/anymail/postmark/inbound/",
            data=postmark_inbound(to, subject),
            content_type="application/json",
            **wp._auth(),
        )

    # Elsewhere, or without a valid token: nothing.
    assert inbound("other@act.example.org", subject).status_code == 200
    assert (
        inbound("unsubscribe@act.example.org", "unsubscribe forged").status_code == 200
    )
    ana.refresh_from_db()
    assert ana.unsubscribed_at is None
    assert inbound("unsubscribe@act.example.org", subject).status_code == 200
    ana.refresh_from_db()
    assert ana.unsubscribed_at is not None
    assert ConsentEvent.objects.get().source == "mailto:alert:3"
