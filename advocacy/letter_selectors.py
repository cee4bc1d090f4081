"""Reads of the write flow: one supporter's letters with their delivery status. (The
action: ``selectors.public_action``; the targets and their routes:
``targets.targets_for`` and ``Target.letter_route``.)"""

import uuid

from django.db.models import QuerySet

from .models import AdvocacyCampaign, Outreach


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
