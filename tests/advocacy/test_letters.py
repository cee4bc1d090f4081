"""Letters through their real entry points: the write flow over HTTP, the delivery job
against anymail's real Postmark backend (loopback fake ESP) and a loopback fake CWC."""

import contextlib
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from advocacy import letters, tasks
from advocacy.letters import Route, route_for
from advocacy.models import AdvocacyCampaign, LetterDelivery, LetterSender, Outreach
from legislators.models import Chamber, Legislator
from tests.conftest import jobs_queued
from tests.legislators.conftest import fake_api  # noqa: F401  (fixture)

from .test_geocoded import census  # noqa: F401  (fixture: the loopback geocoder)

ZIP = "78701"


@pytest.fixture(autouse=True)
def _letter_settings(settings):
    settings.SITE_URL = "http://testserver"
    settings.PUBLIC_FORM_RATE_LIMIT_PER_IP = 1000
    settings.EMAIL_BACKEND = "harbor.mail_backends.FileEmailBackend"
    # Rate-limit counters live in Redis when it is configured (the cache's database):
    # each test starts with none (without Redis they are rows, rolled back per test).
    with contextlib.suppress(Exception):
        cache.clear()


def start_url(action) -> str:
    return reverse("advocacy:write", kwargs={"slug": action.campaign.slug})


def letters_url(client, action, zip_code: str = ZIP, lang: str = "") -> str:
    """The supporter's letters page, through the start step (the call flow's)."""
    url = start_url(action) + (f"?lang={lang}" if lang else "")
    response = client.post(url, {"zip_code": zip_code, "website_url": ""})
    assert response.status_code == 303, response.content.decode()[:2000]
    return response.url


def letter_page(client, action, **params):
    response = client.get(letters_url(client, action, **params))
    return response


def write_url(page) -> str:
    """The letters page's own address (where its form posts)."""
    return page.request["PATH_INFO"] + (
        f"?{page.request['QUERY_STRING']}" if page.request.get("QUERY_STRING") else ""
    )


def form_data(response, **overrides) -> dict:
    """The write form's fields as the page rendered them (hidden ones included), with
    the signature filled in."""
    html = response.content.decode()
    data = {}
    for name, value in re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html
    ):
        data[name] = value
    for name, value in re.findall(
        r'<input type="text" name="(subject_\d+)"[^>]*value="([^"]*)"', html
    ):
        data[name] = value
    for name, value in re.findall(
        r'<textarea name="(body_\d+)"[^>]*>\n?(.*?)</textarea>', html, re.DOTALL
    ):
        data[name] = value
    data.pop("csrfmiddlewaretoken", None)
    data.update(
        {
            "prefix": "Ms.",
            "first_name": "Ana",
            "last_name": "Reyes",
            "street_address": "100 Congress Ave",
            "city": "Austin",
            "email": "ana@example.org",
            "website_url": "",
        }
    )
    data.update(overrides)
    return data


def deliver_all() -> list[str]:
    return [
        letters.deliver_letter(delivery_id=pk)
        for pk in LetterDelivery.objects.order_by("pk").values_list("pk", flat=True)
    ]


# --- routes ---------------------------------------------------------------------------


def test_routes(db, settings, fake_cwc):
    state = Legislator(chamber=Chamber.STATE_LOWER, state="TX", district="49")
    assert route_for(state) == Route.NONE
    state.contact_form_url = "https://house.texas.gov/contact"
    assert route_for(state) == Route.CONTACT_FORM
    state.email = "rep@house.texas.gov"
    assert route_for(state) == Route.EMAIL
    member = Legislator(chamber=Chamber.US_HOUSE, state="TX", district="37")
    assert route_for(member) == Route.CWC
    settings.CWC_API_URL = ""
    assert route_for(member) == Route.NONE
    member.contact_form_url = "https://doggett.house.gov/contact"
    assert route_for(member) == Route.CONTACT_FORM


# --- state legislators by email --------------------------------------------------------


def test_the_page_says_who_cannot_be_written_to_before_writing(client, texas_letter):
    response = letter_page(client, texas_letter)
    assert response.status_code == 200
    html = response.content.decode()
    assert "We know no way to write to this legislator" in html
    assert "Your letter is emailed to their office" in html
    # Pre-filled from the templates, for that legislator.
    emailed = texas_letter.target_legislators.exclude(email="").get()
    assert f"Dear State representative {emailed.last_name}" in html or (
        f"Dear State senator {emailed.last_name}" in html
    )
    assert html.count("<textarea") == 1  # no letter box for the unreachable one


