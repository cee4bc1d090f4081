"""A campaign's page always offers a next step: its actions, or, while it has none,
the legislator lookup and the Safe Harbor map (not an empty "Take action")."""

import pytest

from advocacy.models import AdvocacyCampaign
from tests.petitions.factories import CampaignFactory, PetitionFactory

pytestmark = pytest.mark.django_db

NOTHING_YET = "This campaign has no petition, call or letter to send yet."


def test_a_campaign_without_actions_points_to_the_lookup_and_the_map(client):
    campaign = CampaignFactory(slug="bare", title="Bare")
    text = client.get(campaign.get_absolute_url()).content.decode()
    assert NOTHING_YET in text
    assert 'href="/legislators/"' in text
    assert 'href="/safe-harbor/"' in text
    spanish = client.get(campaign.get_absolute_url() + "?lang=es").content.decode()
    assert "Esta campaña todavía no tiene una petición" in spanish
    assert "Encuentra a tus legisladores" in spanish


def test_a_campaign_with_a_petition_or_a_call_shows_them_instead(client):
    with_petition = PetitionFactory().campaign
    with_call = CampaignFactory(slug="calls", title="Calls")
    AdvocacyCampaign.objects.create(
        campaign=with_call, kind=AdvocacyCampaign.Kind.CALL, script="Hello."
    )
    for campaign in (with_petition, with_call):
        text = client.get(campaign.get_absolute_url()).content.decode()
        assert NOTHING_YET not in text
