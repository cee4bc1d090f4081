import re
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from petitions import delivery, selectors, services
from petitions.models import (
    DeliveryReport,
    OrganisationSignOn,
    Petition,
    Signature,
    SignatureEmail,
)
from supporters.models import Supporter
from tests.accounts.factories import make_leader_of_nothing

from .conftest import sign_data
from .factories import PetitionFactory, SupporterFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("drain_on_sign")]


def detail_url(petition, query=""):
    return reverse("petitions:detail", kwargs={"slug": petition.slug}) + query


def test_petition_page_shows_text_counter_and_form(
    client, petition, django_assert_max_num_queries
):
    petition.text = (
        "Please **act**.\n\n<script>alert(1)</script><img src=x onerror=alert(1)>"
    )
    petition.save()
    with django_assert_max_num_queries(6):
        response = client.get(detail_url(petition))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>act</strong>" in html
    assert "<script>alert" not in html
    assert "onerror" not in html
    assert 'name="email"' in html
    assert 'name="website_url"' in html
    assert 'class="progress"' in html
    assert "csrfmiddlewaretoken" in html
    assert response["X-Frame-Options"] == "DENY"


def test_draft_petition_is_not_public(client, db):
    petition = PetitionFactory(status=Petition.Status.DRAFT)
    assert client.get(detail_url(petition)).status_code == 404


def test_bad_email_shows_an_error_next_to_the_field_and_stores_nothing(
    client, petition
):
    response = client.post(detail_url(petition), sign_data(email="not-an-email"))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_email-errors"' in html
    assert "is not a valid email address" in html
    assert 'value="Ana"' in html  # what the signer typed is kept
    assert not Supporter.objects.exists()
    assert not Signature.objects.exists()


def test_signing_redirects_to_thanks_with_share_link_and_moved_counter(
    client, petition
):
    response = client.post(
        detail_url(petition, "?utm_source=x"),
        sign_data(utm_source="newsletter", utm_medium="email", utm_campaign="launch"),
    )
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert signature.utm_source == "newsletter"
    assert signature.utm_campaign == "launch"
    assert signature.channel == "page"
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    html = thanks.content.decode()
    assert "Thank you for signing" in html
    assert f"ref={signature.referral_code}" in html
    assert 'data-count="1"' in html
    assert "mailto:?" in html
    assert "wa.me" in html


def test_signing_twice_says_you_already_signed(client, petition):
    client.post(detail_url(petition), sign_data())
    response = client.post(
        detail_url(petition), sign_data(email=" ANA@example.org"), follow=True
    )
    assert "You already signed this petition" in response.content.decode()
    assert Signature.objects.count() == 1


def test_a_repeat_signature_reveals_nothing_of_the_earlier_signer(client, petition):
    client.post(detail_url(petition), sign_data())
    code = Signature.objects.get().referral_code

    response = client.post(
        detail_url(petition), sign_data(email="ana@example.org", first_name="Mallory")
    )

    assert response.status_code == 302
    assert "/thanks/?again=1" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "You already signed this petition" in page
    assert code not in page


def test_share_link_referral_code_is_carried_through_the_form(client, petition):
    sharer = services.sign_petition(
        petition=petition,
        email="s@example.org",
        first_name="S",
        last_name="T",
        zip_code="78701",
    ).signature
    page = client.get(
        detail_url(petition, f"?ref={sharer.referral_code}&utm_source=fb")
    )
    html = page.content.decode()
    assert f'value="{sharer.referral_code}"' in html
    ref = re.search(r'name="ref" value="([^"]*)"', html).group(1)
    client.post(detail_url(petition), sign_data(ref=ref, utm_source="fb"))
    friend = Signature.objects.get(supporter__email="ana@example.org")
    assert friend.referred_by_code == sharer.referral_code
    assert friend.utm_source == "fb"


def test_honeypot_pretends_success_and_stores_nothing(client, petition):
    response = client.post(
        detail_url(petition), sign_data(website_url="http://spam.example")
    )
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    assert not Supporter.objects.exists()


def test_missing_csrf_token_gets_a_friendly_403(petition):
    client = Client(enforce_csrf_checks=True)
    response = client.post(detail_url(petition), sign_data())
    assert response.status_code == 403
    assert "Please try again" in response.content.decode()
    assert not Signature.objects.exists()