def test_a_letter_by_email_goes_through_the_send_path_with_reply_to(
    client,
    texas_letter,
    fake_postmark,
    django_capture_on_commit_callbacks,
):
    page = letter_page(client, texas_letter)
    data = form_data(page)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(write_url(page), data)
    assert response.status_code == 303, response.content.decode()[:2000]
    assert len(jobs_queued(callbacks)) == 1  # one delivery queued: the email one
    unreachable, emailed = (
        Outreach.objects.filter(kind="letter").order_by("delivery_status").all()
    )
    assert (emailed.delivery_status, emailed.method) == ("pending", "email")
    assert unreachable.delivery_status == "no_route"
    assert emailed.campaign_id == texas_letter.campaign_id
    assert emailed.supporter.email == "ana@example.org"
    assert emailed.state == "TX"
    assert deliver_all() == ["sent"]
    emailed.refresh_from_db()
    assert emailed.delivery_status == "sent"
    assert emailed.delivered_at is not None
    (message,) = fake_postmark.messages
    assert message["To"] == "office.one@house.texas.example.gov"
    assert message["ReplyTo"] == "ana@example.org"
    assert message["Subject"] == "Safe Harbor for every child"
    assert "I am your constituent" in message["TextBody"]
    assert "100 Congress Ave" in message["TextBody"]
    # The finish page lists both, with their status.
    finish = client.get(response.url)
    html = finish.content.decode()
    assert "Sent to their office by email" in html
    assert "Not sent: we know no way to write to this legislator" in html


def test_a_replayed_form_sends_nothing_twice(client, texas_letter, fake_postmark):
    page = letter_page(client, texas_letter)
    data = form_data(page)
    assert client.post(write_url(page), data).status_code == 303
    assert client.post(write_url(page), data).status_code == 303
    assert Outreach.objects.filter(kind="letter").count() == 2
    assert LetterDelivery.objects.count() == 1
    assert LetterSender.objects.count() == 1
    deliver_all()
    tasks.deliver_letter_task(LetterDelivery.objects.get().pk)  # a redelivery
    assert len(fake_postmark.messages) == 1


def test_an_esp_outage_is_retried_then_sent(client, texas_letter, fake_postmark):
    page = letter_page(client, texas_letter)
    client.post(write_url(page), form_data(page))
    fake_postmark.fail_next = [500]
    assert deliver_all() == ["pending"]
    row = LetterDelivery.objects.get()
    assert row.status == "pending"
    assert row.next_attempt_at > timezone.now()
    LetterDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert deliver_all() == ["sent"]


# --- members of Congress through CWC ---------------------------------------------------


def test_letters_to_congress_go_through_cwc(client, congress_letter, fake_cwc):
    page = letter_page(client, congress_letter)
    html = page.content.decode()
    assert "Communicating with Congress" in html
    response = client.post(write_url(page), form_data(page))
    assert response.status_code == 303, response.content.decode()[:3000]
    outreaches = list(Outreach.objects.filter(kind="letter"))
    assert len(outreaches) == 3  # two senators, one representative
    assert {o.method for o in outreaches} == {"cwc"}
    assert deliver_all() == ["delivered"] * 3
    assert len(fake_cwc.accepted) == 3
    offices = sorted(
        doc.findtext("Recipient/MemberOffice") for doc in fake_cwc.accepted
    )
    assert offices[0].startswith("HTX")
    assert all(o.startswith("STX") for o in offices[1:])
    doc = fake_cwc.accepted[0]
    assert doc.findtext("Constituent/Address1") == "100 Congress Ave"
    assert doc.findtext("Constituent/Prefix") == "Ms."
    assert "I am your constituent" in doc.findtext("Message/ConstituentMessage")
    assert {o.delivery_status for o in Outreach.objects.all()} == {"delivered"}
    assert "Delivered to their office" in client.get(response.url).content.decode()


