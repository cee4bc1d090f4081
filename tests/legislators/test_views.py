"""Public and staff pages through the test client."""

import re

import pytest
from django.urls import reverse

from accounts.models import AuditEvent as EditRecord
from accounts.models import Chapter
from campaigns.models import Campaign, CampaignBill
from legislators import services
from legislators.models import Bill, Legislator, SafeHarborLaw

from .pages import dangling_id_references, id_references

pytestmark = pytest.mark.django_db
LOOKUP = reverse("legislators:lookup")


def test_lookup_page_shows_legislators_phones_and_campaigns_in_few_queries(
    client, districts, django_assert_num_queries
):
    Campaign.objects.create(title="Reauthorize the TVPA", slug="tvpa", status="live")
    client.get(LOOKUP, {"zip_code": "43215"})  # warm this process's crosswalk copy
    # legislators, offices, the ZIP's offices (its location), campaigns, their bills
    with django_assert_num_queries(5):
        response = client.get(LOOKUP, {"zip_code": "78701"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Lloyd Doggett" in html
    assert "John Cornyn" in html
    assert "Ted Cruz" in html
    assert 'href="tel:202-225-4865"' in html
    assert "Reauthorize the TVPA" in html
    assert "D000399.jpg" in html


def test_lookup_page_for_a_split_zip_asks_for_an_address_when_it_can_use_one(
    client, districts, settings
):
    settings.CENSUS_GEOCODER_URL = "http://127.0.0.1:9/"  # not called without address
    html = client.get(LOOKUP, {"zip_code": "35062"}).content.decode()
    assert "split between 3 congressional districts" in html
    assert "AL-04, AL-06, AL-07" in html
    assert 'name="address"' in html
    assert "Enter your street address above" in html
    assert "Which congressional district do you live in?" in html


def _district_radios(html: str) -> list[str]:
    return re.findall(r'<input type="radio" name="district" value="([^"]+)"', html)


def test_without_a_geocoder_a_split_zip_offers_its_districts_to_choose_from(
    client, districts, settings
):
    settings.CENSUS_GEOCODER_URL = ""
    html = client.get(LOOKUP, {"zip_code": "35062"}).content.decode()
    assert "split between 3 congressional districts" in html
    assert 'name="address"' not in html  # an address could not be used
    assert "Enter your street address" not in html
    assert "Choose your district here" in html
    assert _district_radios(html) == ["AL-04", "AL-06", "AL-07"]
    choice_form = html[html.index('class="card district-choice"') :]
    assert '<input type="hidden" name="zip_code" value="35062">' in choice_form
    assert "AL-06: Representative Gary J. Palmer" in choice_form
    assert "this site does not look up addresses" in html  # no state legislators


def test_an_address_given_without_a_geocoder_is_said_to_be_unused(
    client, districts, settings, fake_api
):
    settings.CENSUS_GEOCODER_URL = ""
    response = client.get(LOOKUP, {"zip_code": "35062", "address": "1 Main St"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "We could not use your street address" in html
    assert "Found from your street address" not in html
    assert _district_radios(html) == ["AL-04", "AL-06", "AL-07"]
    assert not fake_api.requests


def test_choosing_a_district_shows_only_its_representative(client, districts, settings):
    settings.CENSUS_GEOCODER_URL = ""
    # What the choice form submits, as a browser without JavaScript would.
    html = client.get(
        LOOKUP, {"zip_code": "35062", "district": "AL-06"}
    ).content.decode()
    assert "You chose district AL-06." in html
    assert 'href="?zip_code=35062">Choose another district</a>' in html
    assert "split between" not in html
    assert _district_radios(html) == []
    assert "Gary J. Palmer" in html
    assert "Robert B. Aderholt" not in html
    assert "Tommy Tuberville" in html  # the senators stay


def test_choosing_a_district_of_a_zip_in_two_states_shows_that_states_senators(
    client, districts, settings
):
    settings.CENSUS_GEOCODER_URL = ""
    html = client.get(LOOKUP, {"zip_code": "30165"}).content.decode()
    choices = _district_radios(html)
    georgia = next(code for code in choices if code.startswith("GA-"))
    html = client.get(
        LOOKUP, {"zip_code": "30165", "district": georgia}
    ).content.decode()
    assert "Tommy Tuberville" not in html
    assert "Jon Ossoff" in html


@pytest.mark.parametrize("district", ["AL-99", "TX-37", "<b>", "al-06x", "x" * 50])
def test_a_district_not_of_the_zip_is_ignored(client, districts, settings, district):
    settings.CENSUS_GEOCODER_URL = ""
    response = client.get(LOOKUP, {"zip_code": "35062", "district": district})
    assert response.status_code == 200
    html = response.content.decode()
    assert _district_radios(html) == ["AL-04", "AL-06", "AL-07"]
    assert "<b>" not in html.split("<main", 1)[1]


@pytest.mark.parametrize(
    ("zip_code", "sentence", "title", "name"),
    [
        (
            "20001",
            "District of Columbia has no senators in the US Senate.",
            "Delegate",
            "Eleanor Holmes Norton",
        ),
        (
            "00901",
            "Puerto Rico has no senators in the US Senate.",
            "Resident Commissioner",
            "Pablo José Hernández",
        ),
    ],
)
def test_lookup_page_for_dc_and_puerto_rico_says_there_are_no_senators(
    client, districts, zip_code, sentence, title, name
):
    html = client.get(LOOKUP, {"zip_code": zip_code}).content.decode()
    assert sentence in html
    assert "vacant" not in html
    assert (
        f'<span class="member-title">{title}</span><br><strong>{name}</strong>' in html
    )
    assert "Representative" not in html


def test_lookup_page_gives_each_member_their_title(client, districts):
    html = client.get(LOOKUP, {"zip_code": "78701"}).content.decode()
    assert '<span class="member-title">Senator</span><br><strong>John Cornyn' in html
    assert (
        '<span class="member-title">Representative</span><br><strong>Lloyd Doggett'
        in html
    )
    assert "has no senators" not in html


def test_bill_sponsors_carry_the_title_of_their_seat(client, districts):
    bill = Bill.objects.create(
        jurisdiction="US", session="119", identifier="H.R. 1", title="A bill"
    )
    for bioguide_id, kind in (
        ("D000399", "sponsor"),
        ("N000147", "cosponsor"),
        ("H001103", "cosponsor"),
    ):
        leg = Legislator.objects.get(bioguide_id=bioguide_id)
        bill.sponsorships.create(name=f"{leg.name} as filed", kind=kind, legislator=leg)
    bill.sponsorships.create(name="Rep. Someone [R-ZZ-1]", kind="cosponsor")
    html = client.get(bill.get_absolute_url()).content.decode()
    assert "Representative Lloyd Doggett (D-TX-37) · Sponsor" in html
    assert "Delegate Eleanor Holmes Norton (D-DC-AL) · Cosponsor" in html
    assert "Resident Commissioner Pablo José Hernández (D-PR-AL) · Cosponsor" in html
    assert "Rep. Someone [R-ZZ-1] · Cosponsor" in html


def _card(html: str, name: str) -> str:
    """The lookup card of the legislator called ``name``."""
    (card,) = [
        c for c in html.split('<div class="legislator">') if f"<strong>{name}" in c
    ]
    return card


def test_lookup_page_names_each_office_by_its_city_nearest_first(client, districts):
    html = client.get(LOOKUP, {"zip_code": "77002"}).content.decode()
    cornyn = _card(html, "John Cornyn")
    phones = re.findall(
        r'<a href="tel:([^"]+)">[^<]+</a> <span class="muted">\(([^)]+)\)', cornyn
    )
    assert phones[:2] == [
        ("713-572-3337", "Houston office"),
        ("202-224-2934", "Washington, DC office"),
    ]
    assert {label for _phone, label in phones[2:]} == {
        "Austin office",
        "Dallas office",
        "Harlingen office",
        "Lubbock office",
        "San Antonio office",
        "Tyler office",
    }
    assert "<summary>6 more offices</summary>" in cornyn
    assert "(District office)" not in html


def test_lookup_orders_offices_from_the_geocoded_address(
    client, districts, fake_api, settings
):
    from .fakes import fixture

    settings.CENSUS_GEOCODER_URL = fake_api.url
    in_dallas = (
        fixture("census-geocoder/match.json")
        .decode()
        .replace('"x": -97.74, "y": 30.27', '"x": -96.80, "y": 32.78')
    )
    fake_api.serve("/geographies/onelineaddress", in_dallas)
    html = client.get(
        LOOKUP, {"zip_code": "78701", "address": "1 Elm St"}
    ).content.decode()
    assert "(Dallas office)" in _card(html, "John Cornyn").split("tel:")[1]


def test_lookup_page_says_a_seat_is_vacant(client, districts):
    html = client.get(LOOKUP, {"zip_code": "94541"}).content.decode()
    assert "This seat is vacant" in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"zip_code": ""}, "Enter your ZIP code."),
        ({"zip_code": "abcde"}, "Enter a 5-digit ZIP code"),
        ({"zip_code": "1234"}, "Enter a 5-digit ZIP code"),
        ({"zip_code": "\uff11\uff12\uff13\uff14\uff15"}, "Enter a 5-digit ZIP code"),
        ({"zip_code": "1234\u2075"}, "Enter a 5-digit ZIP code"),
        ({"zip_code": "78701-\u0661\u0662\u0663\u0664"}, "Enter a 5-digit ZIP code"),
        ({"zip_code": "00000"}, "none begins with 000"),
        ({"zip_code": "00501"}, "We could not find ZIP code 00501"),
        ({"zip_code": "7" * 5000}, "Ensure this value has at most 10 characters"),
        ({"zip_code": "78701", "address": "x" * 5000}, "at most 200 characters"),
    ],
)
def test_bad_input_is_shown_next_to_its_field_never_a_500(
    client, districts, settings, params, message
):
    settings.CENSUS_GEOCODER_URL = "http://127.0.0.1:9/"  # never reached
    response = client.get(LOOKUP, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'class="errorlist' in html


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"zip_code": "78701"},
        {"zip_code": "35062", "address": "1 Main St"},
        {"zip_code": "abcde", "address": "1 Main St"},
    ],
)
def test_every_aria_describedby_on_the_lookup_page_points_to_an_existing_id(
    client, districts, settings, params
):
    settings.CENSUS_GEOCODER_URL = "http://127.0.0.1:9/geocoder"  # unreachable
    html = client.get(LOOKUP, params).content.decode()
    described = [r for r in id_references(html) if r[1] == "aria-describedby"]
    assert described, "the help text of the address field is referenced"
    assert dangling_id_references(html) == []


