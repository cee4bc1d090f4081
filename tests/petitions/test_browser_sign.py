"""A signer on a phone, in Debian's chromium."""

import pytest
from playwright.sync_api import expect

from petitions.models import Signature

from .factories import PetitionFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("drain_on_sign"),
]


def test_sign_fix_a_bad_email_land_on_thanks_and_see_the_counter_move(
    page, live_server
):
    petition = PetitionFactory(
        text="Please sign. <script>window.__pwned = 1</script>",
        goal=10,
    )
    page.goto(f"{live_server.url}{petition.get_absolute_url()}?utm_source=test")
    assert page.locator(".counter .stat").inner_text() == "0"

    page.fill("#id_first_name", "Ana")
    page.fill("#id_last_name", "Garcia")
    page.fill("#id_email", "ana@@example")
    page.fill("#id_zip_code", "78701")
    page.fill("#id_comment", '<img src=x onerror="window.__pwned=2">')
    page.check("#id_is_public")
    page.click("button.sign-button")

    error = page.locator("#id_email-errors")
    error.wait_for()
    assert "not a valid email address" in error.inner_text()
    assert page.input_value("#id_first_name") == "Ana"
    assert not Signature.objects.exists()

    page.fill("#id_email", "  Ana@Example.org ")
    page.click("button.sign-button")
    page.wait_for_url("**/thanks/**")
    assert "Thank you for signing" in page.locator("h1").inner_text()
    assert page.locator(".counter .stat").inner_text() == "1"
    share = page.input_value("#share-url")
    signature = Signature.objects.get()
    assert share.endswith(f"?ref={signature.referral_code}")
    assert signature.utm_source == "test"
    assert page.evaluate("window.__pwned") is None

    page.goto(f"{live_server.url}{petition.get_absolute_url()}")
    assert page.locator(".counter .stat").inner_text() == "1"
    assert "Ana" in page.locator(".recent").inner_text()
    assert page.evaluate("window.__pwned") is None


def test_widget_signs_inside_a_third_party_iframe(page, live_server):
    petition = PetitionFactory()
    widget = f"{live_server.url}/petitions/{petition.slug}/widget/"
    # A partner page on another origin (about:blank here) framing the widget.
    page.set_content(f'<iframe src="{widget}" width="380" height="900"></iframe>')
    frame = page.frame_locator("iframe")
    frame.locator("#id_first_name").fill("Ben")
    frame.locator("#id_last_name").fill("Okafor")
    frame.locator("#id_email").fill("ben@example.org")
    frame.locator("#id_zip_code").fill("43215")
    frame.locator("button.sign-button").click()
    frame.locator(".thanks h2").wait_for()
    assert Signature.objects.get().channel == "widget"
    assert frame.locator(".counter .stat").inner_text() == "1"


def test_counter_updates_live_without_a_reload(page, live_server):
    from petitions import services

    petition = PetitionFactory()
    page.clock.install()
    page.goto(f"{live_server.url}{petition.get_absolute_url()}")
    assert page.locator(".counter .stat").inner_text() == "0"
    services.sign_petition(
        petition=petition, email="live@example.org", first_name="Li", last_name="Ve",
        zip_code="78701",
    )  # fmt: skip
    page.clock.run_for(16_000)
    # expect() polls from Python: wait_for_function's in-page polling evaluates a
    # string, which the Content-Security-Policy (no unsafe-eval) refuses.
    expect(page.locator(".counter .stat")).to_have_text("1")
