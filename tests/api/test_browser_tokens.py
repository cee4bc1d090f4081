"""A chapter leader makes an API token on a phone (375 px) and copies its secret, in
Spanish; the token then answers the API."""

import re

import pytest
import requests
from playwright.sync_api import expect

from accounts.models import Chapter
from tests.accounts.factories import PASSWORD, make_leader

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leader_makes_a_token_on_a_phone_in_spanish(page, live_server, tmp_path):
    texas = Chapter.objects.create(name="Texas", slug="tx", kind="state", state="TX")
    make_leader(texas, email="leader@example.org")
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("leader@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + "/staff/api-tokens/?lang=es")
    expect(page.get_by_role("heading", name="Tokens de la API")).to_be_visible()
    page.get_by_label("Nombre").fill("Sincronización del CRM de Texas")
    page.get_by_role("button", name="Crear el token").click()
    secret = page.locator(".token-secret").inner_text().strip()
    assert re.fullmatch(r"hbr_[\w-]{40,}", secret)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the token page is {width}px wide"
    page.screenshot(path=str(tmp_path / "tokens.png"), full_page=True)
    answer = requests.get(
        live_server.url + "/api/v1/", headers={"OSDI-API-Token": secret}, timeout=10
    )
    assert answer.status_code == 200
    assert answer.json()["_links"]["osdi:people"]["href"].endswith("/api/v1/people/")
