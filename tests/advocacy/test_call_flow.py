"""The call flow through HTTP: ZIP → targets one at a time → finish, and bad input."""

import re
import uuid

import pytest
from django.urls import reverse

from advocacy import passes
from advocacy.models import Outreach
from advocacy.selectors import CallerPlace
from advocacy.services import Source
from legislators.models import Chamber, Legislator
from supporters.models import Supporter

START = "/campaigns/call-test/call/"


def _start(client, zip_code="78701", **extra):
    return client.post(START, {"zip_code": zip_code, **extra})


def _follow_to_target(client, zip_code="78701", **extra):
    response = _start(client, zip_code, **extra)
    assert response.status_code == 303, response.content.decode()[:2000]
    return response["Location"]


def _current_legislator(html: str) -> int:
    return int(re.search(r'name="legislator" value="(\d+)"', html).group(1))


def test_start_page_and_campaign_page_link(client, call_action):
    response = client.get(START + "?source=abc123&utm_source=newsletter")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="ref" value="abc123"' in html
    assert 'name="utm_source" value="newsletter"' in html
    page = client.get("/campaigns/call-test/")
    assert START in page.content.decode()


def test_whole_flow_records_one_outreach_per_target(client, call_action):
    url = _follow_to_target(client, ref="friend1", utm_source="mail")
    seen = []
    outcomes = ["talked_to_staff", "left_voicemail", "busy_or_no_answer"]
    for outcome in outcomes:
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "tel:" in html
        assert "{{" not in html
        legislator = _current_legislator(html)
        seen.append(legislator)
        response = client.post(url, {"legislator": legislator, "outcome": outcome})
        assert response.status_code == 303
    assert client.get(url).status_code == 302  # every target done: the finish page
    done = client.get(url + "done/")
    assert done.status_code == 200
    html = done.content.decode()
    assert "Talked to staff" in html
    assert "Busy or no answer" in html
    rows = list(Outreach.objects.order_by("pk"))
    assert [o.legislator_id for o in rows] == seen
    assert [o.outcome for o in rows] == outcomes
    first = rows[0]
    assert first.campaign_id == call_action.campaign_id
    assert first.advocacy_campaign == call_action
    assert first.referred_by_code == "friend1"
    assert first.utm_source == "mail"
    assert first.channel == "page"
    assert first.state == "TX"
    assert first.congressional_district == "TX-37"
    assert first.office is not None
    assert first.office.legislator_id == first.legislator_id
    assert first.method == "click_to_call"
    assert len({o.session for o in rows}) == 1


def test_replayed_post_counts_once(client, call_action):
    url = _follow_to_target(client)
    legislator = _current_legislator(client.get(url).content.decode())
    for _ in range(3):
        response = client.post(url, {"legislator": legislator, "outcome": "skipped"})
        assert response.status_code == 303
    assert Outreach.objects.count() == 1
    assert Outreach.objects.get().outcome == "skipped"


def test_forged_or_foreign_legislator_is_refused(client, call_action):
    url = _follow_to_target(client)
    foreign = Legislator.objects.filter(chamber=Chamber.US_SENATE, state="CA").first()
    for value in (foreign.pk, 99999999, "abc", 2**40, ""):
        response = client.post(url, {"legislator": value, "outcome": "talked_to_staff"})
        assert response.status_code == 400
        assert b"not one of the people" in response.content or b"Choose how" in (
            response.content
        )
    legislator = _current_legislator(client.get(url).content.decode())
    bad_outcome = client.post(url, {"legislator": legislator, "outcome": "hacked"})
    assert bad_outcome.status_code == 400
    other_office = foreign.offices.first()
    response = client.post(
        url,
        {
            "legislator": legislator,
            "outcome": "talked_to_staff",
            "office": other_office.pk,
        },
    )
    assert response.status_code == 400
    assert b"not one of this legislator" in response.content
    assert Outreach.objects.count() == 0


def test_forged_token_is_a_clear_400(client, call_action):
    url = _follow_to_target(client)
    token = url.rstrip("/").rsplit("/", 1)[1]
    for bad in (token[:-3] + "xyz", "nonsense", "x" * 3000):
        target = reverse(
            "advocacy:call-target", kwargs={"slug": "call-test", "token": bad}
        )
        assert client.get(target).status_code == 400
        response = client.post(target, {"legislator": 1, "outcome": "skipped"})
        assert response.status_code == 400
        assert b"Start again" in response.content
    assert Outreach.objects.count() == 0


@pytest.mark.parametrize(
    ("zip_code", "message"),
    [
        ("12345", b"We could not find ZIP code 12345"),
        ("abcde", b"5-digit ZIP code"),
        ("", b"Enter your ZIP code"),
    ],
)
def test_bad_zip(client, call_action, zip_code, message):
    response = _start(client, zip_code)
    assert response.status_code == 400
    assert message in response.content
    assert Outreach.objects.count() == 0


def test_zip_with_no_one_to_call(client, call_action):
    call_action.targets_own_us_senators = False
    call_action.save()
    response = _start(client, "94541")  # CA-14: a vacant seat in the data
    assert response.status_code == 200
    assert b"There is no one for you to call" in response.content


def test_split_zip_asks_and_choice_settles(client, call_action):
    response = _start(client, "35062")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Who is your representative?" in html
    assert 'value="AL-06"' in html
    # A district not among the ZIP's is not taken.
    again = _start(client, "35062", district="TX-07")
    assert again.status_code == 200
    assert b"not one of your ZIP code" in again.content
    url = _follow_to_target(client, "35062", district="AL-06")
    page = client.get(url).content.decode()
    assert "Call 1 of 3" in page
    house = Legislator.objects.get(chamber="us_house", state="AL", district="6")
    assert house.name in page


