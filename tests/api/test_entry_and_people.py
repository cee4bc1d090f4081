"""The entry point, authentication and people, as OSDI's and Action Network's docs
describe them (aep.md, people.md, pagination in the collection scenario)."""

import json

import pytest
from django.utils import timezone

from api.models import ApiToken

from .conftest import API, Client


def test_entry_point_links_every_collection(national_api):
    response = national_api.get(API)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/hal+json")
    doc = response.json()
    assert doc["osdi_version"] == "1.2"
    assert doc["max_pagesize"] == 100
    links = doc["_links"]
    for rel in (
        "self",
        "curies",
        "docs",
        "osdi:people",
        "osdi:tags",
        "osdi:petitions",
        "osdi:advocacy_campaigns",
        "osdi:messages",
    ):
        assert rel in links, rel
    assert links["curies"][0]["name"] == "osdi"
    assert links["curies"][0]["templated"] is True
    assert links["osdi:people"]["href"] == "http://testserver/api/v1/people/"


@pytest.mark.parametrize(
    "header", ["HTTP_OSDI_API_TOKEN", "HTTP_OSDI_TOKEN", "HTTP_AUTHORIZATION"]
)
def test_each_token_header_is_accepted(client, world, header):
    api = Client(client, world["national"].secret, header=header)
    assert api.get(API).status_code == 200


def test_no_token_or_a_wrong_one_is_401_with_an_osdi_error(client, world):
    response = client.get(API)
    assert response.status_code == 401
    assert response.json()["response_code"] == 401
    wrong = Client(client, "hbr_not-a-token").get(API)
    assert wrong.status_code == 401
    assert "not valid" in wrong.json()["error"]


def test_a_revoked_token_stops_working(client, world):
    from api import services

    token = world["national"].token
    services.revoke_token(by=world["admin"], token_id=token.pk)
    assert Client(client, world["national"].secret).get(API).status_code == 401


def test_the_secret_is_stored_only_as_a_hash(world):
    secret = world["national"].secret
    token = ApiToken.objects.get(pk=world["national"].token.pk)
    assert secret not in (token.key_hash, token.prefix, token.name)
    assert secret.startswith(token.prefix)


def test_use_is_noted(national_api, world):
    national_api.get(API)
    assert ApiToken.objects.get(pk=world["national"].token.pk).last_used_at is not None


def test_people_collection_follows_osdi(national_api, world):
    doc = national_api.follow("osdi:people")
    assert doc["total_records"] == 4
    assert doc["page"] == 1
    assert doc["per_page"] == 25
    assert doc["total_pages"] == 1
    people = doc["_embedded"]["osdi:people"]
    assert len(doc["_links"]["osdi:people"]) == 4
    ohioan = next(p for p in people if p["family_name"] == "Buckeye")
    assert ohioan["identifiers"] == [f"harbor:{world['ohioan'].pk}"]
    assert ohioan["given_name"] == "Olga"
    assert ohioan["email_addresses"] == [
        {"primary": True, "address": "ohioan@example.org", "status": "unsubscribed"}
    ]
    assert ohioan["postal_addresses"][0]["locality"] == "Columbus"
    assert ohioan["postal_addresses"][0]["region"] == "OH"
    assert ohioan["phone_numbers"][0]["number"] == "+16145550123"
    assert "created_date" in ohioan
    assert "modified_date" in ohioan
    texan = next(p for p in people if p["given_name"] == "Tex0")
    assert texan["email_addresses"][0]["status"] == "subscribed"
    # The person's own link answers that person.
    one = national_api.get(ohioan["_links"]["self"]["href"]).json()
    assert one["identifiers"] == ohioan["identifiers"]


def test_a_chapter_token_sees_only_its_chapter(chapter_api, national_api, world):
    doc = chapter_api.follow("osdi:people")
    emails = {
        p["email_addresses"][0]["address"] for p in doc["_embedded"]["osdi:people"]
    }
    assert emails == {"texan0@example.org", "texan1@example.org", "texan2@example.org"}
    assert doc["total_records"] == 3
    # The Ohioan's own URL (as a national token sees it) is a 404 for this token.
    everyone = national_api.follow("osdi:people")["_embedded"]["osdi:people"]
    ohioan = next(p for p in everyone if p["given_name"] == "Olga")
    assert chapter_api.get(ohioan["_links"]["self"]["href"]).status_code == 404


