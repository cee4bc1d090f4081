"""The call flow with the Census geocoder configured (a loopback fake)."""

import re

import pytest

from advocacy.models import Outreach
from tests.legislators.conftest import fake_api  # noqa: F401  (fixture)
from tests.legislators.fakes import fixture

START = "/campaigns/call-test/call/"


@pytest.fixture
def census(fake_api, settings):  # noqa: F811
    settings.CENSUS_GEOCODER_URL = fake_api.url + "/geocoder"
    fake_api.serve(
        "/geocoder/geographies/onelineaddress", fixture("census-geocoder/match.json")
    )
    return fake_api


def test_address_finds_state_legislators_once(client, call_action, census):
    # A Texas campaign (no federal bill): Texas's legislators, by the targeting rule.
    call_action.campaign.state = "TX"
    call_action.campaign.save()
    call_action.targets_own_state_senator = True
    call_action.targets_own_state_representative = True
    call_action.save()
    page = client.get(START).content.decode()
    assert 'name="address"' in page
    response = client.post(START, {"zip_code": "78701", "address": "1100 Congress Ave"})
    assert response.status_code == 303
    url = response["Location"]
    names = []
    for _ in range(2):
        html = client.get(url).content.decode()
        names.append(re.search(r'id="target-name">([^<]+)<', html).group(1))
        legislator = int(re.search(r'name="legislator" value="(\d+)"', html).group(1))
        client.post(url, {"legislator": legislator, "outcome": "left_voicemail"})
    assert names == ["Sarah Eckhardt", "Gina Hinojosa"]
    assert client.get(url).status_code == 302  # done: the finish page
    assert len(census.requests) == 1  # the target pages do not geocode again
    outreach = Outreach.objects.get(legislator__name="Sarah Eckhardt")
    assert outreach.state_upper_district == "14"
    assert outreach.state_lower_district == "49"
    assert outreach.congressional_district == "TX-37"


def test_geocoder_down_on_a_split_zip_says_so_and_offers_the_choice(
    client, call_action, census
):
    census.serve("/geocoder/geographies/onelineaddress", {"error": "down"}, status=500)
    response = client.post(START, {"zip_code": "35062", "address": "1 Main St"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "could not check your street address" in html
    assert 'value="AL-06"' in html
    assert not Outreach.objects.exists()


def test_state_targets_without_an_address_are_explained(client, call_action, settings):
    settings.CENSUS_GEOCODER_URL = ""
    call_action.targets_own_state_senator = True
    call_action.save()
    url = client.post(START, {"zip_code": "78701"})["Location"]
    assert b"finding them needs your street address" in client.get(url).content
