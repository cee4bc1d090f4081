"""List pages cost the same number of queries for 3 rows or 25 (an N+1 fails here)."""

import pytest
from django.urls import reverse

from accounts import services as account_services
from petitions import services
from tests.petitions.factories import CampaignFactory, PetitionFactory


def _rows(n):
    campaign = CampaignFactory()
    petitions = [PetitionFactory(campaign=campaign) for _ in range(n)]
    for i, petition in enumerate(petitions):
        services.sign_petition(
            petition=petition, email=f"p{i}@example.org", first_name="A",
            last_name="B", zip_code="78701",
        )  # fmt: skip
    return campaign, petitions


PAGES = [
    ("pages:home", None, False),
    ("pages:campaign", "campaign", False),
    ("petitions:staff-list", None, True),
    ("petitions:signatures", "petition", True),
    ("petitions:deliveries", "petition", True),
    ("reach:packets", "campaign", True),
    ("supporters:list", None, True),
    ("accounts:audit", None, True),
    ("accounts:roles", None, True),
    ("legislators:bills", None, False),
]


def _url(name, arg, campaign, petitions):
    if arg == "campaign":
        return reverse(name, kwargs={"slug": campaign.slug})
    if arg == "petition":
        return reverse(name, kwargs={"slug": petitions[0].slug})
    return reverse(name)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "arg", "staff"), PAGES)
def test_list_pages_take_a_fixed_number_of_queries(
    client,
    staff_user,
    django_assert_max_num_queries,
    name,
    arg,
    staff,
    django_capture_on_commit_callbacks,
):
    if staff:
        client.force_login(staff_user)
    with django_capture_on_commit_callbacks():
        campaign, petitions = _rows(3)
    small_url = _url(name, arg, campaign, petitions)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(small_url).status_code == 200
    with django_capture_on_commit_callbacks():
        more_campaign, more = _rows(25)
    for _ in range(25):
        account_services.record_audit(actor=staff_user, action="supporters.export")
    url = _url(name, arg, more_campaign, more)
    # The same page with many more rows: no more queries than with few (plus slack
    # for a cache miss), and within a pinned budget.
    with django_assert_max_num_queries(max(len(small), 12) + 2):
        assert client.get(url).status_code == 200
