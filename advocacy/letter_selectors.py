"""Reads of the write flow: targets with their routes, one supporter's letters with
their delivery status. (The action itself: ``selectors.public_action``.)"""

import uuid
from dataclasses import dataclass

from django.db.models import QuerySet

from .letters import Route, route_for
from .models import AdvocacyCampaign, Outreach
from .targets import Target


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


def letters_of_session(
    *, session: uuid.UUID, action: AdvocacyCampaign
) -> QuerySet[Outreach]:
    """One supporter's letters of one pass through ``action``'s write flow, with their
    legislators; one query."""
    return (
        Outreach.objects.filter(
            session=session, advocacy_campaign=action, kind=AdvocacyCampaign.Kind.LETTER
        )
        .select_related("legislator")
        .order_by("pk")
    )
