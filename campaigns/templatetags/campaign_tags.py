"""Campaign facts on pages that belong to apps below campaigns (the legislator lookup,
bill and state pages): those apps know no campaign, their templates ask here."""

from django import template

from campaigns import selectors, targeting

register = template.Library()


@register.simple_tag
def annotate_target_campaigns(representation) -> str:
    """Set ``target_campaigns`` on every legislator of a lookup result (one batch of
    queries for the whole page). Renders nothing."""
    legislators = [
        leg for seat in getattr(representation, "seats", []) for leg in seat.legislators
    ]
    found = targeting.campaigns_targeting(legislators) if legislators else {}
    for leg in legislators:
        leg.target_campaigns = found.get(leg.pk, [])
    return ""


@register.simple_tag
def live_campaigns_for_bill(bill):
    return selectors.live_campaigns_for_bill(bill_id=bill.pk)


@register.simple_tag
def live_campaigns_for_state(state: str):
    return list(selectors.live_campaigns_for_state(state=state))
