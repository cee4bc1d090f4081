"""The call flow in Debian's chromium, with JavaScript off (the flow needs none), on a
375 px phone."""

import pytest

from advocacy.models import Outreach

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


def _call_everyone(page, buttons):
    for index, label in enumerate(buttons, start=1):
        page.wait_for_selector("form .outcomes")
        assert f" {index} " in page.locator("h1").inner_text()
        assert page.locator("a[href^='tel:']").count() >= 1
        assert page.locator(".script").inner_text().strip()
        _fits(page)
        page.get_by_role("button", name=label).click()


def test_zip_to_the_last_target_and_the_finish_page(phone, live_server, call_action):
    phone.goto(f"{live_server.url}/campaigns/call-test/call/?source=friend")
    _fits(phone)
    phone.get_by_label("ZIP code").fill("78701")
    phone.get_by_role("button", name="Find who to call").click()
    _call_everyone(phone, ["Talked to staff", "Left a voicemail", "Voicemail full"])
    phone.wait_for_selector("text=Thank you for calling")
    _fits(phone)
    text = phone.locator("main").inner_text()
    assert "Talked to staff" in text
    assert "Voicemail full" in text
    rows = list(Outreach.objects.order_by("pk"))
    assert [o.outcome for o in rows] == [
        "talked_to_staff",
        "left_voicemail",
        "voicemail_full",
    ]
    assert {o.referred_by_code for o in rows} == {"friend"}
    # The optional email.
    phone.get_by_label("Email", exact=True).fill("caller@example.org")
    phone.get_by_role("button", name="Save my email").click()
    phone.wait_for_selector("text=We have your email")
    assert {o.supporter.email for o in Outreach.objects.all()} == {"caller@example.org"}


def test_the_same_in_spanish(phone, live_server, call_action):
    phone.goto(f"{live_server.url}/campaigns/call-test/call/?lang=es")
    assert phone.locator("html").get_attribute("lang") == "es"
    phone.get_by_label("Código postal").fill("78701")
    phone.get_by_role("button", name="Ver a quién llamar").click()
    _call_everyone(
        phone, ["Hablé con el personal", "Omitida", "Ocupado o sin respuesta"]
    )
    phone.wait_for_selector("text=Gracias por llamar")
    assert phone.locator("html").get_attribute("lang") == "es"
    assert [o.outcome for o in Outreach.objects.order_by("pk")] == [
        "talked_to_staff",
        "skipped",
        "busy_or_no_answer",
    ]
    assert {o.language for o in Outreach.objects.all()} == {"es"}


def test_a_split_zip_takes_the_choose_your_representative_path(
    phone, live_server, call_action
):
    phone.goto(f"{live_server.url}/campaigns/call-test/call/")
    phone.get_by_label("ZIP code").fill("35062")
    phone.get_by_role("button", name="Find who to call").click()
    phone.wait_for_selector("text=Who is your representative?")
    _fits(phone)
    phone.locator("input[name=district][value=AL-06]").check()
    phone.get_by_role("button", name="Continue").click()
    _call_everyone(phone, ["Skipped", "Skipped", "Talked to staff"])
    phone.wait_for_selector("text=Thank you for calling")
    house = Outreach.objects.get(outcome="talked_to_staff")
    assert house.legislator.chamber == "us_house"
    assert house.legislator.district == "6"
    assert house.congressional_district == "AL-06"
