"""The person signup, record signature and record outreach helpers, with the request
bodies of OSDI's person_signup.md, record_signature.md and record_outreach.md (in
Action Network's shape: POST to the collection)."""

import pytest
from django.core.cache import cache

from advocacy.models import AdvocacyCampaign, Outreach
from petitions.models import Signature, SignatureIntake
from petitions.selectors import signature_counts
from supporters.models import ChapterMembership, Supporter, Tag

from .conftest import API, Client


def person(email: str, **extra) -> dict:
    return {
        "family_name": extra.pop("family_name", "Labadie"),
        "given_name": extra.pop("given_name", "Edwin"),
        "email_addresses": [
            {
                "address": email,
                "primary": True,
                "address_type": "Personal",
                **({"status": extra.pop("status")} if "status" in extra else {}),
            }
        ],
        "postal_addresses": [
            {
                "primary": True,
                "address_lines": ["935 Ed Lock"],
                "locality": "Austin",
                "region": extra.pop("region", "TX"),
                "postal_code": extra.pop("postal_code", "78701"),
                "country": "US",
            }
        ],
        **extra,
    }


# --- person signup --------------------------------------------------------------------


def test_signup_creates_a_person_and_answers_it(national_api, world):
    people = national_api.get(API).json()["_links"]["osdi:person_signup_helper"]["href"]
    response = national_api.post(
        people,
        {
            "person": person("new@example.org", status="subscribed"),
            "add_tags": ["volunteer"],
        },
    )
    assert response.status_code == 201
    doc = response.json()
    assert doc["given_name"] == "Edwin"
    assert doc["email_addresses"][0] == {
        "primary": True,
        "address": "new@example.org",
        "status": "subscribed",
    }
    supporter = Supporter.objects.get(email="new@example.org")
    assert doc["identifiers"] == [f"harbor:{supporter.pk}"]
    assert supporter.email_opt_in
    assert supporter.consent_events.count() == 1
    assert supporter.tags.filter(name="volunteer").exists()
    assert national_api.get(doc["_links"]["self"]["href"]).status_code == 200


def test_signup_without_subscribed_gives_no_consent(national_api, world):
    national_api.post(API + "people/", {"person": person("quiet@example.org")})
    assert not Supporter.objects.get(email="quiet@example.org").email_opt_in


def test_signup_of_an_existing_email_overwrites_nothing(national_api, world):
    texan = world["texans"][1]
    response = national_api.post(
        API + "people/",
        {"person": person(texan.email.upper(), given_name="Mallory", region="OH")},
    )
    assert response.status_code == 200
    texan.refresh_from_db()
    assert texan.first_name == "Tex1"
    assert texan.state == "TX"
    assert Supporter.objects.filter(email=texan.email).count() == 1


def test_signup_never_resubscribes_an_unsubscribed_person(national_api, world):
    from django.utils import timezone

    texan = world["texans"][2]
    Supporter.objects.filter(pk=texan.pk).update(
        email_opt_in=False, unsubscribed_at=timezone.now()
    )
    national_api.post(
        API + "people/", {"person": person(texan.email, status="subscribed")}
    )
    texan.refresh_from_db()
    assert not texan.email_opt_in


def test_a_chapter_tokens_new_person_joins_its_chapter(chapter_api, world):
    response = chapter_api.post(
        API + "people/",
        {"person": person("wanderer@example.org", region="", postal_code="")},
    )
    assert response.status_code == 201
    supporter = Supporter.objects.get(email="wanderer@example.org")
    assert ChapterMembership.objects.filter(
        supporter=supporter, chapter=world["texas"]
    ).exists()


