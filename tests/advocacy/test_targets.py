import datetime as dt

from advocacy.models import AdvocacyCampaign
from advocacy.targets import targets_for
from campaigns.models import CampaignBill
from legislators.models import Bill, Chamber, Legislator, Sponsorship
from legislators.selectors import representation_for


def _bill(sponsor, cosponsors=()):
    bill = Bill.objects.create(
        jurisdiction="US", session="119", identifier="S. 1", title="TVPA"
    )
    Sponsorship.objects.create(
        bill=bill, legislator=sponsor, name=sponsor.name, kind="sponsor"
    )
    for leg in cosponsors:
        Sponsorship.objects.create(
            bill=bill, legislator=leg, name=leg.name, kind="cosponsor"
        )
    return bill


def test_own_members_of_congress_with_scripts(call_action):
    rep = representation_for(zip_code="78701")
    targets = targets_for(call_action, rep)
    chambers = [t.legislator.chamber for t in targets]
    assert chambers == [Chamber.US_SENATE, Chamber.US_SENATE, Chamber.US_HOUSE]
    for target in targets:
        assert target.legislator.last_name in target.script
        assert "{{" not in target.script
        assert target.dc_office is not None
        assert target.dc_office.kind == "dc"


def test_cosponsor_gets_the_thank_you_and_list_follows_the_bill(call_action):
    rep = representation_for(zip_code="78701")
    senators = list(
        Legislator.objects.filter(chamber=Chamber.US_SENATE, state="TX").order_by("pk")
    )
    other = Legislator.objects.filter(chamber=Chamber.US_SENATE, state="CA").first()
    bill = _bill(other, cosponsors=[senators[0]])
    call_action.target_bill = bill
    call_action.save()
    by_pk = {t.legislator.pk: t for t in targets_for(call_action, rep)}
    assert by_pk[senators[0].pk].is_cosponsor
    assert by_pk[senators[0].pk].script.startswith("Thank you")
    assert "S. 1" in by_pk[senators[0].pk].script
    assert not by_pk[senators[1].pk].is_cosponsor
    assert by_pk[senators[1].pk].script.startswith("Hello")

    # Not yet cosponsors among the supporter's own members.
    call_action.target_bill_group = AdvocacyCampaign.BillGroup.NOT_YET
    call_action.save()
    pks = [t.legislator.pk for t in targets_for(call_action, rep)]
    assert senators[0].pk not in pks
    assert senators[1].pk in pks
    # The second senator cosponsors: the list follows the bill at once.
    Sponsorship.objects.create(
        bill=bill, legislator=senators[1], name=senators[1].name, kind="cosponsor"
    )
    pks = [t.legislator.pk for t in targets_for(call_action, rep)]
    assert senators[1].pk not in pks
    # A withdrawn cosponsorship counts no more.
    Sponsorship.objects.filter(legislator=senators[1]).update(
        withdrawn_on=dt.date(2026, 1, 1)
    )
    assert senators[1].pk in [t.legislator.pk for t in targets_for(call_action, rep)]


def test_bill_group_alone_and_named_legislators(call_action):
    call_action.targets_own_us_senators = False
    call_action.targets_own_us_representative = False
    ca = list(Legislator.objects.filter(chamber=Chamber.US_SENATE, state="CA"))
    bill = _bill(ca[0])
    call_action.target_bill = bill
    call_action.target_bill_group = AdvocacyCampaign.BillGroup.NOT_YET
    call_action.save()
    rep = representation_for(zip_code="78701")
    targets = targets_for(call_action, rep)
    # Every current senator (the bill is a Senate bill) but its sponsor.
    assert {t.legislator.chamber for t in targets} == {Chamber.US_SENATE}
    assert ca[0].pk not in [t.legislator.pk for t in targets]
    assert len(targets) == Legislator.objects.filter(chamber="us_senate").count() - 1
    call_action.target_bill_group = AdvocacyCampaign.BillGroup.SPONSORS
    call_action.save()
    named = Legislator.objects.filter(chamber=Chamber.US_HOUSE, state="AK").first()
    call_action.target_legislators.add(named)
    assert [t.legislator for t in targets_for(call_action, rep)] == [named, ca[0]]


def test_targeting_rule_and_split_zip(call_action):
    campaign = call_action.campaign
    campaign.state = "CA"
    campaign.save()
    # A California campaign with no federal bill reaches no Texan member of Congress.
    assert targets_for(call_action, representation_for(zip_code="78701")) == []
    campaign.state = ""
    campaign.save()
    bill = Bill.objects.create(
        jurisdiction="US", session="119", identifier="H.R. 5", title="x"
    )
    CampaignBill.objects.create(
        campaign=campaign, bill=bill, target_chamber=CampaignBill.TargetChamber.LOWER
    )
    call_action.refresh_from_db()
    chambers = [
        t.legislator.chamber
        for t in targets_for(call_action, representation_for(zip_code="78701"))
    ]
    assert chambers == [Chamber.US_HOUSE]
    # A split ZIP: the House seat waits for the supporter's choice.
    split = representation_for(zip_code="35062")
    assert split.is_ambiguous
    assert targets_for(call_action, split) == []
