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
