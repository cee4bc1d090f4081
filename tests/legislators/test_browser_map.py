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


def test_on_a_375_px_phone_the_table_fits_and_the_map_has_a_margin(page, live_server):
    services.import_safe_harbor()
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}/safe-harbor/")
    page.locator("table.sh-table").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    wrap = page.locator(".table-wrap:has(table.sh-table)")
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth")
    rights = page.locator(".sh-table td:nth-child(3)").evaluate_all(
        "cells => cells.map(c => c.getBoundingClientRect().right)"
    )
    assert len(rights) == 51
    assert max(rights) <= wrap.bounding_box()["x"] + wrap.bounding_box()["width"]
    svg = page.locator("svg.us-map").bounding_box()
    for state, edges in (("AK", ("left", "bottom")), ("FL", ("bottom",))):
        box = page.locator(f'a[data-state="{state}"] path').bounding_box()
        if "left" in edges:
            assert box["x"] - svg["x"] >= 2, state
        if "bottom" in edges:
            assert (svg["y"] + svg["height"]) - (box["y"] + box["height"]) >= 2, state