def test_empty_lookup_page_shows_the_form(client):
    response = client.get(LOOKUP)
    assert response.status_code == 200
    assert 'name="zip_code"' in response.content.decode()


def test_bill_page_shows_status_timeline_sponsors_and_live_campaigns(client):
    services.import_tvpa_bills()
    bill = Bill.objects.get(session="118", identifier="H.R. 5856")
    CampaignBill.objects.create(
        bill=bill,
        campaign=Campaign.objects.create(
            title="Pass the TVPRA", slug="tvpra", status="live"
        ),
    )
    CampaignBill.objects.create(
        bill=bill, campaign=Campaign.objects.create(title="Secret draft", slug="draft")
    )
    bill.sponsorships.create(name="Rep. Smith, Christopher H. [R-NJ-4]", kind="sponsor")
    html = client.get(bill.get_absolute_url()).content.decode()
    assert "H.R. 5856" in html
    assert "Passed one chamber" in html
    assert "Feb 13, 2024" in html or "Feb. 13, 2024" in html
    assert "Rep. Smith" in html
    assert "Pass the TVPRA" in html
    assert "Secret draft" not in html
    assert (
        client.get(reverse("legislators:bill", kwargs={"pk": 999999})).status_code
        == 404
    )


def test_map_links_every_state_to_its_page_and_has_a_table(client):
    services.import_safe_harbor()
    html = client.get(reverse("legislators:map")).content.decode()
    assert html.count("<path ") == 51
    svg = html[html.index("<svg") : html.index("</svg>")]
    from legislators import atlas

    codes = [code for code, _name, _d in atlas.state_paths()]
    assert len(codes) == 51
    for code in codes:
        assert f'<a href="/safe-harbor/{code.lower()}/" data-state="{code}"' in svg
    assert "<title>Minnesota: Notable efforts</title>" in html
    assert "<title>Ohio: Low progress</title>" in html
    assert "<title>Texas: Some progress</title>" in html
    assert '<th scope="row"><a href="/safe-harbor/tx/">Texas</a></th>' in html
    assert 'class="sh-partial"' in html


