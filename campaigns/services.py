"""Writes and computed values for campaigns. Attribution is filled here for every kind of
action, so that reach counts signatures, calls, letters and alert clicks the same way."""

from accounts.models import Chapter

from .models import Campaign


def _clip(value: str, length: int) -> str:
    return (value or "").strip()[:length]


def attribution_fields(
    *,
    campaign: Campaign | None,
    state: str = "",
    congressional_district: str = "",
    state_upper_district: str = "",
    state_lower_district: str = "",
    referred_by_code: str = "",
    utm_source: str = "",
    utm_medium: str = "",
    utm_campaign: str = "",
    channel: str = "",
) -> dict:
    """The ``Attribution`` fields of one action, ready to pass to the action's create().

    The chapter credited is the campaign's own chapter when it is a state chapter's
    campaign, else the supporter's state chapter when their state is known, else the
    campaign's (national) chapter. At most one query (the state chapter). Pure otherwise:
    safe to repeat."""
    chapter_id = campaign.chapter_id if campaign else None
    campaign_chapter_is_state = bool(campaign and campaign.state)
    if state and not campaign_chapter_is_state:
        state_chapter = (
            Chapter.objects.filter(kind=Chapter.Kind.STATE, state=state)
            .values_list("pk", flat=True)
            .first()
        )
        chapter_id = state_chapter or chapter_id
    return {
        "campaign_id": campaign.pk if campaign else None,
        "chapter_id": chapter_id,
        "state": _clip(state, 2),
        "congressional_district": _clip(congressional_district, 8),
        "state_upper_district": _clip(state_upper_district, 50),
        "state_lower_district": _clip(state_lower_district, 50),
        "referred_by_code": _clip(referred_by_code, 16),
        "utm_source": _clip(utm_source, 100),
        "utm_medium": _clip(utm_medium, 100),
        "utm_campaign": _clip(utm_campaign, 100),
        "channel": _clip(channel, 20),
    }
