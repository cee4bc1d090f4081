"""The "Harbor calls you" form in Debian's chromium, JavaScript off, on a 375 px phone: the
call page's form places the call through the real twilio library (against the
loopback fake REST API) and shows its status page."""

import pytest

from advocacy.models import PatchCall

from .test_browser_call import _fits, phone  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
    request, live_server, call_action, fake_twilio, lang, words
):
    page = request.getfixturevalue("phone")  # the call flow's 375 px page, no JS
    zip_label, find, number_label, call_me = words
    page.goto(f"{live_server.url}/campaigns/call-test/call/?lang={lang}")
    page.get_by_label(zip_label).fill("78701")
    page.get_by_role("button", name=find).click()
    page.wait_for_selector("#patch-call")
    _fits(page)
    # The honeypot is off screen, not a field people see.
    box = page.locator("#patch-call .hp").bounding_box()
    assert box["x"] + box["width"] <= 0
    page.get_by_label(number_label).fill("212 555 0123")
    page.get_by_role("button", name=call_me).click()
    page.wait_for_selector("text=0123")
    _fits(page)
    call = PatchCall.objects.get()
    assert call.language == lang
    assert fake_twilio.calls[0]["To"] == "+12125550123"
    # A bad number stays on the form with the message, still fitting the page.
    page.go_back()
    page.get_by_label(number_label).fill("12")
    page.get_by_role("button", name=call_me).click()
    page.wait_for_selector(".errorlist")
    _fits(page)
    assert PatchCall.objects.count() == 1
