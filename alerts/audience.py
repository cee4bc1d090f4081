"""Who an alert goes to: the chapter's supporters, narrowed by the alert's filters.

``Alert.audience`` holds the filters as JSON (``Filters`` reads and writes it):

- ``states``: two-letter codes; ``congressional_districts``: "TX-07" style;
  ``state_upper_districts`` / ``state_lower_districts``: names as Open States gives them;
- ``tags``: tag names (any of them);
- ``petition`` with ``petition_mode`` "signed" | "not_signed";
- ``outreach_campaign`` with ``outreach_mode`` "acted" | "not_yet": called or wrote on
  that campaign (``advocacy.Outreach``), or not yet;
- ``newsletter``: subscribed to the newsletter list; ``joined_since``: "YYYY-MM-DD", the
  day they joined the chapter (or Harbor, for the national list) at the earliest.

Whatever the filters say, the audience never holds anyone who is unsubscribed, bounced,
complained or otherwise suppressed, who has not opted in to email, or whom the sender's
role may not see (``supporters_visible_to``): every audience starts from that queryset.
"""

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from accounts.models import Chapter
from accounts.selectors import AnyUser
from advocacy.models import Outreach
from petitions.models import Signature
from supporters.models import ChapterMembership, Subscription, Supporter
from supporters.selectors import supporters_visible_to

from .models import Alert


@dataclass
class Filters:
    states: list[str] = field(default_factory=list)
    congressional_districts: list[str] = field(default_factory=list)
    state_upper_districts: list[str] = field(default_factory=list)
    state_lower_districts: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    petition: int | None = None
    petition_mode: str = "signed"
    outreach_campaign: int | None = None
    outreach_mode: str = "acted"
    newsletter: bool = False
    joined_since: str = ""

    @classmethod
    def from_json(cls, data: dict | None) -> "Filters":
        """Read stored filters, ignoring unknown keys and values of the wrong type (a
        hand-edited row narrows nothing it cannot read, and never errors)."""
        data = data if isinstance(data, dict) else {}
        out = cls()
        for name in (
            "states",
            "congressional_districts",
            "state_upper_districts",
            "state_lower_districts",
            "tags",
        ):
            value = data.get(name)
            if isinstance(value, list):
                setattr(out, name, [str(v)[:50] for v in value if str(v).strip()][:100])
        for name in ("petition", "outreach_campaign"):
            value = data.get(name)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                setattr(out, name, value)
        if data.get("petition_mode") == "not_signed":
            out.petition_mode = "not_signed"
        if data.get("outreach_mode") == "not_yet":
            out.outreach_mode = "not_yet"
        out.newsletter = data.get("newsletter") is True
        joined = data.get("joined_since")
        if isinstance(joined, str) and _parse_day(joined):
            out.joined_since = joined
        return out

    def to_json(self) -> dict:
        """Only what narrows the audience (a mode without its petition or campaign says
        nothing)."""
        data = {k: v for k, v in asdict(self).items() if v not in (None, [], "", False)}
        if not self.petition:
            data.pop("petition_mode", None)
        if not self.outreach_campaign:
            data.pop("outreach_mode", None)
        return data


def _parse_day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audience_for(
    *, sender: AnyUser, chapter: Chapter | None, filters: Filters
) -> QuerySet[Supporter]:
    """The supporters an alert from ``sender`` to ``chapter`` (None: the national list)
    with ``filters`` reaches. Every condition is a subquery on primary keys, so no join
    duplicates a supporter. Reads only; safe to repeat."""
    qs = supporters_visible_to(sender).emailable()
    if chapter is not None:
        members = ChapterMembership.objects.filter(chapter=chapter)
        if filters.joined_since:
            members = members.filter(
                created_at__gte=_start_of(_parse_day(filters.joined_since))  # type: ignore[arg-type]
            )
        qs = qs.filter(pk__in=members.values("supporter_id"))
    elif filters.joined_since:
        qs = qs.filter(
            created_at__gte=_start_of(_parse_day(filters.joined_since))  # type: ignore[arg-type]
        )
    if filters.states:
        qs = qs.filter(state__in=[s.upper() for s in filters.states])
    if filters.congressional_districts:
        qs = qs.filter(
            congressional_district__in=[
                d.upper() for d in filters.congressional_districts
            ]
        )
    if filters.state_upper_districts:
        qs = qs.filter(
            _iexact_any("state_upper_district", filters.state_upper_districts)
        )
    if filters.state_lower_districts:
        qs = qs.filter(
            _iexact_any("state_lower_district", filters.state_lower_districts)
        )
    if filters.tags:
        qs = qs.filter(
            pk__in=Supporter.tags.through.objects.filter(
                tag__name__in=filters.tags
            ).values("supporter_id")
        )
    if filters.newsletter:
        qs = qs.filter(
            pk__in=Subscription.objects.filter(
                list=Subscription.List.NEWSLETTER, unsubscribed_at__isnull=True
            ).values("supporter_id")
        )
    if filters.petition:
        # A signature waiting for its double opt-in confirmation does not count yet.
        signers = (
            Signature.objects.filter(petition_id=filters.petition)
            .filter(
                Q(confirmed_at__isnull=False)
                | Q(petition__requires_double_opt_in=False)
            )
            .values("supporter_id")
        )
        qs = (
            qs.exclude(pk__in=signers)
            if filters.petition_mode == "not_signed"
            else qs.filter(pk__in=signers)
        )
    if filters.outreach_campaign:
        acted = _outreach_supporters(filters.outreach_campaign)
        qs = (
            qs.exclude(pk__in=acted)
            if filters.outreach_mode == "not_yet"
            else qs.filter(pk__in=acted)
        )
    return qs


def _iexact_any(field_name: str, values: list[str]) -> Q:
    q = Q(pk__in=[])
    for value in values:
        q |= Q(**{f"{field_name}__iexact": value.strip()})
    return q


def _outreach_supporters(campaign_id: int) -> QuerySet:
    """Supporters who called or wrote on ``campaign_id`` (``advocacy.Outreach``)."""

    # NOT IN over a NULL matches nothing: an outreach whose supporter was erased is left
    # out of the subquery.
    return Outreach.objects.filter(
        Q(campaign_id=campaign_id) | Q(advocacy_campaign__campaign_id=campaign_id),
        supporter__isnull=False,
    ).values("supporter_id")


def audience_for_alert(alert: Alert, *, sender: AnyUser) -> QuerySet[Supporter]:
    """``alert``'s audience as ``sender`` may see it (the engine freezes this at send
    time with the sender who confirmed it). Reads only; safe to repeat."""
    return audience_for(
        sender=sender, chapter=alert.chapter, filters=Filters.from_json(alert.audience)
    )


def count_in_words(count: int, alert_or_chapter: Alert | Chapter | None) -> str:
    """ "4,210 people in Harbor Texas": what the sender confirms before sending."""
    from django.contrib.humanize.templatetags.humanize import intcomma

    chapter = (
        alert_or_chapter.chapter
        if isinstance(alert_or_chapter, Alert)
        else alert_or_chapter
    )
    place = chapter.name if chapter else gettext("the national network")
    return ngettext(
        "%(count)s person in %(place)s",
        "%(count)s people in %(place)s",
        count,
    ) % {"count": intcomma(count), "place": place}
