"""A staff member logs in on a phone, imports a CSV and sees its result."""

import re

import pytest
from playwright.sync_api import expect

from supporters import importing
from supporters.models import SupporterImport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_login_import_and_search(page, live_server, staff_user, tmp_path):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Staff login").click()
    page.get_by_label("Email").fill("staffer@example.org")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".errorlist")).to_contain_text("correct email and password")

    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Staff dashboard")).to_be_visible()

    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "email,first_name,state\nrosa@example.org,Rosa,TX\nbad-email,X,TX\n"
    )
    page.get_by_role("link", name="Import a CSV").click()
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Upload and import").click()
    expect(page).to_have_url(re.compile(r"/staff/supporters/import/\d+/$"))
    # No worker runs in this test: the import is queued; run it as the worker would.
    importing.run_import(import_id=SupporterImport.objects.get().pk)
    page.reload()
    expect(page.get_by_text("Rejected: nothing was imported")).to_be_visible()
    expect(page.get_by_role("cell", name="3", exact=True)).to_be_visible()

    csv_file.write_text("email,first_name,state\nrosa@example.org,Rosa,TX\n")
    page.goto(live_server.url + "/staff/supporters/import/")
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Upload and import").click()
    importing.run_import(import_id=SupporterImport.objects.latest("pk").pk)
    page.reload()
    expect(page.get_by_text("1 new supporters, 0 updated.")).to_be_visible()

    page.goto(live_server.url + "/staff/supporters/?q=rosa")
    expect(page.get_by_role("cell", name="rosa@example.org")).to_be_visible()
    page.screenshot(path=str(tmp_path / "supporters.png"), full_page=True)


def test_staff_admin_pages_fit_a_phone_and_no_role_is_preselected(
    page, live_server, staff_user
):
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("staffer@example.org")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    for path in ["/staff/roles/", "/staff/audit/", "/staff/supporters/"]:
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} is {width}px wide"
    page.goto(live_server.url + "/staff/roles/")
    assert page.get_by_label("Role", exact=True).input_value() == ""
    page.get_by_label("Login email").fill("staffer@example.org")
    page.get_by_role("button", name="Grant").click()
    expect(page.locator("#id_role-errors")).to_contain_text("required")
