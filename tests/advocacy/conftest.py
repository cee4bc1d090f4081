import pytest

from advocacy.models import AdvocacyCampaign
from tests.advocacy.letters_setup import (  # noqa: F401  (fixtures of the letters)
    congress_letter,
    fake_cwc,
    texas_letter,
)
from tests.legislators.conftest import (  # noqa: F401  (fixtures)
    _fresh_zip_index,
    data_slice,
    districts,
)
from tests.petitions.factories import CampaignFactory

SCRIPT = (
    "Hello, I am a constituent. I ask {{ legislator_title }} {{ legislator_last_name }}"
    " to cosponsor {{ bill_number }}."
)
THANKS = "Thank you, {{ legislator_title }} {{ legislator_last_name }}, for {{ bill_number }}."


@pytest.fixture
def call_action(db, districts):  # noqa: F811
    campaign = CampaignFactory(slug="call-test", title="Call test")
    return AdvocacyCampaign.objects.create(
        campaign=campaign,
        kind=AdvocacyCampaign.Kind.CALL,
        targets_own_us_senators=True,
        targets_own_us_representative=True,
        script=SCRIPT,
        cosponsor_script=THANKS,
        talking_points="* Point one\n* Point two",
    )


@pytest.fixture(autouse=True)
def _fresh_advocacy_caches():
    from advocacy.selectors import reset_local_cache

    reset_local_cache()
    yield
    reset_local_cache()


ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "fake-auth-token-0123456789abcdef"
FROM_NUMBER = "+12025550100"


@pytest.fixture
def fake_twilio(settings):
    """The real twilio ``Client`` pointed at a loopback fake of Twilio's REST API, with
    patch-through configured."""
    from .fake_twilio import FakeTwilio

    with FakeTwilio(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as fake:
        settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
        settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
        settings.TWILIO_FROM_NUMBER = FROM_NUMBER
        settings.TWILIO_API_BASE_URL = fake.url
        settings.TWILIO_HTTP_TIMEOUT = 5.0
        settings.SITE_URL = "https://act.example.org"
        yield fake