def test_map_says_what_its_colours_measure_and_as_of_when(client):
    services.import_safe_harbor()
    html = client.get(reverse("legislators:map")).content.decode()
    assert "What the colours measure" in html
    for words in ("Notable efforts", "Some progress", "Low progress", "Unknown"):
        assert f"<strong>{words}</strong>: The source" in html
    assert "children can be charged with prostitution, and it records no" in html
    assert "The sources date from 2008 to 2025." in html
    assert "are more than five years old" in html
    assert "come from Shared Hope International, State Law Survey, 2015." in html
    for old_words in ("No protection", "Full protection", "Partial protection"):
        assert old_words not in html


@pytest.mark.parametrize(
    ("state", "progress", "source"),
    [
        ("ny", "Some progress", "New York Social Services Law §§447-a, 447-b, 2008."),
        ("fl", "Some progress", "Florida Senate bill summary, CS/CS/HB 99, 2012."),
        ("ga", "Some progress", "Georgia SB 8 and Amendment 2, 2015-2016."),
        ("ut", "Unknown", "Shared Hope International, State Law Survey, 2015."),
    ],
)
def test_a_state_with_a_safe_harbor_act_is_never_low_progress(
    client, state, progress, source
):
    services.import_safe_harbor()
    html = client.get(
        reverse("legislators:state", kwargs={"state": state})
    ).content.decode()
    card = html[html.index("status-card") : html.index("</table>")]
    assert f"</span> {progress}</p>" in card
    assert f"According to {source}" in card
    assert "Low progress" not in card
    map_html = client.get(reverse("legislators:map")).content.decode()
    name = {"ny": "New York", "fl": "Florida", "ga": "Georgia", "ut": "Utah"}[state]
    assert f"<title>{name}: {progress}</title>" in map_html


