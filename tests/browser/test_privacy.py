"""A staff admin on a phone reads a supporter's consent history, downloads their data
and erases them."""

import json

import pytest
from playwright.sync_api import expect

from supporters.models import ConsentEvent, Supporter
from tests.supporters.factories import SupporterFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supporter_page_export_and_erase_at_375px(
    page, live_server, staff_user, tmp_path
):
    supporter = SupporterFactory(
        email="rosa.privacy@example.org", first_name="Rosa", last_name="Quintana",
        street_address="9 Long Street Name That Wraps On Phones", city="El Paso",
    )  # fmt: skip
    ConsentEvent.objects.create(
        supporter=supporter, kind="opt_in", at=supporter.created_at,
        source="petition:end-trafficking-now-and-forever", method="petition_checkbox",
    )  # fmt: skip
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("staffer@example.org")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + "/staff/supporters/")
    page.get_by_role("link", name="rosa.privacy@example.org").click()
    expect(page.get_by_role("heading", name="Consent history")).to_be_visible()
    expect(page.get_by_text("petition_checkbox")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the supporter page is {width}px wide"
    page.screenshot(path=str(tmp_path / "supporter.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download everything Harbor holds").click()
    data = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert data["supporter"]["last_name"] == "Quintana"

    # The box is required (the browser refuses to submit it unticked; the server's
    # refusal is tested in tests/supporters/test_privacy.py).
    assert page.get_by_label("I understand").get_attribute("required") is not None
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Erase").click()
    expect(page.get_by_role("heading", name="Erased supporter")).to_be_visible()
    assert Supporter.objects.get(pk=supporter.pk).erased_at is not None
    assert "Quintana" not in page.content()