@pytest.mark.parametrize(
    "field", ["first_name", "last_name", "email", "zip_code", "phone", "comment", "ref"]
)
def test_huge_fields_are_refused_cleanly(client, petition, field):
    response = client.post(detail_url(petition), sign_data(**{field: "a" * 100_000}))
    if field == "ref":
        # A hidden tracking field is clipped, never shown as an error.
        assert response.status_code == 302
        assert len(Signature.objects.get().referred_by_code) <= 16
    else:
        assert response.status_code == 400
        assert not Signature.objects.exists()


def test_script_in_names_is_refused_and_in_comments_never_runs(
    client, staff_client, petition
):
    response = client.post(
        detail_url(petition), sign_data(first_name="<script>alert(1)</script>")
    )
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert "names cannot contain" in response.content.decode()

    comment = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    client.post(detail_url(petition), sign_data(comment=comment))
    assert Signature.objects.get().comment == comment
    html = staff_client.get(
        reverse("petitions:signatures", kwargs={"slug": petition.slug})
    )
    assert "<script>alert" not in html.content.decode()
    assert "&lt;script&gt;" in html.content.decode()


def test_null_bytes_and_invalid_utf8_get_a_clear_400(client, petition):
    response = client.post(detail_url(petition), sign_data(first_name="An\x00a"))
    assert response.status_code == 400
    body = b"first_name=\xff\xfe&last_name=G&email=a%40example.org&zip_code=78701&comment=\xc3\x28"
    response = client.generic(
        "POST",
        detail_url(petition),
        body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (302, 400)
    response = client.generic(
        "POST",
        detail_url(petition),
        b"email=\xff%ff%fe",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400


def test_rate_limit_refuses_with_429_and_stores_nothing(client, petition, settings):
    settings.REDIS_URL = ""
    settings.PUBLIC_FORM_RATE_LIMIT_PER_IP = 2
    for n in range(2):
        assert (
            client.post(
                detail_url(petition), sign_data(email=f"p{n}@example.org")
            ).status_code
            == 302
        )
    response = client.post(detail_url(petition), sign_data(email="p9@example.org"))
    assert response.status_code == 429
    assert "Too many signatures" in response.content.decode()
    assert Signature.objects.count() == 2


def test_closed_petition_shows_no_form_and_refuses_posts(client, db):
    petition = PetitionFactory(status=Petition.Status.CLOSED)
    assert 'name="email"' not in client.get(detail_url(petition)).content.decode()
    assert client.post(detail_url(petition), sign_data()).status_code == 409
    assert not Signature.objects.exists()


def test_recent_signers_show_only_consenting_first_names_and_cities(client, petition):
    client.post(
        detail_url(petition), sign_data(email="a@example.org", first_name="Visible")
    )
    client.post(
        detail_url(petition),
        sign_data(email="b@example.org", first_name="Hidden", is_public=""),
    )
    html = client.get(detail_url(petition)).content.decode()
    assert "Visible" in html
    assert "Hidden" not in html
    assert "Garcia" not in html
    assert "a@example.org" not in html


def test_spanish_page_by_query_and_by_petition_language(client, db):
    petition = PetitionFactory()
    assert (
        "Firma la petición"
        in client.get(detail_url(petition, "?lang=es")).content.decode()
    )
    spanish = PetitionFactory(language="es")
    html = client.get(detail_url(spanish)).content.decode()
    assert "Firma la petición" in html
    assert 'lang="es"' in html


def test_accept_language_picks_spanish(client, petition):
    html = client.get(detail_url(petition), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Firma la petición" in html


# --- double opt-in ----------------------------------------------------------------------


def test_confirmation_link_get_does_not_confirm_but_post_does(client, db):
    petition = PetitionFactory(requires_double_opt_in=True)
    response = client.post(detail_url(petition), sign_data())
    assert "confirm your signature" in client.get(response["Location"]).content.decode()
    signature = Signature.objects.get()
    url = reverse(
        "petitions:confirm",
        kwargs={
            "slug": petition.slug,
            "token": services.make_confirm_token(signature.pk),
        },
    )
    page = client.get(url)  # what a mail scanner does
    assert page.status_code == 200
    assert "Confirm my signature" in page.content.decode()
    signature.refresh_from_db()
    assert signature.confirmed_at is None
    assert selectors.signature_count(petition_id=petition.pk) == 0

    response = client.post(url)
    assert response.status_code == 302
    signature.refresh_from_db()
    assert signature.confirmed_at is not None
    assert selectors.signature_count(petition_id=petition.pk) == 1
    client.post(url)
    assert selectors.signature_count(petition_id=petition.pk) == 1


def test_bad_confirmation_token_gets_a_clear_400(client, petition):
    url = reverse("petitions:confirm", kwargs={"slug": petition.slug, "token": "nope"})
    assert client.get(url).status_code == 400
    assert client.post(url).status_code == 400


def test_confirmation_post_needs_csrf(db):
    petition = PetitionFactory(requires_double_opt_in=True)
    outcome = services.sign_petition(
        petition=petition,
        email="a@example.org",
        first_name="A",
        last_name="B",
        zip_code="78701",
    )
    url = reverse(
        "petitions:confirm",
        kwargs={
            "slug": petition.slug,
            "token": services.make_confirm_token(outcome.signature.pk),
        },
    )
    assert Client(enforce_csrf_checks=True).post(url).status_code == 403
    assert Signature.objects.get().confirmed_at is None


# --- widget -----------------------------------------------------------------------------


def test_widget_may_be_framed_and_signs_without_a_csrf_cookie(petition):
    client = Client(enforce_csrf_checks=True)
    url = reverse("petitions:widget", kwargs={"slug": petition.slug})
    page = client.get(url)
    assert page.status_code == 200
    assert "X-Frame-Options" not in page
    token = re.search(
        r'name="widget_token" value="([^"]+)"', page.content.decode()
    ).group(1)
    fresh = Client(enforce_csrf_checks=True)  # no cookies, as in a third-party iframe
    response = fresh.post(url, sign_data(widget_token=token))
    assert response.status_code == 200
    assert "Thank you for signing" in response.content.decode()
    assert Signature.objects.get().channel == "widget"


def test_widget_post_without_its_token_is_refused(client, petition):
    url = reverse("petitions:widget", kwargs={"slug": petition.slug})
    assert client.post(url, sign_data()).status_code == 403
    assert client.post(url, sign_data(widget_token="1:forged:x")).status_code == 403
    assert not Signature.objects.exists()


# --- organisations ----------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_organisation_sign_on_is_listed_after_approval(client, petition, staff_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("petitions:sign-ons", kwargs={"slug": petition.slug})
    response = client.post(url, {
        "name": "Sunny Tours", "kind": "travel", "city": "Austin", "state": "TX",
        "contact_name": "Lee", "contact_email": "Lee@Sunny.example", "website": "sunny.example",
        "logo": SimpleUploadedFile("logo.png", PNG, content_type="image/png"),
    })  # fmt: skip
    assert response.status_code == 302
    sign_on = OrganisationSignOn.objects.get()
    assert sign_on.status == "pending"
    assert sign_on.contact_email == "lee@sunny.example"
    assert "Sunny Tours" not in client.get(url).content.decode()
    logo_url = reverse("petitions:sign-on-logo", kwargs={"pk": sign_on.pk})
    assert client.get(logo_url).status_code == 404

    services.review_sign_ons(sign_on_ids=[sign_on.pk], approve=True, user=staff_user)
    assert "Sunny Tours" in client.get(url).content.decode()
    logo = client.get(logo_url)
    assert logo["Content-Type"] == "image/png"
    assert logo.content == PNG


def test_organisation_logo_must_be_an_image(client, petition):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("petitions:sign-ons", kwargs={"slug": petition.slug})
    svg = SimpleUploadedFile(
        "x.svg", b"<svg onload=alert(1)>", content_type="image/svg+xml"
    )
    response = client.post(url, {
        "name": "X", "kind": "other", "contact_name": "Y", "contact_email": "y@example.org",
        "logo": svg,
    })  # fmt: skip
    assert response.status_code == 400
    assert "PNG or JPEG" in response.content.decode()
    assert not OrganisationSignOn.objects.exists()


# --- newsletter, campaign and home --------------------------------------------------------


def test_newsletter_signup_records_opt_in(client, db):
    response = client.post(reverse("supporters:newsletter"), {
        "newsletter-email": " New@Example.org", "newsletter-consent": "on",
        "newsletter-first_name": "Neo",
    })  # fmt: skip
    assert response.status_code == 302
    supporter = Supporter.objects.get()
    assert supporter.email == "new@example.org"
    assert supporter.email_opt_in
    assert list(supporter.subscriptions.values_list("list", flat=True)) == [
        "newsletter"
    ]


def test_newsletter_errors_and_honeypot(client, db):
    response = client.post(
        reverse("supporters:newsletter"), {"newsletter-email": "bad"}
    )
    assert response.status_code == 400
    assert "not a valid email address" in response.content.decode()
    # The form, with its errors, on a page of its own (not a home page without
    # campaigns), and a plain visit to the address shows the form.
    assert 'name="newsletter-email"' in response.content.decode()
    visit = client.get(reverse("supporters:newsletter"))
    assert visit.status_code == 200
    assert "Get action alerts" in visit.content.decode()
    response = client.post(reverse("supporters:newsletter"), {
        "newsletter-email": "bot@example.org", "newsletter-consent": "on",
        "newsletter-website_url": "x",
    })  # fmt: skip
    assert response.status_code == 302
    assert not Supporter.objects.exists()


def test_home_lists_live_campaigns_with_counters_and_the_newsletter_form(
    client, petition
):
    services.sign_petition(
        petition=petition,
        email="a@example.org",
        first_name="A",
        last_name="B",
        zip_code="78701",
    )
    html = client.get("/").content.decode()
    assert petition.campaign.title in html
    assert "1 signature" in html
    assert 'name="newsletter-email"' in html


def test_campaign_page_shows_story_video_and_petition_counters(client, petition):
    petition.campaign.video_youtube_id = "dQw4w9WgXcQ"
    petition.campaign.save()
    html = client.get(petition.campaign.get_absolute_url()).content.decode()
    assert "<strong>story</strong>" in html
    assert "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" in html
    assert petition.title in html


# --- staff --------------------------------------------------------------------------------


def _two_signatures(petition):
    for email, name in (("a@example.org", "=HYPERLINK(1)"), ("b@example.org", "Ben")):
        services.sign_petition(
            petition=petition, email=email, first_name="Ana", last_name=name,
            zip_code="78701", comment="+cmd|calc",
        )  # fmt: skip


def test_staff_search_export_and_pdf(staff_client, petition):
    _two_signatures(petition)
    SupporterFactory(email="other@example.org")
    url = reverse("petitions:signatures", kwargs={"slug": petition.slug})
    assert staff_client.get(url + "?q=b@example").context["total"] == 1
    assert staff_client.get(url).context["total"] == 2

    export = staff_client.get(
        reverse("petitions:export", kwargs={"slug": petition.slug})
    )
    text = b"".join(export.streaming_content).decode()
    assert text.count("\n") == 3
    assert "'=HYPERLINK(1)" in text
    assert "'+cmd|calc" in text

    deliveries = reverse("petitions:deliveries", kwargs={"slug": petition.slug})
    assert staff_client.post(deliveries).status_code == 302
    report = DeliveryReport.objects.get()
    assert report.status == "pending"
    delivery.render_delivery_report(report_id=report.pk)  # as the worker would
    page = staff_client.get(deliveries).content.decode()
    assert "Ready" in page
    pdf = staff_client.get(
        reverse(
            "petitions:delivery-pdf", kwargs={"slug": petition.slug, "pk": report.pk}
        )
    )
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert DeliveryReport.objects.get().signature_count == 2


def test_staff_lists_are_scoped_to_visible_supporters(client, petition):
    _two_signatures(petition)
    chapter_less = make_leader_of_nothing()
    client.force_login(chapter_less)
    url = reverse("petitions:signatures", kwargs={"slug": petition.slug})
    assert client.get(url).context["total"] == 0
    export = client.get(reverse("petitions:export", kwargs={"slug": petition.slug}))
    assert b"".join(export.streaming_content).decode().count("\n") == 1


def test_staff_pages_need_a_staff_login(client, petition):
    url = reverse("petitions:signatures", kwargs={"slug": petition.slug})
    assert client.get(url).status_code == 302
    assert client.get(reverse("petitions:staff-list")).status_code == 302


def test_thank_you_email_is_queued_on_commit(
    client, petition, django_capture_on_commit_callbacks
):
    with mock.patch("harbor.celery.app.send_task") as send_task:
        with django_capture_on_commit_callbacks() as callbacks:
            client.post(detail_url(petition), sign_data())
        row = SignatureEmail.objects.get()
        assert row.status == "pending"
        send_task.assert_not_called()  # nothing leaves before the commit
        for callback in callbacks:
            callback()
        send_task.assert_any_call(
            "petitions.send_signature_emails",
            args=[[row.pk]],
            queue="transactional",
        )


def test_sign_path_reads_the_petition_through_the_shared_cache(
    client, petition, settings
):
    settings.PETITIONS_COUNT_CACHE_SECONDS = 60
    assert client.get(detail_url(petition)).status_code == 200
    Petition.objects.filter(pk=petition.pk).update(title="Renamed")
    assert "Renamed" not in client.get(detail_url(petition)).content.decode()
    assert selectors.public_petition(slug=petition.slug).title == "Renamed"
    assert client.post(detail_url(petition), sign_data()).status_code == 302


def test_bill_rows_show_identifier_title_and_stage():
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    bill = SimpleNamespace(
        identifier="H.R. 2200",
        title="Trafficking Victims Protection Reauthorization Act",
        get_stage_display="Passed the House",
        get_absolute_url="/bills/1/",
        jurisdiction_name="",
    )
    html = render_to_string("pages/_bill.html", {"bill": bill})
    assert 'href="/bills/1/"' in html
    assert "H.R. 2200" in html
    assert "Passed the House" in html


def test_newsletter_form_on_home_carries_a_working_csrf_token(db):
    client = Client(enforce_csrf_checks=True)
    html = client.get("/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = client.post(
        reverse("supporters:newsletter"),
        {
            "csrfmiddlewaretoken": token,
            "newsletter-email": "csrf@example.org",
            "newsletter-consent": "on",
        },
    )
    assert response.status_code == 302
    assert Supporter.objects.get().email == "csrf@example.org"


def test_widget_honeypot_pretends_success(petition):
    client = Client(enforce_csrf_checks=True)
    url = reverse("petitions:widget", kwargs={"slug": petition.slug})
    html = client.get(url).content.decode()
    token = re.search(r'name="widget_token" value="([^"]+)"', html).group(1)
    response = client.post(url, sign_data(widget_token=token, website_url="spam"))
    assert response.status_code == 200
    assert "Thank you for signing" in response.content.decode()
    assert not Signature.objects.exists()


def test_a_broker_outage_after_commit_still_thanks_the_signer(client, petition):
    from unittest import mock

    from kombu.exceptions import OperationalError

    with mock.patch(
        "harbor.celery.app.send_task", side_effect=OperationalError("broker down")
    ):
        response = client.post(detail_url(petition), sign_data())
    assert response.status_code == 302
    assert SignatureEmail.objects.get().status == "pending"


def test_widget_says_you_already_signed_on_a_repeat(petition):
    client = Client(enforce_csrf_checks=True)
    url = reverse("petitions:widget", kwargs={"slug": petition.slug})
    html = client.get(url).content.decode()
    token = re.search(r'name="widget_token" value="([^"]+)"', html).group(1)
    client.post(url, sign_data(widget_token=token))
    again = client.post(url, sign_data(widget_token=token))
    assert "You already signed this petition" in again.content.decode()
    assert Signature.objects.count() == 1


def test_live_counter_json(client, petition):
    services.sign_petition(
        petition=petition, email="a@example.org", first_name="A", last_name="B",
        zip_code="78701",
    )  # fmt: skip
    response = client.get(reverse("petitions:count", kwargs={"slug": petition.slug}))
    assert response.json() == {"count": 1, "percent": 1, "goal": 100}
    page = client.get(detail_url(petition)).content.decode()
    assert 'data-count-url="/petitions/' in page
    assert "petitions/counter.js" in page


def test_staff_review_sign_ons_without_the_admin(staff_client, petition):
    pending = OrganisationSignOn.objects.create(
        petition=petition, name="<b>Acme</b> Travel", kind="travel", contact_name="A",
        contact_email="a@acme.example",
    )  # fmt: skip
    other = OrganisationSignOn.objects.create(
        petition=PetitionFactory(), name="Elsewhere", kind="other", contact_name="B",
        contact_email="b@else.example",
    )  # fmt: skip
    url = reverse("petitions:sign-on-review", kwargs={"slug": petition.slug})
    page = staff_client.get(url).content.decode()
    assert "&lt;b&gt;Acme&lt;/b&gt; Travel" in page
    response = staff_client.post(
        url, {"sign_on": [pending.pk, other.pk, "x"], "decision": "approve"}
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    other.refresh_from_db()
    assert pending.status == "approved"
    assert other.status == "pending"  # another petition's sign-on is not touched


def test_sign_on_review_needs_the_permission_and_survives_odd_ids(
    client, staff_user, petition
):
    pending = OrganisationSignOn.objects.create(
        petition=petition, name="Acme", kind="travel", contact_name="Private Person",
        contact_email="private@acme.example",
    )  # fmt: skip
    url = reverse("petitions:sign-on-review", kwargs={"slug": petition.slug})
    leader = make_leader_of_nothing()
    client.force_login(leader)
    assert client.get(url).status_code == 403
    assert (
        client.post(url, {"sign_on": [pending.pk], "decision": "reject"}).status_code
        == 403
    )
    pending.refresh_from_db()
    assert pending.status == "pending"

    client.force_login(staff_user)
    response = client.post(
        url,
        {
            "sign_on": ["\u00b2", "99999999999999999999", pending.pk],
            "decision": "reject",
        },
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "rejected"


@pytest.mark.parametrize("campaigns", [1, 6])
def test_home_page_queries_do_not_grow_with_campaigns(
    client, db, settings, django_assert_max_num_queries, campaigns
):
    settings.PETITIONS_COUNT_CACHE_SECONDS = 5
    for _ in range(campaigns):
        petition = PetitionFactory(campaign__status="live")
        PetitionFactory(campaign=petition.campaign)
    client.get("/")  # fills the count cache (the database cache writes row by row)
    with django_assert_max_num_queries(3):
        page = client.get("/").content.decode()
    assert page.count('class="progress"') == 2 * campaigns


@pytest.mark.parametrize("name", ["Ana\x01", "Ana\x7f", "A\x1bna"])
def test_control_characters_in_a_name_are_a_field_error(client, petition, name):
    response = client.post(detail_url(petition), sign_data(first_name=name))
    assert response.status_code == 400
    assert "control characters" in response.content.decode()
    assert not Signature.objects.exists()


def test_zero_width_non_joiner_in_a_name_is_accepted(client, petition):
    response = client.post(detail_url(petition), sign_data(first_name="Mehr\u200cdad"))
    assert response.status_code == 302


def test_delivery_reports_are_the_requesters_and_scoped_to_what_they_see(
    client, staff_user, petition, django_capture_on_commit_callbacks
):
    _two_signatures(petition)
    leader = make_leader_of_nothing()
    deliveries = reverse("petitions:deliveries", kwargs={"slug": petition.slug})
    client.force_login(leader)
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(deliveries)
    assert len(callbacks) == 1  # the render task, queued after commit
    report = DeliveryReport.objects.get()
    assert delivery.render_delivery_report(report_id=report.pk).signature_count == 0
    assert delivery.render_delivery_report(report_id=report.pk) is None  # done once

    client.force_login(staff_user)
    own = client.post(deliveries)
    assert own.status_code == 302
    theirs_url = reverse(
        "petitions:delivery-pdf", kwargs={"slug": petition.slug, "pk": report.pk}
    )
    other = make_leader_of_nothing("other@example.org")
    client.force_login(other)
    assert client.get(theirs_url).status_code == 404
    assert "Download" not in client.get(deliveries).content.decode()
