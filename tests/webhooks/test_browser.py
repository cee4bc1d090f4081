"""A staff admin on a small phone (375 px), in Debian's chromium, without JavaScript:
adds an endpoint, copies its secret (shown once), and retries a failed delivery."""

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import PASSWORD
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_staff_admin_sets_up_an_endpoint_and_retries_on_a_phone(
    browser, live_server, staff_user, tmp_path
):
    context = browser.new_context(
        viewport={"width": 375, "height": 667}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Email").fill(staff_user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("link", name="Webhooks").click()
        page.get_by_role("link", name="Add an endpoint").click()
        page.get_by_label("Address (URL) that receives the webhooks").fill(
            "https://crm.example.org/hooks/harbor-signatures-and-people"
        )
        page.get_by_label("A new petition signature").check()
        page.get_by_role("button", name="Save").click()
        endpoint = WebhookEndpoint.objects.get()
        expect(page.locator("code.secret")).to_have_text(endpoint.secret)
        page.screenshot(path=str(tmp_path / "endpoint.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the endpoint page is {width}px wide"

        WebhookDelivery.objects.create(
            endpoint=endpoint,
            event="signature.created",
            object_type="petitions.signature",
            object_id=1,
            status="failed",
            attempts=8,
            response_status=503,
            last_error="HTTP 503",
        )
        page.reload()
        expect(page.locator("code.secret")).to_have_count(0)  # shown once
        expect(page.get_by_text("HTTP 503")).to_be_visible()
        page.get_by_role("button", name="Retry now").click()
        expect(page.locator(".messages")).to_contain_text("sent again")
        assert WebhookDelivery.objects.get().status in ("pending", "running", "done")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the endpoint page is {width}px wide"
        page.screenshot(path=str(tmp_path / "retried.png"), full_page=True)
        page.goto(live_server.url + "/staff/webhooks/")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the list is {width}px wide"
    finally:
        context.close()
