"""An alert's unsubscribe link, the never-again rule for unsubscribed, bounced and
complained addresses, and the credit an action gives the alert that brought it."""

import pytest
from django.db.models.signals import post_save
from django.test import Client

from advocacy.models import Outreach
from alerts import selectors
from alerts.compliance import topic_for, unsubscribe_url_for
from alerts.models import AlertRecipient
from petitions.models import Signature
from petitions.services import sign_petition
from supporters.models import ConsentEvent, Supporter
from tests import webhook_payloads as wp
from tests.conftest import drain_signatures
from tests.petitions.factories import PetitionFactory
from tests.supporters.factories import SupporterFactory

from .tracking_helpers import make_alert, send, send_rows

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
    settings.PUBLIC_FORM_RATE_LIMIT_PER_IP = 1000


def path_of(url):
    return url.removeprefix("https://act.example.org")


def test_the_alerts_link_unsubscribes_in_one_click_and_marks_the_row(fake_postmark):
    ana, bob = SupporterFactory(email="ana@example.org"), SupporterFactory()
    alert = make_alert()
    rows = {r.email: r for r in send(alert, [ana, bob])}
    headers = {
        m["To"]: {h["Name"]: h["Value"] for h in m["Headers"]}
        for m in fake_postmark.messages
    }
    link = headers["ana@example.org"]["List-Unsubscribe"].strip("<>")
    assert link == unsubscribe_url_for(alert_id=alert.pk, supporter_id=ana.pk)

    mailbox = Client(enforce_csrf_checks=True)
    assert mailbox.get(path_of(link)).status_code == 200  # a scanner: nothing happens
    assert AlertRecipient.objects.get(pk=rows[ana.email].pk).unsubscribed_at is None
    response = mailbox.post(
        path_of(link),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert AlertRecipient.objects.get(pk=rows[ana.email].pk).unsubscribed_at is not None
    assert AlertRecipient.objects.get(pk=rows[bob.email].pk).unsubscribed_at is None
    event = ConsentEvent.objects.get(supporter=ana)
    assert event.source == f"one_click:{topic_for(alert.pk)}"
    assert selectors.progress(alert)["unsubscribed"] == 1


@pytest.mark.parametrize("how", ["unsubscribed", "bounced", "complained", "erased"])
def test_such_an_address_never_receives_a_later_alert(
    client, fake_postmark, how, settings
):
    wp.webhook_settings(settings)  # after fake_postmark's ANYMAIL
    ana = SupporterFactory(email="ana@example.org")
    others = [SupporterFactory() for _ in range(2)]
    first = make_alert(subject="First")
    rows = {r.email: r for r in send(first, [ana, *others])}
    row = rows[ana.email]
    if how == "unsubscribed":
        link = unsubscribe_url_for(alert_id=first.pk, supporter_id=ana.pk)
        client.post(path_of(link), {"confirm": "1"})
    elif how == "bounced":
        wp.post(client, "postmark", wp.postmark_bounce(ana.email, row.esp_message_id))
    else:
        wp.post(client, "postmark", wp.postmark_spam(ana.email, row.esp_message_id))
    if how == "erased":
        Supporter.objects.filter(pk=ana.pk).delete()
    fake_postmark.requests.clear()

    second = make_alert(subject="Second")
    # The freeze rule leaves them out of the audience...
    later = send(second, [ana, *others])
    assert ana.email not in {r.email for r in later}
    assert len(later) == 2
    sent_to = {m["To"] for m in fake_postmark.messages}
    assert ana.email not in sent_to
    assert len(sent_to) == 2
    # ...and the send path drops them even if a stale audience still names them.
    if how == "erased":
        ana = SupporterFactory(email="ana@example.org")  # signs up again later
        assert ana.suppressed_at is None  # a factory row skips the service...
    fake_postmark.requests.clear()
    AlertRecipient.objects.filter(alert=second).delete()
    Supporter.objects.filter(pk=ana.pk).update(
        email_opt_in=True
    )  # a stale or wrong flag: the list still holds
    stale = AlertRecipient.objects.create(alert=second, supporter=ana, email=ana.email)
    status = send_rows([stale])
    assert status == {}
    assert fake_postmark.requests == []


def test_an_action_through_the_alert_credits_its_recipient(
    fake_postmark, django_capture_on_commit_callbacks
):
    ana = SupporterFactory(email="ana@example.org")
    bob = SupporterFactory(email="bob@example.org")
    alert = make_alert()
    rows = {r.email: r for r in send(alert, [ana, bob])}
    petition = PetitionFactory()
    with django_capture_on_commit_callbacks(execute=True):
        for email, code in (
            ("ana@example.org", alert.source_code),
            # Someone the alert was not sent to, with a forwarded link: no credit.
            ("carla@example.org", alert.source_code),
            # Bob acts, but not through the alert.
            ("bob@example.org", ""),
        ):
            sign_petition(
                petition=petition,
                email=email,
                first_name="A",
                last_name="B",
                zip_code="78701",
                referred_by_code=code,
            )
        # The intake drain writes the signatures and announces them (the credit).
        drain_signatures()
    assert Signature.objects.count() == 3
    acted = AlertRecipient.objects.get(pk=rows[ana.email].pk).acted_at
    assert acted is not None
    assert AlertRecipient.objects.get(pk=rows[bob.email].pk).acted_at is None
    counts = selectors.progress(alert)
    assert counts["acted"] == 1
    assert counts["total"] == 2


def test_every_attribution_model_is_hooked():
    for model in (Signature, Outreach):
        assert post_save.has_listeners(model)


def test_the_alerts_action_link_on_the_real_sign_page_credits_it(
    client, fake_postmark, django_capture_on_commit_callbacks, settings
):
    import re

    from django.urls import reverse

    from tests.petitions.conftest import sign_data

    settings.EMAIL_BACKEND = "harbor.mail_backends.FileEmailBackend"
    ana = SupporterFactory(email="ana@example.org")
    alert = make_alert()
    (row,) = send(alert, [ana])
    petition = PetitionFactory()
    url = reverse("petitions:detail", kwargs={"slug": petition.slug})
    page = client.get(f"{url}?ref={alert.source_code}&utm_source=alert")
    ref = re.search(r'name="ref" value="([^"]*)"', page.content.decode()).group(1)
    assert ref == alert.source_code
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, sign_data(ref=ref, utm_source="alert"))
        drain_signatures()
    assert Signature.objects.get().referred_by_code == alert.source_code
    assert AlertRecipient.objects.get(pk=row.pk).acted_at is not None