def test_cwc_outage_is_retried_and_a_refusal_recorded(
    client, congress_letter, fake_cwc
):
    page = letter_page(client, congress_letter)
    client.post(write_url(page), form_data(page))
    fake_cwc.fail_next = [503, 400]
    first, second, third = deliver_all()
    assert (first, second, third) == ("pending", "failed", "delivered")
    failed = Outreach.objects.get(delivery_status="failed")
    assert "HTTP 400" in failed.error
    assert LetterDelivery.objects.get(outreach=failed).status == "failed"
    LetterDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    deliver_all()
    assert Outreach.objects.filter(delivery_status="delivered").count() == 2
    assert len(fake_cwc.accepted) == 2  # the refused letter is never retried


def test_cwc_needs_a_title(client, congress_letter, fake_cwc):
    page = letter_page(client, congress_letter)
    response = client.post(write_url(page), form_data(page, prefix=""))
    assert response.status_code == 400
    assert "asks for a title" in response.content.decode()
    assert not Outreach.objects.exists()


def test_without_cwc_members_get_the_letter_for_their_contact_form(
    client,
    congress_letter,
):
    Legislator.objects.filter(state="TX", chamber=Chamber.US_SENATE).update(
        contact_form_url="https://www.senate.gov/contact-example"
    )
    Legislator.objects.filter(state="TX", chamber=Chamber.US_HOUSE).update(
        contact_form_url=""
    )
    page = letter_page(client, congress_letter)
    html = page.content.decode()
    assert "ready to copy" in html
    assert "We know no way to write to this legislator" in html
    response = client.post(write_url(page), form_data(page))
    assert response.status_code == 303
    statuses = sorted(Outreach.objects.values_list("delivery_status", flat=True))
    assert statuses == ["copied_to_contact_form"] * 2 + ["no_route"]
    assert not LetterDelivery.objects.exists()
    finish = client.get(response.url).content.decode()
    assert "https://www.senate.gov/contact-example" in finish
    assert "I am your constituent" in finish


# --- bad input -------------------------------------------------------------------------


def test_a_huge_letter_gets_a_clear_message(client, texas_letter):
    page = letter_page(client, texas_letter)
    data = form_data(page)
    body = next(k for k in data if k.startswith("body_"))
    too_long = client.post(write_url(page), {**data, body: "x" * 20_000})
    assert too_long.status_code == 400
    assert "Your letter is too long" in too_long.content.decode()
    ten_mb = client.post(write_url(page), {**data, body: "x" * 10_000_000})
    assert ten_mb.status_code == 400
    assert "too large" in ten_mb.content.decode()
    assert not Outreach.objects.exists()


def test_a_forged_legislator_is_never_written_to(client, texas_letter):
    other = Legislator.objects.filter(chamber=Chamber.US_SENATE).first()
    page = letter_page(client, texas_letter)
    data = form_data(page)
    data[f"subject_{other.pk}"] = "Forged letter"
    data[f"body_{other.pk}"] = "This should never be sent."
    assert client.post(write_url(page), data).status_code == 303
    assert not Outreach.objects.filter(legislator=other).exists()


@pytest.mark.parametrize(
    ("zip_code", "message"),
    [
        ("7870", "Enter a 5-digit ZIP code"),
        ("99999", "We could not find ZIP code 99999"),
    ],
)
def test_bad_zip_codes(client, texas_letter, zip_code, message):
    response = client.post(start_url(texas_letter), {"zip_code": zip_code})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_forged_link_bad_email_and_rate_limit(client, texas_letter, settings):
    page = letter_page(client, texas_letter)
    data = form_data(page)
    forged = write_url(page).replace("/write/", "/write/x", 1)
    response = client.post(forged, data)
    assert response.status_code == 400
    assert "not valid or has expired" in response.content.decode()
    response = client.post(write_url(page), {**data, "email": "not-an-email"})
    assert response.status_code == 400
    settings.PUBLIC_FORM_RATE_LIMIT_PER_EMAIL = 1
    assert client.post(write_url(page), data).status_code == 303
    other = letter_page(client, texas_letter)
    response = client.post(write_url(other), data)
    assert response.status_code == 429
    assert "Too many letters" in response.content.decode()


def test_unknown_campaign_and_forged_finish_token(client, texas_letter):
    assert client.get("/campaigns/nope/write/").status_code == 404
    url = reverse(
        "advocacy:write-sent",
        kwargs={"slug": texas_letter.campaign.slug, "token": "forged"},
    )
    assert client.get(url).status_code == 400