def test_a_token_loses_its_power_with_the_owners_role(client, world):
    from accounts.models import RoleGrant

    RoleGrant.objects.filter(user=world["leader"]).delete()
    api = Client(client, world["chapter"].secret)
    assert api.follow("osdi:people")["total_records"] == 0


def test_pagination_walks_next_links_to_the_end(national_api):
    seen, pages = [], 0
    doc = national_api.get(
        national_api.follow()["_links"]["osdi:people"]["href"]
        if False
        else API + "people/",
        per_page=3,
    ).json()
    while True:
        pages += 1
        assert doc["per_page"] == 3
        assert doc["total_pages"] == 2
        seen += [p["identifiers"][0] for p in doc["_embedded"]["osdi:people"]]
        if "next" not in doc["_links"]:
            break
        doc = national_api.get(doc["_links"]["next"]["href"]).json()
    assert pages == 2
    assert len(seen) == len(set(seen)) == 4
    assert "previous" in doc["_links"]


def test_per_page_is_capped(national_api):
    doc = national_api.get(API + "people/", per_page=100000).json()
    assert doc["per_page"] == 100


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("page", "0"),
        ("page", "-1"),
        ("page", "abc"),
        ("per_page", "0"),
        ("per_page", "1.5"),
        ("page", "9" * 30),
    ],
)
def test_bad_page_parameters_are_a_clear_400(national_api, param, value):
    response = national_api.get(API + "people/", **{param: value})
    assert response.status_code == 400
    body = response.json()
    assert body["response_code"] == 400
    assert param in body["error"]


def test_a_page_past_the_last_is_empty(national_api):
    doc = national_api.get(API + "people/", page=99).json()
    assert doc["_embedded"]["osdi:people"] == []
    assert doc["total_records"] == 4


def test_a_huge_id_is_a_404_not_a_500(national_api):
    assert national_api.get(API + f"people/{2**70}/").status_code == 404


def test_people_list_has_a_pinned_query_budget(
    national_api, world, django_assert_max_num_queries
):
    from supporters.models import Supporter

    for i in range(20):
        Supporter.objects.create(email=f"more{i}@example.org")
    with django_assert_max_num_queries(5):
        doc = national_api.get(API + "people/").json()
    assert doc["total_records"] == 24


def test_chapter_people_list_has_a_pinned_query_budget(
    chapter_api, django_assert_max_num_queries
):
    with django_assert_max_num_queries(5):
        assert chapter_api.get(API + "people/").status_code == 200


def test_an_erased_supporter_is_nowhere_in_the_api(national_api, world, client):
    """Issue #11: an erased supporter appears nowhere in the API; their signature stays
    counted, anonymous, with no person."""
    from petitions.models import Signature
    from supporters import privacy

    olga = world["ohioan"]
    Signature.objects.create(
        petition=world["petition"],
        supporter=olga,
        referral_code="erasedsig1",
        confirmed_at=timezone.now(),
    )
    person_url = national_api.follow("osdi:people")["_embedded"]["osdi:people"]
    person_url = next(p for p in person_url if p["given_name"] == "Olga")
    person_url = person_url["_links"]["self"]["href"]
    privacy.erase(olga.pk)
    doc = national_api.follow("osdi:people")
    assert doc["total_records"] == 3
    assert national_api.get(person_url).status_code == 404
    petitions = national_api.follow("osdi:petitions")["_embedded"]["osdi:petitions"]
    signatures_url = petitions[0]["_links"]["osdi:signatures"]["href"]
    signatures = national_api.get(signatures_url).json()
    assert signatures["total_records"] == 1
    text = json.dumps(signatures)
    assert "ohioan@example.org" not in text
    assert "Olga" not in text
    assert f"people/{olga.pk}/" not in text
