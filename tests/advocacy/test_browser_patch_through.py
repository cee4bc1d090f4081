""" "Harbor calls you" in Debian's chromium, JavaScript off, on a 375 px phone: the
call page's form places the call through the real twilio library (against the
loopback fake REST API) and shows its status page."""

import pytest

from advocacy.models import PatchCall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 667}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ("ZIP code", "Find who to call", "Your phone number", "Call me")),
        (
            "es",
            (
                "Código postal",
                "Ver a quién llamar",
                "Su número de teléfono",
                "Llámenme",
            ),
        ),
    ],
)
def test_call_me_from_the_call_page(
    phone, live_server, call_action, fake_twilio, lang, words
):
    zip_label, find, number_label, call_me = words
    phone.goto(f"{live_server.url}/campaigns/call-test/call/?lang={lang}")
    phone.get_by_label(zip_label).fill("78701")
    phone.get_by_role("button", name=find).click()
    phone.wait_for_selector("#patch-call")
    _fits(phone)
    # The honeypot is off screen, not a field people see.
    box = phone.locator("#patch-call .hp").bounding_box()
    assert box["x"] + box["width"] <= 0
    phone.get_by_label(number_label).fill("212 555 0123")
    phone.get_by_role("button", name=call_me).click()
    phone.wait_for_selector("text=0123")
    _fits(phone)
    call = PatchCall.objects.get()
    assert call.language == lang
    assert fake_twilio.calls[0]["To"] == "+12125550123"
    # A bad number stays on the form with the message, still fitting the phone.
    phone.go_back()
    phone.get_by_label(number_label).fill("12")
    phone.get_by_role("button", name=call_me).click()
    phone.wait_for_selector(".errorlist")
    _fits(phone)
    assert PatchCall.objects.count() == 1