def test_finish_page_query_budget(
    client,
    texas_letter,
    django_assert_max_num_queries,
):
    page = letter_page(client, texas_letter)
    response = client.post(write_url(page), form_data(page))
    with django_assert_max_num_queries(6):
        assert client.get(response.url).status_code == 200


def test_spanish_write_page(client, texas_letter):
    response = client.get(start_url(texas_letter) + "?lang=es")
    assert "Escribe a tus legisladores" in response.content.decode()
    response = letter_page(client, texas_letter, lang="es")
    assert response.status_code == 200
    assert "Escribe a tus legisladores" in response.content.decode()


def test_task_name_and_queue_are_pinned():
    assert tasks.deliver_letter_task.name == "advocacy.deliver_letter"
    assert tasks.deliver_letter_task.queue == "transactional"
    assert LetterDelivery.job_task_name == "advocacy.deliver_letter"
    assert AdvocacyCampaign.Kind.LETTER == "letter"


def test_staff_page_and_export_show_letters_by_delivery_status(
    client, staff_client, texas_letter, fake_postmark
):
    page = letter_page(client, texas_letter)
    client.post(write_url(page), form_data(page))
    deliver_all()
    slug = texas_letter.campaign.slug
    html = staff_client.get(
        reverse("advocacy:staff-outreach", kwargs={"slug": slug})
    ).content.decode()
    emailed = Outreach.objects.get(delivery_status="sent").legislator
    unreachable = Outreach.objects.get(delivery_status="no_route").legislator
    assert emailed.name in html
    assert unreachable.name in html
    assert "No route" in html
    export = staff_client.get(
        reverse("advocacy:staff-outreach-export", kwargs={"slug": slug})
    )
    rows = b"".join(export.streaming_content).decode()
    assert ",letter," in rows
    assert ",sent," in rows
    assert ",no_route," in rows
    assert "ana@example.org" not in rows  # no personal data in the export


def test_a_letter_whose_job_the_sweep_failed_is_shown_failed(
    client, texas_letter, fake_postmark
):
    page = letter_page(client, texas_letter)
    client.post(write_url(page), form_data(page))
    LetterDelivery.objects.update(status=LetterDelivery.Status.FAILED)
    tasks.settle_failed_letters_task()
    letter = Outreach.objects.get(method="email")
    assert letter.delivery_status == "failed"
    assert Outreach.objects.filter(delivery_status="no_route").count() == 1
    assert tasks.settle_failed_letters_task.name == "advocacy.settle_failed_letters"


def test_letters_page_query_budget(
    client,
    congress_letter,
    fake_cwc,
    django_assert_max_num_queries,
):
    url = letters_url(client, congress_letter)
    # The action (3), the seats and their offices, the bill sponsorships: not one
    # more per target.
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200


def test_own_state_legislators_from_a_street_address_get_emailed_letters(
    client,
    texas_letter,
    census,  # noqa: F811
    fake_postmark,
):
    # As the texas-safe-harbor demo: the supporter's own state senator and
    # representative, found from the geocoded street address.
    texas_letter.target_legislators.clear()
    texas_letter.targets_own_state_senator = True
    texas_letter.targets_own_state_representative = True
    texas_letter.save()
    response = client.post(
        start_url(texas_letter), {"zip_code": ZIP, "address": "1100 Congress Ave"}
    )
    assert response.status_code == 303
    page = client.get(response.url)
    html = page.content.decode()
    assert "Sarah Eckhardt" in html
    assert "Gina Hinojosa" in html
    sent = client.post(write_url(page), form_data(page))
    assert sent.status_code == 303
    routes = {
        o.legislator.name: o.method
        for o in Outreach.objects.select_related("legislator")
    }
    assert set(routes) == {"Sarah Eckhardt", "Gina Hinojosa"}
    emailed = [name for name, method in routes.items() if method == "email"]
    assert emailed  # the shipped Open States data has their public addresses
    deliver_all()
    assert len(fake_postmark.messages) == len(emailed)
    letter = Outreach.objects.get(legislator__name="Sarah Eckhardt")
    assert letter.state_upper_district == "14"
    assert letter.congressional_district == "TX-37"
