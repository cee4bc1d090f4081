"""A supporter writes to their legislators on a 375 px phone, in Debian's chromium,
without JavaScript."""

import pytest
from django.urls import reverse

from advocacy.models import Outreach

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser, live_server, settings):
    settings.PUBLIC_FORM_RATE_LIMIT_PER_IP = 1000
    settings.EMAIL_BACKEND = "harbor.mail_backends.FileEmailBackend"
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def _fits(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth") <= 375


def test_zip_to_letters_to_the_finish_page(phone, live_server, texas_letter):
    url = reverse("advocacy:write", kwargs={"slug": texas_letter.campaign.slug})
    phone.goto(f"{live_server.url}{url}")
    phone.fill("#id_zip_code", "78701")
    phone.click("button[type=submit]")
    phone.locator(".letter-targets").wait_for()
    assert "We know no way to write" in phone.locator(".letter-targets").inner_text()
    assert _fits(phone)
    body = phone.locator("textarea").first
    assert "I am your constituent" in body.input_value()
    body.fill(body.input_value() + "\nMy own words: protect every child.")
    phone.fill("#id_first_name", "Ana")
    phone.fill("#id_last_name", "Reyes")
    phone.fill("#id_street_address", "100 Congress Ave")
    phone.fill("#id_city", "Austin")
    phone.fill("#id_email", "ana@example.org")
    phone.click("button.sign-button")
    phone.wait_for_url("**/write/*/sent/")
    assert "Thank you for writing" in phone.locator("h1").inner_text()
    statuses = phone.locator(".letter-status").inner_text()
    assert "On its way" in statuses
    assert "Not sent: we know no way to write" in statuses
    assert _fits(phone)
    sent = Outreach.objects.get(delivery_status="pending")
    assert sent.body.endswith("protect every child.")


def test_in_spanish_a_contact_form_letter_is_ready_to_copy(
    phone, live_server, congress_letter
):
    from legislators.models import Chamber, Legislator

    Legislator.objects.filter(state="TX", chamber=Chamber.US_SENATE).update(
        contact_form_url="https://www.senate.gov/contact-example"
    )
    url = reverse("advocacy:write", kwargs={"slug": congress_letter.campaign.slug})
    phone.goto(f"{live_server.url}{url}?lang=es")
    assert "Escribe a tus legisladores" in phone.locator("h1").inner_text()
    phone.fill("#id_zip_code", "78701")
    phone.click("button[type=submit]")
    phone.locator(".letter-targets").wait_for()
    assert "lista para copiar" in phone.locator(".letter-targets").inner_text()
    phone.fill("#id_first_name", "Ana")
    phone.fill("#id_last_name", "Reyes")
    phone.fill("#id_street_address", "100 Congress Ave")
    phone.fill("#id_city", "Austin")
    phone.fill("#id_email", "ana@example.org")
    phone.click("button.sign-button")
    phone.wait_for_url("**/write/*/sent/?lang=es")
    assert "¡Gracias por escribir!" in phone.locator("h1").inner_text()
    text = phone.locator(".letter-status").inner_text()
    assert "Lista para su formulario de contacto" in text
    assert phone.locator("textarea").first.input_value().startswith("Please act on")
    assert _fits(phone)
