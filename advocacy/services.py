"""Writes of the advocacy app: one outreach per call (and, from the letters helper, per
letter), and the optional email a caller leaves at the end."""

import logging
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from campaigns.services import attribution_fields
from legislators.models import Legislator, Office
from supporters.models import Supporter
from supporters.services import upsert_supporter

from .models import AdvocacyCampaign, Outreach

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Place:
    """Where the supporter is, as far as the flow knows it for certain."""

    zip_code: str = ""
    state: str = ""
    congressional_district: str = ""  # "TX-07", only when certain
    state_upper_district: str = ""
    state_lower_district: str = ""


@dataclass(frozen=True)
class Source:
    """What brought the supporter: the share code and UTM of the link, the channel."""

    referred_by_code: str = ""
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    channel: str = "page"


def record_call(
    *,
    action: AdvocacyCampaign,
    session: uuid.UUID,
    legislator: Legislator,
    office: Office | None,
    outcome: str,
    place: Place,
    source: Source,
    method: str = Outreach.Method.CLICK_TO_CALL,
    language: str = "",
) -> tuple[Outreach, bool]:
    """Record one call's outcome: one outreach per (session, legislator). Safe to
    repeat: a double click or a replayed form returns the first outreach unchanged
    with ``created=False``; two concurrent first writes collide on the unique key and
    the loser reads the winner's row. The caller checks that ``legislator`` is one of
    this supporter's targets."""
    if outcome not in Outreach.Outcome.values:
        raise ValueError(f"unknown outcome {outcome!r}")
    values = {
        "office": office,
        "method": method,
        "outcome": outcome,
        "language": language[:10],
        **attribution_fields(
            campaign=action.campaign,
            state=place.state,
            congressional_district=place.congressional_district,
            state_upper_district=place.state_upper_district,
            state_lower_district=place.state_lower_district,
            referred_by_code=source.referred_by_code,
            utm_source=source.utm_source,
            utm_medium=source.utm_medium,
            utm_campaign=source.utm_campaign,
            channel=source.channel,
        ),
    }
    lookup = {
        "session": session,
        "legislator": legislator,
        "kind": AdvocacyCampaign.Kind.CALL,
    }
    try:
        with transaction.atomic():
            outreach, created = Outreach.objects.get_or_create(
                **lookup, defaults={"advocacy_campaign": action, **values}
            )
    except IntegrityError:
        outreach, created = Outreach.objects.get(**lookup), False
    if created:
        logger.info(
            "call action=%s legislator=%s outcome=%s",
            action.pk,
            legislator.pk,
            outcome,
        )
    return outreach, created


def attach_supporter(
    *,
    action: AdvocacyCampaign,
    session: uuid.UUID,
    email: str,
    first_name: str = "",
    wants_email: bool = False,
    place: Place,
) -> Supporter:
    """The email a caller leaves on the finish page: upsert the supporter (consent only
    when ticked, never moving an existing supporter: ``upsert_supporter``'s rules) and
    credit them with this session's outreaches that have no supporter yet. Safe to
    repeat."""
    profile = {"first_name": first_name[:100], "zip_code": place.zip_code[:10]}
    if place.state:
        profile["state"] = place.state
    with transaction.atomic():
        supporter, _created = upsert_supporter(
            email=email,
            source=f"call:{action.campaign.slug}"[:100],
            opt_in=wants_email,
            opt_in_method="call_checkbox",
            congressional_district=place.congressional_district,
            **profile,
        )
        Outreach.objects.filter(
            session=session, advocacy_campaign=action, supporter__isnull=True
        ).update(supporter=supporter)
    return supporter