def test_address_without_geocoder_is_reported(client, call_action, settings):
    settings.CENSUS_GEOCODER_URL = ""
    response = _start(client, "35062", address="1 Main St")
    assert b"could not use your street address" in response.content
    url = _follow_to_target(client, "78701", address="1 Main St")
    assert b"could not use your street address" in client.get(url).content


def test_finish_email_with_consent_rules(client, call_action):
    url = _follow_to_target(client)
    done_url = url + "done/"
    # Nothing called yet: no supporter made.
    assert client.post(done_url, {"email": "ana@example.org"}).status_code == 400
    legislator = _current_legislator(client.get(url).content.decode())
    client.post(url, {"legislator": legislator, "outcome": "talked_to_staff"})
    bad = client.post(done_url, {"email": "not-an-email"})
    assert bad.status_code == 400
    assert Supporter.objects.count() == 0
    ok = client.post(done_url, {"email": "Ana@Example.org", "first_name": "Ana"})
    assert ok.status_code == 303
    supporter = Supporter.objects.get()
    assert supporter.email == "ana@example.org"
    assert not supporter.email_opt_in  # not ticked
    assert Outreach.objects.get().supporter == supporter


def test_existing_supporter_is_never_moved(client, call_action):
    existing = Supporter.objects.create(
        email="ana@example.org", state="CA", zip_code="94541", first_name="Ana"
    )
    url = _follow_to_target(client)
    legislator = _current_legislator(client.get(url).content.decode())
    client.post(url, {"legislator": legislator, "outcome": "talked_to_staff"})
    client.post(url + "done/", {"email": "ana@example.org", "wants_email": "on"})
    existing.refresh_from_db()
    assert existing.state == "CA"
    assert existing.zip_code == "94541"
    assert existing.email_opt_in


def test_spanish(client, call_action):
    response = client.get(START + "?lang=es")
    assert response.status_code == 200
    assert b'lang="es"' in response.content
    url = client.post(START + "?lang=es", {"zip_code": "78701"})["Location"]
    assert "lang=es" in url
    page = client.get(url).content.decode()
    assert "Llamada 1 de 3" in page


def test_inactive_or_unknown_action_is_404(client, call_action):
    assert client.get("/campaigns/nope/call/").status_code == 404
    call_action.is_active = False
    call_action.save()
    assert client.get(START).status_code == 404


def test_token_roundtrip():
    call_pass = passes.CallPass(
        session=uuid.uuid4(),
        place=CallerPlace(zip_code="78701", district="TX-37", state="TX"),
        source=Source(referred_by_code="abc"),
    )
    token = passes.make_token(call_pass, slug="call-test")
    assert passes.read_token(token, slug="call-test") == call_pass


def test_target_page_query_budget(client, call_action, django_assert_max_num_queries):
    url = _follow_to_target(client)
    # First view: the targets computed (and, on the database cache of the embedded
    # setup, three queries per cache write).
    with django_assert_max_num_queries(26):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(3):  # then cached: the pass's outcomes
        assert client.get(url).status_code == 200
    legislator = _current_legislator(client.get(url).content.decode())
    client.post(url, {"legislator": legislator, "outcome": "talked_to_staff"})
    # The next target: its offices' loads counted and cached (database cache writes).
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(url).status_code == 200


def test_admin_refuses_a_script_that_reaches_settings(client, call_action):
    from tests.accounts.factories import make_user

    admin = make_user("admin@example.org", role="staff_admin")
    client.force_login(admin)
    url = f"/admin/advocacy/advocacycampaign/{call_action.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(
        url,
        {
            "campaign": call_action.campaign_id,
            "kind": "call",
            "is_active": "on",
            "targets_own_us_senators": "on",
            "script": "Hi {{ settings.SECRET_KEY }}",
            "cosponsor_script": "{% debug %}",
            "talking_points": "",
            "letter_subject": "",
            "letter_body": "",
            "target_bill_group": "",
        },
    )
    assert response.status_code == 200  # the form again, with the messages
    html = response.content.decode()
    assert "is not allowed: use only" in html
    assert "Template tags" in html
    call_action.refresh_from_db()
    assert "settings" not in call_action.script


def test_spanish_page_keeps_the_script_in_its_own_language(client, call_action):
    url = client.post(START + "?lang=es", {"zip_code": "78701"})["Location"]
    html = client.get(url).content.decode()
    assert "Senador" in html  # the page's labels
    assert "I ask Senator " in html  # the script, as staff wrote it


def test_a_pass_opens_only_its_own_campaign(client, call_action):
    """A pass swapped into another campaign's call or write flow is refused: its
    session's calls would count as done there, and that campaign's calls would be
    recorded on the first one (one outreach per session and legislator)."""
    from advocacy.models import AdvocacyCampaign
    from tests.petitions.factories import CampaignFactory

    other = AdvocacyCampaign.objects.create(
        campaign=CampaignFactory(slug="other-call", title="Other call"),
        kind=AdvocacyCampaign.Kind.CALL,
        targets_own_us_senators=True,
        targets_own_us_representative=True,
        script=call_action.script,
    )
    url = _follow_to_target(client)
    legislator = _current_legislator(client.get(url).content.decode())
    assert client.post(url, {"legislator": legislator, "outcome": "talked_to_staff"})[
        "Location"
    ]
    token = url.split("/call/")[1].split("/")[0]
    swapped = f"/campaigns/other-call/call/{token}/"
    assert client.get(swapped).status_code == 400
    response = client.post(swapped, {"legislator": legislator, "outcome": "skipped"})
    assert response.status_code == 400
    assert client.get(swapped + "done/").status_code == 400
    assert not Outreach.objects.filter(advocacy_campaign=other).exists()
    assert Outreach.objects.get().outcome == "talked_to_staff"