def test_a_chapter_token_learns_nothing_of_another_chapters_person(chapter_api, world):
    response = chapter_api.post(
        API + "people/", {"person": person("ohioan@example.org")}
    )
    assert response.status_code == 202
    body = response.content.decode()
    assert "Olga" not in body
    assert str(world["ohioan"].pk) not in body
    # Nor is the Ohioan moved into Texas.
    assert not ChapterMembership.objects.filter(
        supporter=world["ohioan"], chapter=world["texas"]
    ).exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"person": {}},
        {"person": {"email_addresses": []}},
        {"person": {"email_addresses": [{"address": "not an email"}]}},
        {"person": person("a@example.org", postal_code="ABCDE")},
        {"person": person("a@example.org", region="Narnia")},
        {"person": person("a@example.org", given_name="<script>")},
        {"person": person("a@example.org", phone_numbers=[{"number": "12"}])},
        [],
        "just a string",
    ],
)
def test_bad_signups_are_a_400_and_change_nothing(national_api, world, body):
    before = Supporter.objects.count()
    response = national_api.post(API + "people/", body)
    assert response.status_code == 400
    doc = response.json()
    assert doc["response_code"] == 400
    assert doc["error"]
    assert Supporter.objects.count() == before


def test_malformed_json_is_a_400(national_api, world):
    response = national_api.client.post(
        API + "people/",
        "{not json",
        content_type="application/json",
        HTTP_OSDI_API_TOKEN=national_api.secret,
    )
    assert response.status_code == 400
    assert response.json()["response_code"] == 400


# --- record signature -----------------------------------------------------------------


def _petition_doc(api, slug="generation-freedom"):
    petitions = api.follow("osdi:petitions")["_embedded"]["osdi:petitions"]
    return next(p for p in petitions if p["browser_url"].endswith(f"/{slug}/"))


def test_record_signature_signs_through_the_one_sign_path(national_api, world):
    petition = _petition_doc(national_api)
    helper = petition["_links"]["osdi:record_signature_helper"]["href"]
    body = {
        "person": person("signer@example.org", status="subscribed"),
        "comments": "Support our campaign!",
        "referrer_data": {"source": "facebook-101016-mainpage"},
    }
    response = national_api.post(helper, body)
    assert response.status_code == 201, response.json()
    doc = response.json()
    assert doc["comments"] == "Support our campaign!"
    signature = Signature.objects.get(supporter__email="signer@example.org")
    assert signature.channel == "api"
    assert signature.utm_source == "facebook-101016-mainpage"
    assert signature.confirmed_at is not None
    cache.clear()  # the count is cached for a few seconds
    assert signature_counts(petition_ids=[world["petition"].pk]) == {
        world["petition"].pk: 1
    }
    # The answer links to its petition and person, which answer too.
    assert national_api.get(doc["_links"]["osdi:person"]["href"]).status_code == 200
    assert (
        national_api.get(doc["_links"]["osdi:petition"]["href"]).json()[
            "total_signatures"
        ]
        == 1
    )
    # Signing again is the same signature.
    again = national_api.post(helper, body)
    assert again.status_code == 200
    assert again.json()["identifiers"] == doc["identifiers"]
    assert Signature.objects.filter(supporter__email="signer@example.org").count() == 1
    # And it is listed among the petition's signatures.
    listed = national_api.get(petition["_links"]["osdi:signatures"]["href"]).json()
    assert listed["total_records"] == 1
    assert (
        listed["_embedded"]["osdi:signatures"][0]["identifiers"] == doc["identifiers"]
    )


def test_a_closed_petition_refuses_with_a_400(national_api, world):
    world["petition"].status = "closed"
    world["petition"].save()
    petition = _petition_doc(national_api)
    response = national_api.post(
        petition["_links"]["osdi:record_signature_helper"]["href"],
        {"person": person("late@example.org")},
    )
    assert response.status_code == 400
    assert "not taking signatures" in response.json()["error"]
    assert not Signature.objects.exists()


def test_a_chapter_token_sees_only_its_chapters_signatures(
    chapter_api, national_api, world
):
    petition = _petition_doc(national_api)
    helper = petition["_links"]["osdi:record_signature_helper"]["href"]
    national_api.post(helper, {"person": person("ohioan@example.org", region="OH")})
    national_api.post(helper, {"person": person("texan0@example.org")})
    listed = chapter_api.get(petition["_links"]["osdi:signatures"]["href"]).json()
    assert listed["total_records"] == 1
    # The chapter token signing for the Ohioan records it but shows nothing of them.
    response = chapter_api.post(helper, {"person": person("ohioan@example.org")})
    assert response.status_code == 202
    assert "harbor:" not in response.content.decode()


