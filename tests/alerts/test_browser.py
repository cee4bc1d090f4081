"""A chapter leader on a phone, in Debian's chromium: compose with the live count,
preview as a sample recipient, test-send to themself, confirm the count in words, send,
and watch the progress reach 100% (a real worker process sends it)."""

import email
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from alerts import sending
from alerts.models import Alert
from tests.accounts.factories import PASSWORD
from tests.conftest import require

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, email_address):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(email_address)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Staff dashboard")).to_be_visible()


def compose_preview_test_and_confirm(page, live_server, settings, texans) -> Alert:
    log_in(page, live_server, "leader.tx@example.org")
    page.get_by_role("link", name="Alerts", exact=True).click()
    page.get_by_role("link", name="Write an alert").click()
    # The live count (the script) before anything is typed, then narrowed.
    expect(page.locator("#audience-count")).to_have_text("3 people in Harbor Texas")
    page.get_by_label("Congressional districts").fill("TX-25")
    expect(page.locator("#audience-count")).to_have_text("2 people in Harbor Texas")
    page.get_by_label("Congressional districts").fill("")
    expect(page.locator("#audience-count")).to_have_text("3 people in Harbor Texas")
    page.get_by_label("Subject").fill("{{ first_name }}, call for Safe Harbor")
    page.get_by_label("Message (Markdown)").fill("Hi {{ supporter.email }}")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.locator("#id_body-errors")).to_contain_text("not a merge field")
    page.get_by_label("Message (Markdown)").fill(
        "Dear {{ first_name }},\n\n{{ legislators }}\n\n[Act now]({{ action_link }})"
    )
    page.get_by_role("button", name="Save the draft").click()
    expect(page.locator(".messages")).to_contain_text("The draft is saved.")
    alert = Alert.objects.get()
    expect(
        page.get_by_text("This alert would go to 3 people in Harbor Texas")
    ).to_be_visible()

    page.get_by_role("link", name="Preview and test").click()
    page.get_by_label("Show it as this recipient would get it").select_option(
        str(texans[1].pk)
    )
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#preview-subject")).to_have_text("Ben, call for Safe Harbor")
    frame = page.frame_locator("iframe.email-preview")
    expect(frame.get_by_text("Dear Ben,")).to_be_visible()
    expect(frame.get_by_text("Senator John Cornyn")).to_be_visible()

    page.get_by_role("button", name="Send me a test").click()
    expect(page.locator(".messages")).to_contain_text("A test email is on its way")
    [eml] = Path(settings.HARBOR_MAIL_DIR).glob("*.eml")
    test_mail = email.message_from_bytes(eml.read_bytes())
    assert test_mail["To"] == "leader.tx@example.org"
    assert test_mail["Subject"] == "[Test] Ben, call for Safe Harbor"

    page.get_by_role("link", name="The alert", exact=True).click()
    page.get_by_role("link", name="Send or schedule").click()
    expect(page.locator(".confirm-count")).to_contain_text("3 people in Harbor Texas")
    page.get_by_label("Type the number of people to confirm").fill("30")
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".form-errors")).to_contain_text("exactly as shown")
    page.get_by_label("Type the number of people to confirm").fill("3")
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(rf"/staff/alerts/{alert.pk}/$"))
    return alert


def test_compose_preview_test_send_and_confirm(
    page, live_server, settings, leader, texans, legislators
):
    alert = compose_preview_test_and_confirm(page, live_server, settings, texans)
    alert.refresh_from_db()
    assert alert.status == Alert.Status.SENDING
    assert alert.confirmed_count == 3
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390


@pytest.fixture
def worker_mail_env(settings, monkeypatch):
    """The worker process (started after this) writes its mail where the test reads."""
    monkeypatch.setenv("HARBOR_MAIL_DIR", str(settings.HARBOR_MAIL_DIR))
    monkeypatch.setenv("EMAIL_BACKEND", settings.EMAIL_BACKEND)
    monkeypatch.setenv("SITE_URL", settings.SITE_URL)
    monkeypatch.setenv("HARBOR_POSTAL_ADDRESS", settings.HARBOR_POSTAL_ADDRESS)


def test_send_and_watch_the_progress_reach_100(
    page,
    live_server,
    settings,
    leader,
    texans,
    legislators,
    worker_mail_env,
    celery_worker_process,
):
    require(
        not getattr(sending, "PLACEHOLDER", False),
        "the send engine (alerts.sending) has not landed on this branch",
    )
    alert = compose_preview_test_and_confirm(page, live_server, settings, texans)
    # The bar moves without a reload: the page polls the progress view.
    expect(page.locator("#progress-label")).to_contain_text("100%", timeout=60000)
    expect(page.locator('[data-count="sent"]')).to_have_text("3")
    alert.refresh_from_db()
    sent = [
        email.message_from_bytes(p.read_bytes())["To"]
        for p in Path(settings.HARBOR_MAIL_DIR).glob("*.eml")
    ]
    assert sorted(sent) == sorted([s.email for s in texans] + ["leader.tx@example.org"])
