"""Whom one supporter calls or writes for one advocacy action, with the words for each.

``targets_for(action, representation)`` answers, in this order and without repeats:
1. the supporter's own seats the action names (US senators, US representative or
   delegate, state senator, state representative) from ``representation`` (what
   ``legislators.selectors.representation_for`` gave for their ZIP or address). A House
   seat of a ZIP still split between districts is left out: the flow settles it first;
2. the named legislators;
3. the linked bill's group (``target_bill_group``), read from the bill's sponsorships
   at request time, so the list follows the bill as it moves:
   - with any of the "own seat" targets set, the group narrows those seats ("your
     members who have not cosponsored yet");
   - without them, the group is the list: the sponsors; the sponsors and cosponsors;
     or the current members of the bill's chamber (the link's ``target_chamber``, else
     the chamber the bill's number names: "S."/"SB" upper, "H.R."/"HB" lower) who have
     not cosponsored.
Every target also passes the campaign's targeting rule (``campaigns.targeting``): a
national campaign reaches members of Congress, a state campaign that state's
legislators (and its members of Congress when a federal bill is linked).

Each target carries its rendered script: ``cosponsor_script`` for the bill's sponsors
and cosponsors (when set), ``script`` for the rest. The bill of the script is the
action's ``target_bill``, else the campaign's linked bill of the legislator's
jurisdiction.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from campaigns.models import CampaignBill
from campaigns.targeting import campaign_targets_legislator
from legislators.models import Bill, Chamber, Legislator, Office, Sponsorship
from legislators.selectors import (
    Representation,
    offices_nearest_first,
    zip_location,
)

from .models import AdvocacyCampaign
from .scripts import ScriptContext, render_script

_OWN_FLAGS = (
    ("targets_own_us_senators", Chamber.US_SENATE),
    ("targets_own_us_representative", Chamber.US_HOUSE),
    ("targets_own_state_senator", Chamber.STATE_UPPER),
    ("targets_own_state_representative", Chamber.STATE_LOWER),
)


@dataclass
class Target:
    legislator: Legislator
    is_cosponsor: bool
    dc_office: Office | None
    nearest_district_office: Office | None
    script: str
    # Every office with a phone, nearest district office first (see
    # ``legislators.selectors.offices_nearest_first``).
    offices: list[Office] = field(default_factory=list)
    bill: Bill | None = None

    @property
    def pk(self) -> int:
        return self.legislator.pk

    @property
    def call_office(self) -> Office | None:
        """The number to call first: the Washington (or capitol) office, else the
        nearest district office."""
        return self.dc_office or self.nearest_district_office


def wanted_chambers(action: AdvocacyCampaign) -> list[str]:
    return [chamber for flag, chamber in _OWN_FLAGS if getattr(action, flag)]


def _bill_chamber_side(bill: Bill, link: CampaignBill | None) -> set[str]:
    """The chambers whose members "have not cosponsored" is about."""
    upper = {Chamber.US_SENATE if bill.is_federal else Chamber.STATE_UPPER}
    lower = {Chamber.US_HOUSE if bill.is_federal else Chamber.STATE_LOWER}
    if link is not None and link.target_chamber == CampaignBill.TargetChamber.UPPER:
        return upper
    if link is not None and link.target_chamber == CampaignBill.TargetChamber.LOWER:
        return lower
    first = bill.identifier.strip().upper()[:1]
    if first == "S":
        return upper
    if first in ("H", "A"):  # "H.R.", "HB", "AB" (California's Assembly)
        return lower
    return upper | lower


def _with_offices(qs):
    return qs.prefetch_related(
        Prefetch("offices", queryset=Office.objects.order_by("kind", "pk"))
    )


def targets_for(
    action: AdvocacyCampaign,
    representation: Representation | None,
    *,
    supporter_city: str = "",
    supporter_first_name: str = "",
) -> list[Target]:
    """The targets described in the module docstring. ``action.campaign`` should be
    loaded with ``bill_links__bill`` prefetched (``selectors.action_for_flow`` does);
    a handful of queries whatever the number of targets."""
    campaign = action.campaign
    links = list(campaign.bill_links.all())
    zip_code = representation.zip_code if representation else ""

    own: list[Legislator] = []
    if representation is not None:
        chambers = wanted_chambers(action)
        for seat in representation.seats:
            if seat.chamber not in chambers:
                continue
            if seat.chamber == Chamber.US_HOUSE and representation.is_ambiguous:
                continue
            own.extend(seat.legislators)

    named = list(_with_offices(action.target_legislators.current()))

    bill = action.target_bill
    sponsors: set[int] = set()
    cosponsors: set[int] = set()
    script_bills = [link.bill for link in links]
    if bill is not None:
        script_bills = [bill, *script_bills]
    bill_ids = {b.pk for b in script_bills}
    sponsor_rows: dict[int, set[int]] = {}
    if bill_ids:
        for bill_id, legislator_id, kind in Sponsorship.objects.filter(
            bill_id__in=bill_ids, withdrawn_on__isnull=True, legislator__isnull=False
        ).values_list("bill_id", "legislator_id", "kind"):
            sponsor_rows.setdefault(bill_id, set()).add(legislator_id)
            if bill is not None and bill_id == bill.pk:
                (sponsors if kind == Sponsorship.Kind.SPONSOR else cosponsors).add(
                    legislator_id
                )

    group = action.target_bill_group if bill is not None else ""
    supporters_of_bill = sponsors | cosponsors
    chosen: list[Legislator]
    if group and own:
        keep = {
            AdvocacyCampaign.BillGroup.SPONSORS: lambda pk: pk in sponsors,
            AdvocacyCampaign.BillGroup.COSPONSORS: lambda pk: pk in supporters_of_bill,
            AdvocacyCampaign.BillGroup.NOT_YET: lambda pk: pk not in supporters_of_bill,
        }[AdvocacyCampaign.BillGroup(group)]
        chosen = [leg for leg in own if keep(leg.pk)] + named
    elif group and bill is not None and not wanted_chambers(action):
        link = next((x for x in links if x.bill_id == bill.pk), None)
        qs = Legislator.objects.current()
        if group == AdvocacyCampaign.BillGroup.SPONSORS:
            qs = qs.filter(pk__in=sponsors)
        elif group == AdvocacyCampaign.BillGroup.COSPONSORS:
            qs = qs.filter(pk__in=supporters_of_bill)
        else:
            qs = qs.filter(chamber__in=_bill_chamber_side(bill, link)).exclude(
                pk__in=supporters_of_bill
            )
            if not bill.is_federal:
                qs = qs.filter(state=bill.jurisdiction)
        chosen = named + list(
            _with_offices(qs).order_by("state", "chamber", "last_name", "name")
        )
    else:
        chosen = own + named

    origin = None
    needs_origin = any(not hasattr(leg, "contact_offices") for leg in chosen)
    if needs_origin and zip_code:
        origin = zip_location(zip_code)

    targets: list[Target] = []
    seen: set[int] = set()
    for leg in chosen:
        if leg.pk in seen or not campaign_targets_legislator(campaign, leg):
            continue
        seen.add(leg.pk)
        offices = getattr(leg, "contact_offices", None)
        if offices is None:
            offices = offices_nearest_first(
                list(leg.offices.all()), origin=origin, zip_code=zip_code
            )
        main = next((o for o in offices if o.kind != Office.Kind.DISTRICT), None)
        district = next((o for o in offices if o.kind == Office.Kind.DISTRICT), None)
        leg_bill = bill or next(
            (
                b
                for b in script_bills
                if b.is_federal == leg.is_federal
                and (b.is_federal or b.jurisdiction == leg.state)
            ),
            None,
        )
        is_cosponsor = leg_bill is not None and leg.pk in sponsor_rows.get(
            leg_bill.pk, set()
        )
        template = (
            action.cosponsor_script
            if is_cosponsor and action.cosponsor_script
            else action.script
        )
        context = ScriptContext(
            legislator_title=leg.title,
            legislator_name=leg.name,
            legislator_last_name=leg.last_name or leg.name,
            bill_number=leg_bill.identifier if leg_bill else "",
            bill_title=leg_bill.title if leg_bill else "",
            supporter_city=supporter_city,
            supporter_first_name=supporter_first_name,
        )
        targets.append(
            Target(
                legislator=leg,
                is_cosponsor=is_cosponsor,
                dc_office=main,
                nearest_district_office=district,
                script=render_script(template, context),
                offices=list(offices),
                bill=leg_bill,
            )
        )
    return targets
