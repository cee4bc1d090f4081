"""The Safe Harbor map in chromium: it renders, and each state links to its page."""

import pytest

from legislators import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_map_renders_and_clicking_a_state_opens_its_page(page, live_server, tmp_path):
    services.import_safe_harbor()
    page.goto(f"{live_server.url}/safe-harbor/")
    svg = page.locator("svg.us-map")
    svg.wait_for()
    assert page.locator("svg.us-map path").count() == 51
    assert page.locator("svg.us-map a[href^='/safe-harbor/']").count() == 51
    box = svg.bounding_box()
    assert box["width"] > 300
    assert box["height"] > 150
    page.screenshot(path=str(tmp_path / "safe-harbor-map.png"), full_page=True)
    assert (tmp_path / "safe-harbor-map.png").stat().st_size > 10_000
    fill = page.locator('a[data-state="MN"] path').evaluate(
        "el => getComputedStyle(el).fill"
    )
    assert fill == "rgb(30, 123, 58)"  # --ok, green: notable efforts

    page.locator('a[data-state="TX"] path').click()
    page.wait_for_url(f"{live_server.url}/safe-harbor/tx/")
    assert page.locator("h1").inner_text() == "Safe Harbor in Texas"
    assert "Some progress" in page.locator(".status-card").inner_text()
