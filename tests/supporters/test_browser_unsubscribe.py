"""The unsubscribe page on a small phone (375 px), without JavaScript, in English and
Spanish, in Debian's chromium."""

import pytest

from supporters import unsubscribe
from supporters.models import Supporter

from .factories import SupporterFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 375, "height": 667}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.mark.parametrize(
    ("lang", "button", "done"),
    [
        ("en", "Unsubscribe", "You are unsubscribed"),
        ("es", "Cancelar la suscripción", "Su suscripción está cancelada"),
    ],
)
def test_one_tap_unsubscribes_on_a_phone_without_javascript(
    phone, live_server, lang, button, done
):
    ana = SupporterFactory(email="ana@example.org")
    token = unsubscribe.make_token(supporter_id=ana.pk, topic="alert:1")
    phone.goto(f"{live_server.url}/unsubscribe/{token}/?lang={lang}")
    # Nothing yet: the GET only asks.
    assert Supporter.objects.get(pk=ana.pk).unsubscribed_at is None
    target = phone.get_by_role("button", name=button)
    box = target.bounding_box()
    assert box["y"] + box["height"] < 667  # on the first screen
    assert box["height"] >= 40  # a thumb's target
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    target.click()
    phone.get_by_role("heading", name=done).wait_for()
    assert Supporter.objects.get(pk=ana.pk).unsubscribed_at is not None