def test_staff_see_which_safe_harbor_records_need_review(staff_client):
    from django.utils import timezone

    services.import_safe_harbor()
    this_year = str(timezone.localdate().year)
    SafeHarborLaw.objects.filter(state="CA").update(as_of=this_year)
    SafeHarborLaw.objects.filter(state="MO").update(as_of="undated")
    html = staff_client.get(reverse("legislators:staff-bills")).content.decode()
    rows = {
        m[0]: m[1]
        for m in re.findall(
            r'<a href="/staff/legislators/safe-harbor/\w\w/">([^<]+)</a>.*?'
            r"<td>(?:<strong[^>]*>)?(Needs review|Current)",
            html,
        )
    }
    assert rows["Ohio"] == "Needs review"  # 2015
    assert rows["Missouri"] == "Needs review"  # undated
    assert rows["California"] == "Current"
    assert "50 records need review" in html  # all but California
    edit = staff_client.get(
        reverse("legislators:staff-safe-harbor-edit", kwargs={"state": "oh"})
    ).content.decode()
    assert "this record's source is as of 2015, more than five years ago." in edit
    edit = staff_client.get(
        reverse("legislators:staff-safe-harbor-edit", kwargs={"state": "ca"})
    ).content.decode()
    assert "Needs review" not in edit


