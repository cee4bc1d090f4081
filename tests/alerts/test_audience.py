import datetime as dt
import uuid

import pytest
from django.utils import timezone

from accounts.models import Role
from advocacy.models import AdvocacyCampaign, Outreach
from alerts.audience import Filters, audience_for, count_in_words
from legislators.models import Chamber, Legislator
from petitions.models import Signature
from supporters.models import ChapterMembership, Subscription, Supporter, Tag
from tests.accounts.factories import make_user
from tests.petitions.factories import PetitionFactory

from .conftest import member

pytestmark = pytest.mark.django_db


def emails(qs) -> set[str]:
    return set(qs.values_list("first_name", flat=True))


def test_a_leaders_audience_never_includes_another_chapters_supporters(
    texas, ohio, leader, texans, ohioans
):
    # Even asked for Ohio, by state, or for a chapter they do not lead: only Texans.
    assert emails(audience_for(sender=leader, chapter=texas, filters=Filters())) == {
        "Ana", "Ben", "Chloe"
    }  # fmt: skip
    assert not audience_for(sender=leader, chapter=ohio, filters=Filters()).exists()
    assert not audience_for(
        sender=leader, chapter=texas, filters=Filters(states=["OH"])
    ).exists()
    assert emails(audience_for(sender=leader, chapter=None, filters=Filters())) == {
        "Ana", "Ben", "Chloe"
    }  # fmt: skip


def test_a_supporter_in_both_chapters_counts_once(texas, ohio, leader, texans):
    ChapterMembership.objects.create(chapter=ohio, supporter=texans[0])
    staff = make_user("staff@example.org", role=Role.STAFF)
    assert audience_for(sender=staff, chapter=None, filters=Filters()).count() == 3
    assert audience_for(sender=leader, chapter=texas, filters=Filters()).count() == 3


def test_unsubscribed_bounced_complained_and_not_opted_in_are_always_left_out(
    texas, leader, texans
):
    now = timezone.now()
    member(texas, first_name="Unsub", unsubscribed_at=now)
    member(texas, first_name="Bounce", suppressed_at=now, suppression_reason="bounce")
    member(
        texas, first_name="Complaint", suppressed_at=now, suppression_reason="complaint"
    )
    member(texas, first_name="NoOptIn", email_opt_in=False)
    everyone = audience_for(sender=leader, chapter=texas, filters=Filters())
    assert emails(everyone) == {"Ana", "Ben", "Chloe"}


def test_someone_without_a_role_sees_no_audience(texas, texans):
    nobody = make_user("nobody@example.org")
    assert not audience_for(sender=nobody, chapter=texas, filters=Filters()).exists()


def test_district_state_district_tag_newsletter_and_joined_filters(
    texas, leader, texans
):
    ana, ben, chloe = texans
    by = lambda **f: emails(  # noqa: E731
        audience_for(sender=leader, chapter=texas, filters=Filters(**f))
    )
    assert by(congressional_districts=["tx-25"]) == {"Ana", "Chloe"}
    Supporter.objects.filter(pk=ben.pk).update(
        state_upper_district="14", state_lower_district="49"
    )
    assert by(state_upper_districts=["14"]) == {"Ben"}
    assert by(state_lower_districts=["49", "50"]) == {"Ben"}
    tag = Tag.objects.create(name="volunteer")
    tag.supporters.add(ana, chloe)
    assert by(tags=["volunteer"]) == {"Ana", "Chloe"}
    Subscription.objects.create(
        supporter=chloe, list="newsletter", subscribed_at=timezone.now()
    )
    Subscription.objects.create(
        supporter=ana,
        list="newsletter",
        subscribed_at=timezone.now(),
        unsubscribed_at=timezone.now(),
    )
    assert by(newsletter=True) == {"Chloe"}
    ChapterMembership.objects.filter(supporter=ana).update(
        created_at=timezone.now() - dt.timedelta(days=30)
    )
    since = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    assert by(joined_since=since) == {"Ben", "Chloe"}


def test_signed_petition_and_not_signed(texas, leader, texans):
    ana, _ben, chloe = texans
    petition = PetitionFactory()
    for i, s in enumerate([ana, chloe]):
        Signature.objects.create(petition=petition, supporter=s, referral_code=f"r{i}")
    signed = Filters(petition=petition.pk)
    not_signed = Filters(petition=petition.pk, petition_mode="not_signed")
    assert emails(audience_for(sender=leader, chapter=texas, filters=signed)) == {
        "Ana", "Chloe"
    }  # fmt: skip
    assert emails(audience_for(sender=leader, chapter=texas, filters=not_signed)) == {
        "Ben"
    }


def test_an_unconfirmed_double_opt_in_signature_does_not_count(texas, leader, texans):
    petition = PetitionFactory(requires_double_opt_in=True)
    Signature.objects.create(petition=petition, supporter=texans[0], referral_code="r")
    assert not audience_for(
        sender=leader, chapter=texas, filters=Filters(petition=petition.pk)
    ).exists()


def test_called_or_wrote_on_a_campaign_and_not_yet(texas, leader, texans, campaign):
    ana = texans[0]
    action = AdvocacyCampaign.objects.create(
        campaign=campaign, kind=AdvocacyCampaign.Kind.CALL, script="Hello."
    )
    senator = Legislator.objects.create(
        bioguide_id="S000001", name="A Senator", chamber=Chamber.US_SENATE, state="TX"
    )
    for s in (ana, None):  # an erased supporter's outreach stays, with no supporter
        Outreach.objects.create(
            advocacy_campaign=action,
            campaign=campaign,
            kind="call",
            legislator=senator,
            supporter=s,
            session=uuid.uuid4(),
            method="click_to_call",
        )
    acted = Filters(outreach_campaign=campaign.pk)
    not_yet = Filters(outreach_campaign=campaign.pk, outreach_mode="not_yet")
    assert emails(audience_for(sender=leader, chapter=texas, filters=acted)) == {"Ana"}
    assert emails(audience_for(sender=leader, chapter=texas, filters=not_yet)) == {
        "Ben", "Chloe"
    }  # fmt: skip


def test_stored_filters_of_the_wrong_shape_are_ignored_not_errors():
    f = Filters.from_json(
        {"states": "TX", "petition": "1", "newsletter": "yes", "joined_since": "soon",
         "tags": [1, "", "a"], "unknown": 1, "outreach_campaign": True}
    )  # fmt: skip
    assert f == Filters(tags=["1", "a"])
    assert Filters.from_json(None) == Filters()
    assert Filters.from_json(Filters(states=["TX"]).to_json()) == Filters(states=["TX"])


def test_count_in_words(texas):
    assert count_in_words(4210, texas) == "4,210 people in Harbor Texas"
    assert count_in_words(1, texas) == "1 person in Harbor Texas"
    assert count_in_words(2, None) == "2 people in the national network"
