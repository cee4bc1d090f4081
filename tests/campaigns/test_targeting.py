from campaigns.models import Campaign, CampaignBill
from campaigns.targeting import campaigns_targeting
from legislators.models import Bill, Chamber, Legislator


def test_live_campaigns_target_by_scope_and_bills(districts):
    national = Campaign.objects.create(title="National", slug="n", status="live")
    Campaign.objects.create(title="Draft", slug="d", status="draft")
    texas = Campaign.objects.create(title="Texas", slug="t", status="live", state="TX")
    texas_federal = Campaign.objects.create(
        title="TX federal", slug="tf", status="live", state="TX"
    )
    tvpra = Bill.objects.create(
        jurisdiction="US", session="118", identifier="H.R. 5856", title="TVPRA"
    )
    CampaignBill.objects.create(campaign=texas_federal, bill=tvpra)
    Campaign.objects.create(title="Ohio", slug="o", status="live", state="OH")
    rep = Legislator.objects.get(bioguide_id="D000399")
    state_senator = Legislator.objects.get(
        state="TX", chamber=Chamber.STATE_UPPER, district="14"
    )
    targets = campaigns_targeting([rep, state_senator])
    assert {c.slug for c in targets[rep.pk]} == {national.slug, texas_federal.slug}
    assert {c.slug for c in targets[state_senator.pk]} == {
        texas.slug,
        texas_federal.slug,
    }


def test_a_link_to_one_chamber_targets_only_that_chamber(districts):
    national = Campaign.objects.create(title="Senate push", slug="sp", status="live")
    bill = Bill.objects.create(
        jurisdiction="US", session="118", identifier="S. 1", title="A Senate bill"
    )
    CampaignBill.objects.create(
        campaign=national, bill=bill, target_chamber=CampaignBill.TargetChamber.UPPER
    )
    rep = Legislator.objects.get(bioguide_id="D000399")
    senator = Legislator.objects.filter(state="TX", chamber=Chamber.US_SENATE).first()
    targets = campaigns_targeting([rep, senator])
    assert rep.pk not in targets
    assert [c.slug for c in targets[senator.pk]] == ["sp"]