def test_a_draft_petition_is_not_found_by_a_chapter_token(chapter_api, world):
    world["petition"].status = "draft"
    world["petition"].save()
    url = f"{API}petitions/{world['petition'].pk}/signatures/"
    assert chapter_api.post(url, {"person": person("x@example.org")}).status_code == 404


# --- record outreach ------------------------------------------------------------------


def _action_doc(api):
    return api.follow("osdi:advocacy_campaigns")["_embedded"][
        "osdi:advocacy_campaigns"
    ][0]


def test_record_outreach_records_a_call_per_target(national_api, world):
    action = _action_doc(national_api)
    assert action["type"] == "phone"
    helper = action["_links"]["osdi:record_outreach_helper"]["href"]
    body = {
        "person": person("caller@example.org"),
        "identifiers": ["foreign_system:1"],
        "type": "phone",
        "targets": [{"identifiers": ["bioguide:C001056"]}],
        "outcome": "left_voicemail",
    }
    response = national_api.post(helper, body)
    assert response.status_code == 201, response.json()
    doc = response.json()
    assert doc["targets"][0]["family_name"] == "Cornyn"
    assert doc["outcome"] == "left_voicemail"
    outreach = Outreach.objects.get()
    assert outreach.channel == "api"
    assert outreach.supporter.email == "caller@example.org"
    assert national_api.get(doc["_links"]["osdi:person"]["href"]).status_code == 200
    # The same foreign identifier again records nothing new.
    assert national_api.post(helper, body).status_code == 201
    assert Outreach.objects.count() == 1
    listed = national_api.get(action["_links"]["osdi:outreaches"]["href"]).json()
    assert listed["total_records"] == 1


def test_an_unknown_target_is_a_400(national_api, world):
    helper = _action_doc(national_api)["_links"]["osdi:record_outreach_helper"]["href"]
    response = national_api.post(
        helper, {"targets": [{"identifiers": ["bioguide:X999"]}]}
    )
    assert response.status_code == 400
    assert "targets" in response.json()["error"]
    assert not Outreach.objects.exists()


def test_a_letter_action_refuses_api_outreaches(national_api, world):
    world["action"].kind = AdvocacyCampaign.Kind.LETTER
    world["action"].save()
    helper = _action_doc(national_api)["_links"]["osdi:record_outreach_helper"]["href"]
    response = national_api.post(
        helper, {"targets": [{"identifiers": ["bioguide:C001056"]}]}
    )
    assert response.status_code == 400
    assert "write page" in response.json()["error"]


def test_a_legislator_the_action_does_not_name_is_refused(national_api, world):
    from legislators.models import Chamber, Legislator

    action = world["action"]
    action.targets_own_us_senators = False
    action.save()
    other = Legislator.objects.create(
        bioguide_id="B000001", name="Other", chamber=Chamber.US_SENATE, state="OH"
    )
    action.target_legislators.add(world["senator"])
    helper = _action_doc(national_api)["_links"]["osdi:record_outreach_helper"]["href"]
    response = national_api.post(
        helper, {"targets": [{"identifiers": [f"harbor:{other.pk}"]}]}
    )
    assert response.status_code == 400
    assert not Outreach.objects.exists()


def test_chapter_token_outreach_of_another_chapters_person_shows_nothing(
    chapter_api, world
):
    helper = _action_doc(chapter_api)["_links"]["osdi:record_outreach_helper"]["href"]
    response = chapter_api.post(
        helper,
        {
            "person": person("ohioan@example.org", region="OH", postal_code="43215"),
            "targets": [{"identifiers": ["bioguide:C001056"]}],
        },
    )
    assert response.status_code in (201, 202)
    assert "Olga" not in response.content.decode()
    if response.status_code == 201:
        assert "osdi:person" not in response.json()["_links"]


# --- tags, taggings, messages ---------------------------------------------------------


def test_taggings_of_a_tag_are_scoped(chapter_api, national_api, world):
    tag = national_api.follow("osdi:tags")["_embedded"]["osdi:tags"][0]
    assert tag["name"] == "volunteer"
    everyone = national_api.get(tag["_links"]["osdi:taggings"]["href"]).json()
    assert everyone["total_records"] == 2
    texas = chapter_api.get(tag["_links"]["osdi:taggings"]["href"]).json()
    assert texas["total_records"] == 1
    tagging = texas["_embedded"]["osdi:taggings"][0]
    person_doc = chapter_api.get(tagging["_links"]["osdi:person"]["href"]).json()
    assert person_doc["given_name"] == "Tex0"
    assert chapter_api.get(tagging["_links"]["self"]["href"]).status_code == 200


