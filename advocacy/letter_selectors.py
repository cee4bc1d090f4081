"""Reads of the write flow: the live letter action of a campaign, and one supporter's
letters with their delivery status."""

import uuid
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from campaigns.models import Campaign, CampaignBill

from .letters import Route, route_for
from .models import AdvocacyCampaign, Outreach
from .targets import Target


def letter_action(*, slug: str) -> AdvocacyCampaign | None:
    """The active letter action of the live campaign ``slug``, with what the targets
    need loaded (the campaign, its bill links, the action's bill); None if there is
    none."""
    return (
        AdvocacyCampaign.objects.select_related("campaign", "target_bill")
        .prefetch_related(
            Prefetch(
                "campaign__bill_links",
                queryset=CampaignBill.objects.select_related("bill"),
            )
        )
        .filter(
            campaign__slug=slug,
            campaign__status=Campaign.Status.LIVE,
            kind=AdvocacyCampaign.Kind.LETTER,
            is_active=True,
        )
        .first()
    )


@dataclass
class LetterTarget:
    """A target of the write flow with the way a letter reaches them."""

    target: Target
    route: Route

    @property
    def legislator(self):
        return self.target.legislator

    @property
    def writable(self) -> bool:
        """Whether Harbor can deliver or hand over a letter to them."""
        return self.route != Route.NONE


def with_routes(targets: list[Target]) -> list[LetterTarget]:
    """Each target with its route (``advocacy.letters.route_for``); no query."""
    return [LetterTarget(target=t, route=route_for(t.legislator)) for t in targets]


def letters_of_session(*, session: uuid.UUID) -> QuerySet[Outreach]:
    """One supporter's letters of one pass through the write flow, with their
    legislators; one query."""
    return (
        Outreach.objects.filter(session=session, kind=AdvocacyCampaign.Kind.LETTER)
        .select_related("legislator")
        .order_by("pk")
    )
