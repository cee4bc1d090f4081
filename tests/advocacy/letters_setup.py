"""Fixtures of the letters tests (imported by their modules): a national letter action
for members of Congress, a Texas one for state legislators, the fake CWC server with
Harbor configured for it."""

import pytest

from advocacy.models import AdvocacyCampaign
from legislators.models import Chamber, Legislator
from tests.advocacy.fake_cwc import FakeCwc
from tests.petitions.factories import CampaignFactory

SUBJECT = "Please act on {{ bill_number }}"
BODY = (
    "Dear {{ legislator_title }} {{ legislator_last_name }},\n\n"
    "I am your constituent. Please support {{ bill_number }}, {{ bill_title }}.\n\n"
    "Thank you."
)


def configure_cwc(settings, fake: FakeCwc, *, senate: bool = True) -> None:
    settings.CWC_API_URL = fake.url
    settings.CWC_API_KEY = fake.api_key
    settings.CWC_SENATE_API_URL = fake.url if senate else ""
    settings.CWC_SENATE_API_KEY = fake.api_key if senate else ""
    settings.CWC_DELIVERY_AGENT = "Harbor Test Network"
    settings.CWC_DELIVERY_AGENT_ACK_EMAIL = "ack@harbor.example.org"
    settings.CWC_DELIVERY_AGENT_CONTACT_NAME = "Harbor Operations"
    settings.CWC_DELIVERY_AGENT_CONTACT_EMAIL = "ops@harbor.example.org"
    settings.CWC_DELIVERY_AGENT_CONTACT_PHONE = "202-555-0100"


def cwc_env(fake: FakeCwc) -> dict[str, str]:
    """The same configuration as environment variables, for a worker process."""
    return {
        "CWC_API_URL": fake.url,
        "CWC_API_KEY": fake.api_key,
        "CWC_SENATE_API_URL": fake.url,
        "CWC_SENATE_API_KEY": fake.api_key,
        "CWC_DELIVERY_AGENT": "Harbor Test Network",
        "CWC_DELIVERY_AGENT_ACK_EMAIL": "ack@harbor.example.org",
        "CWC_DELIVERY_AGENT_CONTACT_NAME": "Harbor Operations",
        "CWC_DELIVERY_AGENT_CONTACT_EMAIL": "ops@harbor.example.org",
        "CWC_DELIVERY_AGENT_CONTACT_PHONE": "202-555-0100",
    }


@pytest.fixture
def fake_cwc(settings):
    with FakeCwc() as fake:
        configure_cwc(settings, fake)
        yield fake


@pytest.fixture
def congress_letter(db, districts):
    """A national letter action to the supporter's members of Congress."""
    campaign = CampaignFactory(slug="write-congress", title="Reauthorize the TVPA")
    return AdvocacyCampaign.objects.create(
        campaign=campaign,
        kind=AdvocacyCampaign.Kind.LETTER,
        targets_own_us_senators=True,
        targets_own_us_representative=True,
        script="Please act.",
        letter_subject=SUBJECT,
        letter_body=BODY,
    )


@pytest.fixture
def texas_letter(db, districts):
    """A Texas letter action to two named state legislators: one with a public email,
    one with neither email nor contact form."""
    campaign = CampaignFactory(
        slug="write-texas", title="Safe Harbor for Texas", state="TX"
    )
    state_legs = list(
        Legislator.objects.filter(
            state="TX", chamber__in=[Chamber.STATE_UPPER, Chamber.STATE_LOWER]
        ).order_by("pk")[:2]
    )
    with_email, without = state_legs
    with_email.email = "office.one@house.texas.example.gov"
    with_email.save(update_fields=["email"])
    without.email = ""
    without.contact_form_url = ""
    without.save(update_fields=["email", "contact_form_url"])
    action = AdvocacyCampaign.objects.create(
        campaign=campaign,
        kind=AdvocacyCampaign.Kind.LETTER,
        script="Please act.",
        letter_subject="Safe Harbor for every child",
        letter_body=BODY,
    )
    action.target_legislators.set(state_legs)
    return action