def test_admin_flags_and_filters_safe_harbor_records_needing_review(staff_client):
    from django.utils import timezone

    services.import_safe_harbor()
    SafeHarborLaw.objects.update(as_of="2015")
    SafeHarborLaw.objects.filter(state="CA").update(
        as_of=str(timezone.localdate().year)
    )
    url = reverse("admin:legislators_safeharborlaw_changelist")
    html = staff_client.get(url).content.decode()
    assert "Needs review" in html
    assert 'alt="False"' in html  # California's column
    current = staff_client.get(url, {"needs_review": "no"}).content.decode()
    assert current.count('<tr><td class="action-checkbox">') == 1
    california = SafeHarborLaw.objects.get(state="CA")
    assert f"/safeharborlaw/{california.pk}/change/" in current
    stale = staff_client.get(url, {"needs_review": "yes"}).content.decode()
    assert stale.count('<tr><td class="action-checkbox">') == 50


def test_state_page_shows_status_source_bills_campaign_and_chapter(client):
    services.import_safe_harbor()
    Chapter.objects.create(name="Harbor Texas", slug="texas", kind="state", state="TX")
    Campaign.objects.create(
        title="Safe Harbor for Texas", slug="sh-tx", status="live", state="TX"
    )
    Bill.objects.create(
        jurisdiction="TX", session="89R", identifier="HB 1", title="Services"
    )
    html = client.get(
        reverse("legislators:state", kwargs={"state": "tx"})
    ).content.decode()
    assert "Some progress" in html
    assert "According to In re B.W., 313 S.W.3d 818 (Tex. 2010), 2010-06-18." in html
    assert "Immunity from prostitution charges for minors" in html
    assert "HB 1" in html
    assert "Safe Harbor for Texas" in html
    assert "Harbor Texas" in html
    assert (
        client.get(reverse("legislators:state", kwargs={"state": "zz"})).status_code
        == 404
    )


def test_state_page_without_a_record_says_unknown(client):
    response = client.get(reverse("legislators:state", kwargs={"state": "wy"}))
    assert response.status_code == 200
    assert "Harbor has no record" in response.content.decode()


# --- Staff ----------------------------------------------------------------------------


def test_staff_pages_need_staff(client, django_user_model):
    services.import_safe_harbor()
    urls = [
        reverse("legislators:staff-bills"),
        reverse("legislators:staff-bill-new"),
        reverse("legislators:staff-safe-harbor-edit", kwargs={"state": "tx"}),
    ]
    for url in urls:
        assert client.get(url).status_code == 302
    client.force_login(
        django_user_model.objects.create_user("plain@example.org", password="x" * 20)
    )
    for url in urls:
        assert client.get(url).status_code == 403


def test_staff_edits_a_safe_harbor_record_with_history(staff_client, staff_user):
    services.import_safe_harbor()
    url = reverse("legislators:staff-safe-harbor-edit", kwargs={"state": "oh"})
    law = SafeHarborLaw.objects.get(state="OH")
    data = {
        f: getattr(law, f)
        for f in (
            "status",
            "immunity",
            "diversion",
            "services",
            "training",
            "buyer_penalties",
            "citation",
            "year",
            "source_name",
            "source_url",
            "as_of",
            "notes",
        )
    }
    data.update(status="partial", training="yes", citation="ORC 2152.021(F)")
    response = staff_client.post(url, data)
    assert response.status_code == 302
    edit = EditRecord.objects.get(
        object_type="legislators.safeharborlaw", object_id=law.pk
    )
    assert edit.actor == staff_user
    assert edit.changes["status"] == ["none", "partial"]
    assert edit.changes["training"] == ["unknown", "yes"]
    staff_client.post(url, data)  # the same again records nothing
    assert EditRecord.objects.count() == 1
    html = staff_client.get(url).content.decode()
    assert "ORC 2152.021(F)" in html
    assert "staffer" in html


