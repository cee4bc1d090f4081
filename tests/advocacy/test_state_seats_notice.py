"""A campaign for the supporter's own state legislators: a ZIP code alone cannot find
them, and the write (or call) page says so, instead of "no one to write to" alone."""

import pytest

from advocacy.models import AdvocacyCampaign
from tests.petitions.factories import CampaignFactory

pytestmark = pytest.mark.django_db

NEEDS_ADDRESS = "This campaign is about your state legislators"


@pytest.fixture
def state_letter(districts):
    campaign = CampaignFactory(slug="state-letter", title="Texas law", state="TX")
    return AdvocacyCampaign.objects.create(
        campaign=campaign,
        kind=AdvocacyCampaign.Kind.LETTER,
        targets_own_state_senator=True,
        targets_own_state_representative=True,
        letter_subject="Safe Harbor",
        letter_body="Please pass it.",
    )


def test_without_a_geocoder_the_page_says_a_zip_cannot_find_state_legislators(
    client, state_letter
):
    response = client.post("/campaigns/state-letter/write/", {"zip_code": "78701"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is no one for you to write to" in text
    assert NEEDS_ADDRESS in text
    assert "cannot look up street addresses yet" in text
    assert 'href="/campaigns/state-letter/"' in text
    assert "are vacant for your ZIP code" not in text  # not the federal explanation


def test_the_same_in_spanish(client, state_letter):
    response = client.post(
        "/campaigns/state-letter/write/?lang=es", {"zip_code": "78701"}
    )
    text = response.content.decode()
    assert "Esta campaña es para tus legisladores estatales" in text
    assert "todavía no puede buscar direcciones" in text
    assert NEEDS_ADDRESS not in text


def test_with_a_geocoder_the_page_asks_for_the_street_address(
    client, settings, state_letter
):
    settings.CENSUS_GEOCODER_URL = "http://127.0.0.1:9/geocoder"  # never called
    start = client.get("/campaigns/state-letter/write/").content.decode()
    assert "Your state legislators are found from your street address" in start
    # The address is not "optional" here, whatever a split ZIP needs it for.
    assert "Street address (optional)" not in start
    assert "Needed to find your state legislators." in start
    response = client.post("/campaigns/state-letter/write/", {"zip_code": "78701"})
    text = response.content.decode()
    assert NEEDS_ADDRESS in text
    assert "Enter your street address below with your ZIP code." in text


def test_a_federal_campaign_keeps_its_own_explanation(client, call_action):
    call_action.targets_own_us_senators = False
    call_action.targets_own_us_representative = False
    call_action.save()
    text = client.post("/campaigns/call-test/call/", {"zip_code": "78701"})
    text = text.content.decode()
    assert "There is no one for you to call" in text
    assert "are vacant for your ZIP code" in text
    assert NEEDS_ADDRESS not in text
    assert "Your state legislators are found" not in text
