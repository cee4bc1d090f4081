"""The petition pages on a small phone (375 x 667, an iPhone SE), in Debian's chromium."""

import pytest

from .factories import PetitionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 667}
LONG_TEXT = "\n\n".join(
    [
        "Every year thousands of children in the United States are bought and sold.",
        "We ask the next President to:",
        "1. Fund the Trafficking Victims Protection Act.\n"
        "2. Pass Safe Harbor laws in every state.\n"
        "3. Train every police officer to see a victim, not an offender.",
        *["Survivors need housing, counselling and a lawyer. " * 6] * 4,
    ]
)


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_on_a_phone_the_petition_text_comes_before_the_form(phone, live_server):
    petition = PetitionFactory(text=LONG_TEXT)
    phone.goto(f"{live_server.url}{petition.get_absolute_url()}")

    text_top = phone.locator("#petition-text").bounding_box()["y"]
    assert text_top < PHONE["height"]  # on the first screen, not after the form
    assert "Fund the Trafficking" in phone.locator("#petition-text").inner_text()
    form_top = phone.locator("form.sign-form").bounding_box()["y"]
    assert form_top > text_top
    # The form is one tap away from the top of the page.
    jump = phone.locator("a[href='#sign']")
    assert jump.is_visible()
    assert jump.bounding_box()["y"] < PHONE["height"]
    jump.click()
    # Polled from Python: wait_for_function's in-page polling evaluates a string,
    # which the Content-Security-Policy (no unsafe-eval) refuses.
    top = "() => document.querySelector('#sign').getBoundingClientRect().top"
    for _ in range(50):
        if phone.evaluate(top) < 100:
            break
        phone.wait_for_timeout(100)
    assert phone.evaluate(top) < 100


def test_on_a_desktop_the_form_stays_beside_the_text(browser, live_server):
    petition = PetitionFactory(text=LONG_TEXT)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}{petition.get_absolute_url()}")
        text = page.locator("#petition-text").bounding_box()
        form = page.locator("form.sign-form").bounding_box()
        assert form["x"] + form["width"] <= text["x"]  # form on the left, text right
        assert form["y"] < 900
        assert not page.locator("a[href='#sign']").is_visible()
    finally:
        context.close()


def test_the_website_field_of_the_sign_on_form_looks_like_the_others(
    phone, live_server
):
    petition = PetitionFactory()
    phone.goto(f"{live_server.url}/petitions/{petition.slug}/organisations/")
    style = """el => {
        const s = getComputedStyle(el);
        return [s.borderTopWidth, s.borderTopStyle, s.borderTopColor, s.borderRadius,
                s.paddingTop, s.paddingLeft, s.minHeight, s.fontSize, el.offsetWidth];
    }"""
    website = phone.locator("input[type=url]")
    email = phone.locator("#id_contact_email")
    assert website.evaluate(style) == email.evaluate(style)
