"""Who a campaign's call and letter actions reach: the targeting rule, in one place.

A live campaign targets:
- if national (``Campaign.state`` blank): members of Congress;
- if about a state: that state's legislators, and also that state's members of Congress
  when the campaign is linked to a federal bill.
A bill link's ``target_chamber`` narrows the targets in that bill's jurisdiction to one
chamber (Senate or House; "both" keeps both). A campaign with no link in a jurisdiction
targets both of its chambers.
"""

from collections.abc import Iterable

from django.db.models import Prefetch

from legislators.models import Chamber, Legislator

from .models import Campaign, CampaignBill

_UPPER = {Chamber.US_SENATE, Chamber.STATE_UPPER}


def _chamber_side(chamber: str) -> str:
    return (
        CampaignBill.TargetChamber.UPPER
        if chamber in _UPPER
        else (CampaignBill.TargetChamber.LOWER)
    )


def campaign_targets_legislator(campaign: Campaign, legislator: Legislator) -> bool:
    """The rule above for one pair. ``campaign.bill_links`` should be prefetched with
    their bills (``campaigns_targeting`` does)."""
    if campaign.state and campaign.state != legislator.state:
        return False
    links = list(campaign.bill_links.all())
    federal_links = [link for link in links if link.bill.is_federal]
    if legislator.is_federal:
        if campaign.state and not federal_links:
            return False
        relevant = federal_links
    else:
        if not campaign.state:
            return False
        relevant = [link for link in links if not link.bill.is_federal]
    if not relevant:
        return True
    side = _chamber_side(legislator.chamber)
    return any(
        link.target_chamber in (CampaignBill.TargetChamber.BOTH, side)
        for link in relevant
    )


def campaigns_targeting(
    legislators: Iterable[Legislator],
) -> dict[int, list[Campaign]]:
    """``{legislator.pk: [live campaigns targeting them]}``, newest campaign first, in
    three queries whatever the number of legislators (campaigns, links, bills)."""
    legislators = list(legislators)
    states = {leg.state for leg in legislators}
    campaigns = list(
        Campaign.objects.live()
        .filter(state__in=[*states, ""])
        .prefetch_related(
            Prefetch(
                "bill_links",
                queryset=CampaignBill.objects.select_related("bill").only(
                    "campaign_id", "target_chamber", "bill__id", "bill__jurisdiction"
                ),
            )
        )
        .order_by("-created_at")
    )
    result: dict[int, list[Campaign]] = {}
    for leg in legislators:
        for campaign in campaigns:
            if campaign_targets_legislator(campaign, leg):
                result.setdefault(leg.pk, []).append(campaign)
    return result
