"""The Content-Security-Policy in chromium: the main public and staff pages load with the
header on and report no violation (securitypolicyviolation events, console errors), and
what their scripts and styles do still works: the map is shaded, the progress bar moves,
the live audience count answers."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from alerts import sending
from alerts.models import AlertRecipient
from legislators import services as legislator_services
from tests.accounts.factories import PASSWORD
from tests.alerts.conftest import make_alert
from tests.petitions.factories import CampaignFactory, PetitionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


@pytest.fixture
def watched(page):
    """The page, recording every CSP violation and CSP console message."""
    console = []
    page.add_init_script(WATCH)
    page.on(
        "console",
        lambda msg: (
            console.append(msg.text) if "Content Security Policy" in msg.text else None
        ),
    )

    def visit(url):
        response = page.goto(url)
        assert response is not None
        policy = response.headers.get("content-security-policy", "")
        assert "default-src 'self'" in policy, url
        assert "unsafe-inline" not in policy, url
        page.wait_for_load_state("load")
        return response

    def violations():
        return page.evaluate("window.__cspViolations") + console

    page.visit = visit
    page.violations = violations
    return page


def _no_violations(page, url):
    page.visit(url)
    assert page.violations() == [], url


def test_public_pages_report_no_violation_and_still_work(watched, live_server):
    legislator_services.import_safe_harbor()
    campaign = CampaignFactory(slug="safe-harbor", video_file_url="/media/clip.mp4")
    petition = PetitionFactory(campaign=campaign, slug="generation-freedom")
    base = live_server.url
    for path in (
        "/",
        campaign.get_absolute_url(),
        petition.get_absolute_url(),
        reverse("petitions:widget", kwargs={"slug": petition.slug}),
        reverse("supporters:newsletter"),
        reverse("legislators:lookup"),
        reverse("login"),
    ):
        _no_violations(watched, base + path)
    # The home page's progress bar is drawn by the stylesheet, not an inline width.
    watched.visit(base + "/")
    bar = watched.locator("progress.progress").first
    assert bar.evaluate("el => el.getBoundingClientRect().width") > 100

    _no_violations(watched, base + reverse("legislators:map"))
    fill = watched.locator('a[data-state="MN"] path').evaluate(
        "el => getComputedStyle(el).fill"
    )
    assert fill == "rgb(30, 123, 58)"  # shaded by class: --ok, notable efforts
    # The widget may be framed by partner sites; no other page may.
    widget = watched.visit(
        base + reverse("petitions:widget", kwargs={"slug": petition.slug})
    )
    assert "frame-ancestors" not in widget.headers["content-security-policy"]
    home = watched.visit(base + "/")
    assert "frame-ancestors 'none'" in home.headers["content-security-policy"]


def log_in(page, live_server, email):
    page.visit(live_server.url + reverse("login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Staff dashboard")).to_be_visible()


def test_staff_pages_report_no_violation_and_still_work(
    watched, live_server, staff_user, settings
):
    log_in(watched, live_server, "staffer@example.org")
    base = live_server.url
    for path in (
        reverse("pages:staff-dashboard"),
        reverse("accounts:roles"),
        reverse("accounts:audit"),
        reverse("supporters:list"),
        reverse("petitions:staff-list"),
        reverse("alerts:list"),
        reverse("two-factor:setup"),
        "/admin/",
        "/admin/supporters/supporter/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{staff_user.pk}/change/",
    ):
        _no_violations(watched, base + path)
    # The QR code is an SVG the page draws without script or style; it fits a phone.
    watched.set_viewport_size({"width": 375, "height": 812})
    watched.visit(base + reverse("two-factor:setup"))
    assert watched.locator("figure.qr-code svg").bounding_box()["width"] > 100
    assert watched.evaluate("document.documentElement.scrollWidth") <= 375


def test_compose_count_and_progress_bar_work_under_the_policy(
    watched, live_server, leader, texas, texans, settings
):
    log_in(watched, live_server, "leader.tx@example.org")
    watched.visit(live_server.url + reverse("alerts:compose"))
    expect(watched.locator("#audience-count")).to_have_text("3 people in Harbor Texas")
    assert watched.violations() == []

    alert = make_alert(chapter=texas, user=leader)
    assert sending.start_sending(alert)
    watched.visit(live_server.url + reverse("alerts:detail", kwargs={"pk": alert.pk}))
    expect(watched.locator("#progress-label")).to_contain_text("0%")
    AlertRecipient.objects.filter(alert=alert).update(status="sent")
    # The page polls the progress view and moves the bar without a reload.
    expect(watched.locator("#progress-label")).to_contain_text("100%", timeout=30000)
    assert watched.locator("#progress-bar").evaluate("el => el.value") == 100
    assert watched.violations() == []