def test_staff_safe_harbor_form_errors_stay_next_to_fields(staff_client):
    services.import_safe_harbor()
    url = reverse("legislators:staff-safe-harbor-edit", kwargs={"state": "oh"})
    response = staff_client.post(url, {"status": "great", "source_url": "not a url"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert SafeHarborLaw.objects.get(state="OH").status == "none"


def test_staff_enters_and_edits_a_bill_by_hand(staff_client):
    data = {
        "jurisdiction": "OH",
        "session": "136",
        "identifier": " HB  105 ",
        "title": "Safe Harbor for exploited children",
        "summary": "",
        "stage": "in_committee",
        "introduced_on": "2025-02-11",
        "source_urls_text": "https://www.legislature.ohio.gov/\n",
    }
    response = staff_client.post(reverse("legislators:staff-bill-new"), data)
    assert response.status_code == 302
    bill = Bill.objects.get()
    assert bill.identifier == "HB 105"
    assert bill.source_urls == ["https://www.legislature.ohio.gov/"]
    data.update(stage="passed_one")
    staff_client.post(
        reverse("legislators:staff-bill-edit", kwargs={"pk": bill.pk}), data
    )
    bill.refresh_from_db()
    assert bill.stage == "passed_one"
    changes = [
        e.changes
        for e in EditRecord.objects.filter(object_id=str(bill.pk)).order_by("pk")
    ]
    assert changes[0]["identifier"] == [None, "HB 105"]
    assert {"stage": ["in_committee", "passed_one"]} in changes
    # A duplicate bill is a form error, not a 500.
    response = staff_client.post(reverse("legislators:staff-bill-new"), data)
    assert response.status_code == 400
    assert "already exists" in response.content.decode()


def test_staff_forms_help_texts_are_announced(staff_client):
    services.import_safe_harbor()
    for url in (
        reverse("legislators:staff-bill-new"),
        reverse("legislators:staff-safe-harbor-edit", kwargs={"state": "oh"}),
    ):
        html = staff_client.get(url).content.decode()
        assert dangling_id_references(html) == [], url
    html = staff_client.post(reverse("legislators:staff-bill-new"), {}).content.decode()
    assert 'aria-describedby="id_session_helptext id_session_error"' in html
    assert dangling_id_references(html) == []


def test_staff_bill_form_rejects_bad_values(staff_client):
    response = staff_client.post(
        reverse("legislators:staff-bill-new"),
        {"jurisdiction": "XX", "source_urls_text": "ftp://x"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert "This field is required" in html
    assert "Enter a valid URL" in html


def test_admin_lists_every_legislators_model(staff_client):
    from django.contrib import admin
    from django.urls import reverse as rev

    from legislators import models

    registered = [m for m in admin.site._registry if m._meta.app_label == "legislators"]
    assert {m.__name__ for m in registered} == {
        name
        for name in (
            "Legislator",
            "Office",
            "ZipDistrict",
            "Bill",
            "BillAction",
            "Sponsorship",
            "SafeHarborLaw",
            "SyncRun",
        )
        if hasattr(models, name)
    }
    for model in registered:
        url = rev(f"admin:legislators_{model._meta.model_name}_changelist")
        assert staff_client.get(url).status_code == 200


def test_bill_list_shows_congress_first_then_states(client):
    services.import_tvpa_bills()
    Bill.objects.create(
        jurisdiction="TX", session="89R", identifier="HB 1", title="Services"
    )
    html = client.get(reverse("legislators:bills")).content.decode()
    assert html.index("118th Congress") < html.index("Texas")
    assert "H.R. 5856" in html
    assert "HB 1" in html


def test_lookup_page_says_when_an_address_is_not_matched(
    client, districts, fake_api, settings
):
    settings.CENSUS_GEOCODER_URL = fake_api.url
    fake_api.serve("/geographies/onelineaddress", {"result": {"addressMatches": []}})
    html = client.get(
        LOOKUP, {"zip_code": "35062", "address": "1 Nowhere Rd"}
    ).content.decode()
    assert "We could not match that street address" in html
    assert "split between 3 congressional districts" in html


@pytest.mark.parametrize(
    "how",
    [
        {"cut_after": 120},
        {"cut_after": 120, "chunked": True},
        {"status": 200},  # a complete response whose JSON body was truncated
        {"status": 503},
    ],
)
def test_lookup_page_says_the_address_could_not_be_checked_when_the_geocoder_fails(
    client, districts, fake_api, settings, how
):
    from .fakes import fixture

    settings.CENSUS_GEOCODER_URL = fake_api.url
    body = fixture("census-geocoder/match.json")
    if "cut_after" not in how:
        body = body[:120]
    fake_api.serve("/geographies/onelineaddress", body, **how)
    response = client.get(LOOKUP, {"zip_code": "35062", "address": "1 Main St"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "We could not check your street address right now" in html
    assert "split between 3 congressional districts" in html
    assert fake_api.hits("/geographies/onelineaddress") == 1


def test_lookup_page_with_a_matched_address_shows_state_legislators(
    client, districts, fake_api, settings
):
    from .fakes import fixture

    settings.CENSUS_GEOCODER_URL = fake_api.url
    fake_api.serve("/geographies/onelineaddress", fixture("census-geocoder/match.json"))
    html = client.get(
        LOOKUP, {"zip_code": "78701", "address": "1100 Congress Ave"}
    ).content.decode()
    assert "Found from your street address." in html
    assert "Sarah Eckhardt" in html
    assert "Gina Hinojosa" in html


def test_staff_bill_list_shows_bills_records_and_sync_runs(staff_client, settings):
    settings.CONGRESS_API_KEY = ""
    services.import_safe_harbor()
    services.import_tvpa_bills()
    html = staff_client.get(reverse("legislators:staff-bills")).content.decode()
    assert "H.R. 2200" in html
    assert "Minnesota" in html
    assert "import_safe_harbor" in html
    assert "Congress.gov: bill sync off (no API key set)" in html
    assert "<title>Bills and Safe Harbor · Harbor</title>" in html
    assert html.count("Imports and syncs") == 1


@pytest.fixture
def chapter_leader(client, django_user_model):
    """A staff login that is not a superuser and holds no legislators permission."""
    from tests.accounts.factories import make_leader_of_nothing

    user = make_leader_of_nothing()
    client.force_login(user)
    return user


def grant(user, *codenames):
    from django.contrib.auth.models import Permission

    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="legislators", codename__in=codenames
        )
    )


def safe_harbor_data(law, **changes):
    data = {
        f: getattr(law, f) or ""
        for f in (
            "status",
            "immunity",
            "diversion",
            "services",
            "training",
            "buyer_penalties",
            "citation",
            "year",
            "source_name",
            "source_url",
            "as_of",
            "notes",
        )
    }
    data.update(changes)
    return data


def test_safe_harbor_edit_needs_the_change_permission(client, chapter_leader):
    services.import_safe_harbor()
    url = reverse("legislators:staff-safe-harbor-edit", kwargs={"state": "oh"})
    law = SafeHarborLaw.objects.get(state="OH")
    data = safe_harbor_data(law, status="partial")
    assert client.get(url).status_code == 403
    assert client.post(url, data).status_code == 403
    assert SafeHarborLaw.objects.get(state="OH").status == "none"
    assert not EditRecord.objects.exists()
    # The list page stays open to every staff login.
    assert client.get(reverse("legislators:staff-bills")).status_code == 200

    grant(chapter_leader, "change_safeharborlaw")
    assert client.get(url).status_code == 200
    assert client.post(url, data).status_code == 302
    assert SafeHarborLaw.objects.get(state="OH").status == "partial"


def test_bill_entry_and_edit_need_the_add_and_change_permissions(
    client, chapter_leader
):
    bill = Bill.objects.create(
        jurisdiction="OH", session="136", identifier="HB 105", title="Safe Harbor"
    )
    data = {
        "jurisdiction": "OH",
        "session": "136",
        "title": "Changed",
        "stage": "introduced",
        "identifier": "HB 106",
    }
    new = reverse("legislators:staff-bill-new")
    edit = reverse("legislators:staff-bill-edit", kwargs={"pk": bill.pk})
    for url in (new, edit):
        assert client.get(url).status_code == 403
        assert client.post(url, data).status_code == 403
    assert list(Bill.objects.values_list("identifier", "title")) == [
        ("HB 105", "Safe Harbor")
    ]
    assert not EditRecord.objects.exists()
    listing = reverse("legislators:staff-bills")
    assert "Add a bill" not in client.get(listing).content.decode()

    grant(chapter_leader, "add_bill")
    assert "Add a bill" in client.get(listing).content.decode()
    assert client.get(edit).status_code == 403
    assert client.post(new, data).status_code == 302
    assert Bill.objects.filter(identifier="HB 106").exists()

    grant(chapter_leader, "change_bill")
    data.update(identifier="HB 105")
    assert client.post(edit, data).status_code == 302
    bill.refresh_from_db()
    assert bill.title == "Changed"


def test_the_loser_of_two_simultaneous_new_bill_posts_gets_a_form_error(
    staff_client,
):
    """The other request's bill is committed after this request's form found no
    duplicate and before its own INSERT (the form's check is the first read of the
    bills table)."""
    from django.db import connection

    inserted = []

    def other_request_commits_the_same_bill(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not inserted and sql.startswith("SELECT") and '"legislators_bill"' in sql:
            inserted.append(True)
            Bill.objects.bulk_create(
                [
                    Bill(
                        jurisdiction="OH",
                        session="136",
                        identifier="HB 105",
                        title="The other request",
                    )
                ]
            )
        return result

    data = {
        "jurisdiction": "OH",
        "session": "136",
        "identifier": "HB 105",
        "title": "This request",
        "stage": "introduced",
    }
    with connection.execute_wrapper(other_request_commits_the_same_bill):
        response = staff_client.post(reverse("legislators:staff-bill-new"), data)
    assert inserted
    assert response.status_code == 400
    assert "A bill with this identifier already exists" in response.content.decode()
    assert list(Bill.objects.values_list("title", flat=True)) == ["The other request"]
    assert not EditRecord.objects.exists()


def _add_rows_with_foreign_keys(model_name, numbers, django_user_model):
    from legislators.models import BillAction, Legislator, Office, Sponsorship

    for i in numbers:
        bill = Bill.objects.create(
            jurisdiction="TX", session="89R", identifier=f"HB {i + 1}", title="?"
        )
        if model_name == "billaction":
            BillAction.objects.create(bill=bill, date="2025-01-15", text="Filed")
        elif model_name == "sponsorship":
            Sponsorship.objects.create(bill=bill, name="A.J. Louderback")
        elif model_name == "office":
            legislator = Legislator.objects.create(
                openstates_id=f"ocd-person/{i}",
                name=f"Member {i}",
                chamber="state_lower",
                state="TX",
                district=str(i + 1),
            )
            Office.objects.create(legislator=legislator, kind="capitol")


@pytest.mark.parametrize("model_name", ["billaction", "sponsorship", "office"])
def test_admin_lists_showing_a_related_row_take_the_same_queries_for_any_length(
    staff_client, django_user_model, model_name
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse(f"admin:legislators_{model_name}_changelist")
    counts = []
    for numbers in (range(1), range(1, 4)):  # one row, then four
        _add_rows_with_foreign_keys(model_name, numbers, django_user_model)
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
