"""The reach dashboard in a real browser: with known actions, the charts (Chart.js on
canvas) and the map (SVG) are drawn, on a desktop and at 375 px, and the page obeys a
Content-Security-Policy without 'unsafe-inline' (no console error, no CSP report)."""

# The dashboard tests' ``world`` fixture is imported, and named again as a parameter.
# ruff: noqa: F811

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import PASSWORD
from tests.reach.test_dashboard import world  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:"
)


def _painted_pixels(page, selector: str) -> list[int]:
    """How many non-transparent pixels each canvas matching ``selector`` holds."""
    return page.eval_on_selector_all(
        selector,
        """canvases => canvases.map(c => {
            const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 3; i < data.length; i += 4) { if (data[i]) { n++; } }
            return n;
        })""",
    )


def _log_in(page, live_server):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("staffer@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Staff dashboard")).to_be_visible()


@pytest.mark.parametrize("width", [1280, 375])
def test_the_dashboard_draws_its_charts_and_map(
    page,
    live_server,
    staff_user,
    world,
    tmp_path,
    width,
):
    problems: list[str] = []
    # A missing resource of the page is caught by its response (below); the console's
    # "Failed to load resource" is also said of the browser's own /favicon.ico.
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and not m.text.startswith("Failed to load resource")
            and problems.append(m.text)
        ),
    )
    page.on(
        "response",
        lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"),
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.set_viewport_size({"width": width, "height": 900})
    _log_in(page, live_server)

    # Serve the page under a strict policy, as the coming CSP will.
    def strict(route):
        response = route.fetch()
        headers = {**response.headers, "content-security-policy": STRICT_CSP}
        route.fulfill(response=response, headers=headers)

    page.route("**/staff/reach/**", strict)
    page.goto(f"{live_server.url}/staff/reach/?campaign={world['a'].slug}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reach")
    expect(page.locator("[data-total=actions]")).to_have_text("6")
    canvases = page.locator("canvas[data-chart]")
    expect(canvases).to_have_count(5)
    expect(page.locator("canvas[data-drawn=true]")).to_have_count(5)
    assert all(n > 200 for n in _painted_pixels(page, "canvas[data-chart]"))
    # Drawn, each chart's table is folded away (one click from view).
    expect(page.locator("details.chart-table[open]")).to_have_count(1)  # the map's
    paths = page.locator("svg.reach-map path")
    assert paths.count() >= 50
    texas = page.locator('svg.reach-map path[data-state="TX"]')
    assert "reach-shade-5" in texas.get_attribute("class")
    box = texas.bounding_box()
    assert box["width"] > 5
    assert box["height"] > 5
    fill = texas.evaluate("p => getComputedStyle(p).fill")
    assert fill == "rgb(8, 81, 156)"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_text("Table of the chart").first.click()
    expect(page.locator("details.chart-table[open]")).to_have_count(2)
    page.screenshot(path=str(tmp_path / f"reach-{width}.png"), full_page=True)
    assert problems == []


def test_without_javascript_the_tables_are_there(
    browser,
    live_server,
    staff_user,
    world,
    tmp_path,
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    _log_in(page, live_server)
    page.goto(f"{live_server.url}/staff/reach/")
    expect(page.locator("details.chart-table[open]")).to_have_count(6)  # and the map
    expect(
        page.get_by_role("table", name="By chapter").get_by_role(
            "rowheader", name="Texas"
        )
    ).to_be_visible()
    page.get_by_label("Chapter", exact=True).select_option("tx")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("[data-total=actions]")).to_have_text("5")
    context.close()
