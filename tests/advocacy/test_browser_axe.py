"""axe-core (vendored in tests/axe, run offline) finds nothing on the call flow's pages,
in English and in Spanish, on a 375 px phone: the ZIP step, its error messages, the
split ZIP's choice, each target and the finish page."""

import pytest

from tests.axe import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 667}
LABELS = {
    "en": {"zip": "ZIP code", "find": "Find who to call", "outcome": "Skipped"},
    "es": {"zip": "Código postal", "find": "Ver a quién llamar", "outcome": "Omitida"},
}


@pytest.fixture
def page(browser, live_server):
    # JavaScript on: axe runs in the page (the flow itself needs none).
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def _clean(page, where: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], (
        where
    )
    assert violations(page) == [], where


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_call_flow_has_no_axe_violations(page, live_server, call_action, lang):
    labels = LABELS[lang]
    start = f"{live_server.url}/campaigns/call-test/call/?lang={lang}"

    page.goto(start)
    _clean(page, "start")
    for bad in ("00000", "78799"):  # not a ZIP code at all; one no district has
        page.get_by_label(labels["zip"]).fill(bad)
        page.get_by_role("button", name=labels["find"]).click()
        page.wait_for_selector(".errorlist")
        _clean(page, f"ZIP {bad}")

    page.goto(start)
    page.get_by_label(labels["zip"]).fill("35062")  # split between districts
    page.get_by_role("button", name=labels["find"]).click()
    page.wait_for_selector("input[name=district]")
    _clean(page, "split ZIP")

    page.goto(start)
    page.get_by_label(labels["zip"]).fill("78701")
    page.get_by_role("button", name=labels["find"]).click()
    for index in range(3):
        page.wait_for_selector("form .outcomes")
        _clean(page, f"target {index + 1}")
        page.get_by_role("button", name=labels["outcome"]).click()
    page.wait_for_selector("form.card, .share-links")
    assert "/done/" in page.url
    _clean(page, "finish")


def test_axe_does_report_what_is_wrong(page):
    """The check above can fail: an unlabeled field in an untitled page is reported."""
    page.set_content("<html><body><form><input type=text></form></body></html>")
    assert {"label", "document-title", "html-has-lang"} <= {
        v["id"] for v in violations(page)
    }


def test_the_staff_outreach_table_scrolls_by_keyboard(page, live_server, call_action):
    """The wide calls-and-letters table scrolls sideways on a phone: it is a labelled
    region that takes the focus (axe: scrollable-region-focusable)."""
    from tests.accounts.factories import make_leader
    from tests.supporters.factories import ChapterFactory

    leader = make_leader(ChapterFactory(), email="leader@example.org")
    page.context.add_cookies(_session_cookie(live_server, leader))
    page.goto(f"{live_server.url}/staff/campaigns/call-test/outreach/")
    page.wait_for_selector(".table-wrap")
    assert page.locator(".table-wrap").evaluate("e => e.scrollWidth > e.clientWidth")
    _clean(page, "staff outreach")


def _session_cookie(live_server, user) -> list[dict]:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return [
        {
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": live_server.url,
        }
    ]