def test_messages_are_alerts_with_their_statistics(chapter_api, national_api, world):
    from alerts.models import Alert, AlertRecipient

    texas_alert = Alert.objects.create(
        chapter=world["texas"],
        subject="Call today",
        body="Please call.",
        from_name="Harbor",
        from_email="alerts@example.org",
        status=Alert.Status.SENT,
        recipient_count=2,
    )
    Alert.objects.create(
        chapter=world["ohio"],
        subject="Ohio only",
        body="x",
        from_name="Harbor",
        from_email="alerts@example.org",
    )
    for texan, opened in ((world["texans"][0], True), (world["texans"][1], False)):
        AlertRecipient.objects.create(
            alert=texas_alert,
            supporter=texan,
            email=texan.email,
            status=AlertRecipient.Status.SENT,
            opened_at=texas_alert.created_at if opened else None,
        )
    texas = chapter_api.follow("osdi:messages")
    assert texas["total_records"] == 1
    message = texas["_embedded"]["osdi:messages"][0]
    assert message["subject"] == "Call today"
    assert message["status"] == "sent"
    assert message["statistics"]["sent"] == 2
    assert message["statistics"]["opened"] == 1
    assert national_api.follow("osdi:messages")["total_records"] == 2
    detail = chapter_api.get(message["_links"]["self"]["href"]).json()
    assert detail["statistics"] == message["statistics"]


# --- query budgets --------------------------------------------------------------------


@pytest.mark.parametrize("which", ["national_api", "chapter_api"])
def test_every_list_has_a_pinned_query_budget(
    request, world, which, django_assert_max_num_queries
):
    api: Client = request.getfixturevalue(which)
    helper = f"{API}petitions/{world['petition'].pk}/signatures/"
    for i in range(6):
        api.post(helper, {"person": person(f"budget{i}@example.org")})
        api.post(
            f"{API}advocacy_campaigns/{world['action'].pk}/outreaches/",
            {
                "person": person(f"budget{i}@example.org"),
                "targets": [{"identifiers": ["bioguide:C001056"]}],
            },
        )
        Tag.objects.create(name=f"tag{i}")
    cache.clear()
    # Token, its use, the owner's grants; then a COUNT and a page, and at most one
    # query for the whole page's extras (counts, visibility, statistics). The petition
    # counts go through the cache, which is the database here (four queries on a miss).
    budgets = {
        API: 3,
        API + "people/": 5,
        API + "tags/": 5,
        f"{API}tags/{world['tag'].pk}/taggings/": 6,
        API + "petitions/": 11,
        helper: 7,
        API + "advocacy_campaigns/": 5,
        f"{API}advocacy_campaigns/{world['action'].pk}/outreaches/": 7,
        API + "messages/": 6,
    }
    for url, budget in budgets.items():
        with django_assert_max_num_queries(budget):
            assert api.get(url).status_code == 200, url


def test_a_signature_needs_an_email_and_a_given_name(national_api, world):
    url = _petition_doc(national_api)["_links"]["osdi:record_signature_helper"]["href"]
    body = {"person": {"email_addresses": [{"address": "only.email@example.org"}]}}
    response = national_api.post(url, body)
    assert response.status_code == 400
    assert "given_name" in response.content.decode()
    assert not SignatureIntake.objects.filter(email="only.email@example.org").exists()
    body["person"]["given_name"] = "Only"
    assert national_api.post(url, body).status_code == 201
    assert Signature.objects.filter(supporter__email="only.email@example.org").exists()


def test_the_openapi_description_is_public_and_names_the_token_header(client, world):
    response = client.get(API + "openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["components"]["securitySchemes"]["OSDIToken"]["name"] == "OSDI-API-Token"
    assert "/api/v1/petitions/{id}/signatures/" in doc["paths"]
    assert "post" in doc["paths"]["/api/v1/advocacy_campaigns/{id}/outreaches/"]
