"""Reads for reach: which legislators a campaign targets and which of their own
constituents acted on it (the delivery packets)."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from accounts.selectors import visible_to
from advocacy.models import AdvocacyCampaign, Outreach
from campaigns.models import Campaign, CampaignBill
from campaigns.targeting import campaign_targets_legislator
from legislators.models import Chamber, Legislator
from petitions.models import Signature

from .models import DeliveryPacket

# Calls that reached someone, and letters that left (or were copied to a contact form).
COUNTED_CALL = ~Q(outcome=Outreach.Outcome.SKIPPED)
COUNTED_LETTER = ~Q(
    delivery_status__in=[Outreach.Delivery.FAILED, Outreach.Delivery.NO_ROUTE]
)
PLACE_FIELDS = (
    "state",
    "congressional_district",
    "state_upper_district",
    "state_lower_district",
)
PERSON_FIELDS = ("supporter_id", "supporter__first_name", "supporter__last_name",
                 "supporter__city")  # fmt: skip

SeatKey = tuple[str, str, str]


def seat_of(legislator: Legislator) -> SeatKey:
    """``(chamber, state, district)`` as actions store the place: the House district
    as ``Supporter.congressional_district`` writes it ("TX-07"), senators by state."""
    if legislator.chamber == Chamber.US_SENATE:
        return (legislator.chamber, legislator.state, "")
    if legislator.chamber == Chamber.US_HOUSE:
        try:
            number = int(legislator.district)
        except ValueError:
            return (legislator.chamber, legislator.state, legislator.district)
        return (
            legislator.chamber,
            legislator.state,
            f"{legislator.state}-{number:02d}",
        )
    return (legislator.chamber, legislator.state, legislator.district)


def seats_of_place(row: dict[str, Any]) -> set[SeatKey]:
    """The seats that represent an action's stored place (an empty district gives no
    seat of that chamber)."""
    state = row["state"]
    if not state:
        return set()
    seats = {(Chamber.US_SENATE.value, state, "")}
    for chamber, key in (
        (Chamber.US_HOUSE.value, "congressional_district"),
        (Chamber.STATE_UPPER.value, "state_upper_district"),
        (Chamber.STATE_LOWER.value, "state_lower_district"),
    ):
        if row[key]:
            seats.add((chamber, state, row[key]))
    return seats


@dataclass
class Constituent:
    name: str
    city: str
    signed: bool = False
    called: bool = False
    wrote: bool = False


@dataclass
class LegislatorPacket:
    legislator: Legislator
    signatures: int = 0
    calls: int = 0
    letters: int = 0
    # Calls and letters by people who gave no email (no name to list), by session.
    unnamed: int = 0
    constituents: dict[int, Constituent] = field(default_factory=dict)

    @property
    def constituent_count(self) -> int:
        return len(self.constituents) + self.unnamed

    @property
    def listed(self) -> list[Constituent]:
        return sorted(self.constituents.values(), key=lambda c: (c.name, c.city))


def _name(row: dict[str, Any]) -> str:
    first, last = row["supporter__first_name"], row["supporter__last_name"]
    return f"{first or ''} {last or ''}".strip()


def campaign_signatures_visible_to(user, *, campaign: Campaign) -> QuerySet:
    """Confirmed signatures of ``campaign``'s petitions credited to a chapter ``user``
    may see (every one for national staff)."""
    return visible_to(
        user,
        Signature.objects.filter(
            petition__campaign=campaign, confirmed_at__isnull=False
        ),
        chapter_path="chapter",
    )


def campaign_outreaches_visible_to(user, *, campaign: Campaign) -> QuerySet:
    """Counted calls and letters of ``campaign`` credited to a chapter ``user`` may
    see (every one for national staff)."""
    return visible_to(
        user,
        Outreach.objects.filter(advocacy_campaign__campaign=campaign).filter(
            Q(kind=AdvocacyCampaign.Kind.CALL, outcome__gt="") & COUNTED_CALL
            | Q(kind=AdvocacyCampaign.Kind.LETTER) & COUNTED_LETTER
        ),
        chapter_path="chapter",
    )


def delivery_packet(user, *, campaign: Campaign) -> list[LegislatorPacket]:
    """For each legislator ``campaign`` targets, their own constituents (matched by the
    action's stored state and district against the legislator's seat) who signed its
    petitions, called and wrote, among the actions ``user`` may see; names and city
    only. The targets: the legislators its calls and letters reached, those its actions
    name, and every current legislator the campaign's targeting rule covers who has a
    constituent among the actions. A fixed number of queries; reads only."""
    signatures = list(
        campaign_signatures_visible_to(user, campaign=campaign)
        .values(*PERSON_FIELDS, *PLACE_FIELDS)
        .order_by()
    )
    outreaches = list(
        campaign_outreaches_visible_to(user, campaign=campaign)
        .values("legislator_id", "kind", "session", *PERSON_FIELDS, *PLACE_FIELDS)
        .order_by()
    )
    acting_seats = set().union(*(seats_of_place(r) for r in signatures + outreaches))
    named = set(
        AdvocacyCampaign.target_legislators.through.objects.filter(
            advocacycampaign__campaign=campaign
        ).values_list("legislator_id", flat=True)
    )
    reached = {r["legislator_id"] for r in outreaches}
    states = {seat[1] for seat in acting_seats}
    campaign = Campaign.objects.prefetch_related(
        Prefetch("bill_links", queryset=CampaignBill.objects.select_related("bill"))
    ).get(pk=campaign.pk)
    legislators = [
        leg
        for leg in Legislator.objects.filter(
            Q(pk__in=named | reached) | Q(is_current=True, state__in=states)
        ).order_by("state", "chamber", "last_name", "name", "pk")
        if leg.pk in named
        or leg.pk in reached
        or (seat_of(leg) in acting_seats and campaign_targets_legislator(campaign, leg))
    ]
    by_seat: dict[SeatKey, list[LegislatorPacket]] = {}
    packets = []
    by_pk: dict[int, LegislatorPacket] = {}
    for leg in legislators:
        packet = LegislatorPacket(legislator=leg)
        packets.append(packet)
        by_pk[leg.pk] = packet
        by_seat.setdefault(seat_of(leg), []).append(packet)
    for row in signatures:
        for seat in seats_of_place(row):
            for packet in by_seat.get(seat, ()):
                packet.signatures += 1
                _person(packet, row).signed = True
    unnamed_sessions: dict[int, set] = {}
    for row in outreaches:
        target = by_pk.get(row["legislator_id"])
        if target is None or seat_of(target.legislator) not in seats_of_place(row):
            continue  # not one of this legislator's constituents
        is_call = row["kind"] == AdvocacyCampaign.Kind.CALL
        if is_call:
            target.calls += 1
        else:
            target.letters += 1
        if row["supporter_id"] is None:
            unnamed_sessions.setdefault(target.legislator.pk, set()).add(row["session"])
            continue
        person = _person(target, row)
        if is_call:
            person.called = True
        else:
            person.wrote = True
    for pk, sessions in unnamed_sessions.items():
        by_pk[pk].unnamed = len(sessions)
    return packets


def _person(packet: LegislatorPacket, row: dict[str, Any]) -> Constituent:
    key = row["supporter_id"]
    if key not in packet.constituents:
        packet.constituents[key] = Constituent(
            name=_name(row), city=row["supporter__city"] or ""
        )
    return packet.constituents[key]


def packets_visible_to(user, *, campaign: Campaign) -> QuerySet[DeliveryPacket]:
    """Packets of ``campaign`` that ``user`` may see: their own, or all for national
    staff (each holds what its requester could see)."""
    return visible_to(
        user,
        DeliveryPacket.objects.filter(campaign=campaign).defer("pdf", "csv"),
        chapter_path=None,
        owner_path="requested_by",
    )
