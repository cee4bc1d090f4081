"""Reads of legislator data: ZIP → districts, districts → legislators, bills and Safe
Harbor records. Knows no campaign: which campaigns target whom is campaigns.targeting."""

import datetime as dt
import logging
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from harbor.states import STATES

from .models import (
    Bill,
    Chamber,
    Legislator,
    Office,
    SafeHarborLaw,
    SafeHarborStatus,
    ZipDistrict,
    chamber_name,
    congressional_label,
    has_us_senators,
    member_title,
)

logger = logging.getLogger(__name__)

# --- ZIP → congressional districts ----------------------------------------------------
#
# The crosswalk is a read-only reference table (42k rows, ~34k ZCTAs) changed only by an
# import, so each process keeps a dict of it, loaded lazily from the database and
# reloaded after LEGISLATORS_ZIP_CACHE_SECONDS. It is not a counter or a lock: a stale
# copy for a few minutes after a re-import is harmless.

_zip_lock = threading.Lock()
_zip_index: dict[str, tuple[tuple[str, int], ...]] | None = None
_zip_loaded_at = 0.0


def reset_zip_index() -> None:
    """Forget this process's copy of the crosswalk (after an import). Safe to repeat."""
    global _zip_index
    with _zip_lock:
        _zip_index = None


def _load_zip_index() -> dict[str, tuple[tuple[str, int], ...]]:
    global _zip_index, _zip_loaded_at
    index = _zip_index
    if (
        index is not None
        and time.monotonic() - _zip_loaded_at < settings.LEGISLATORS_ZIP_CACHE_SECONDS
    ):
        return index
    with _zip_lock:
        building: dict[str, list[tuple[str, int]]] = {}
        for zcta, state, district in (
            ZipDistrict.objects.order_by("zcta", "state", "district")
            .values_list("zcta", "state", "district")
            .iterator(chunk_size=10000)
        ):
            building.setdefault(zcta, []).append((state, district))
        _zip_index = {zcta: tuple(pairs) for zcta, pairs in building.items()}
        _zip_loaded_at = time.monotonic()
        return _zip_index


@dataclass(frozen=True)
class District:
    state: str
    number: int  # 0 = at-large

    @property
    def code(self) -> str:
        """Supporter.congressional_district style: "TX-07", "AK-00"."""
        return f"{self.state}-{self.number:02d}"

    @property
    def label(self) -> str:
        return f"{self.state}-{congressional_label(self.number)}"


def districts_for_zip(zip_code: str) -> list[District]:
    """Every congressional district a 5-digit ZIP (ZCTA) touches; [] if unknown.

    More than one result means the ZIP spans districts: never pick one silently."""
    return [District(s, d) for s, d in _load_zip_index().get(zip_code[:5], ())]


def districts_for_zip_query(zip_code: str) -> list[District]:
    """The same answer read from the indexed table on every call (the benchmark's other
    arm)."""
    return [
        District(s, d)
        for s, d in ZipDistrict.objects.filter(zcta=zip_code[:5])
        .order_by("state", "district")
        .values_list("state", "district")
    ]


# --- Districts → legislators ----------------------------------------------------------


@dataclass
class Seat:
    """One seat a supporter is represented in, with its holder(s); empty means
    vacant."""

    chamber: str
    state: str
    district: str = ""
    legislators: list = field(default_factory=list)

    @property
    def chamber_name(self) -> str:
        return chamber_name(self.chamber, self.state)

    @property
    def member_title(self) -> str:
        """The title of the seat's holder ("Delegate" for DC's House seat): see
        ``models.member_title``."""
        return member_title(self.chamber, self.state)

    @property
    def is_vacant(self) -> bool:
        return not self.legislators


def _with_offices(qs: QuerySet[Legislator]) -> QuerySet[Legislator]:
    return qs.prefetch_related(
        Prefetch("offices", queryset=Office.objects.order_by("kind", "pk"))
    )


def seats_for(
    *,
    districts: list[District],
    state_upper: str = "",
    state_lower: str = "",
    state: str = "",
) -> list[Seat]:
    """The seats representing someone in ``districts`` (and, when known, the state
    legislative districts), each with its current holder. DC and the territories have no
    US Senate seat. One query for the legislators and one for their offices, however
    many districts."""
    states = sorted({d.state for d in districts} | ({state} if state else set()))
    if not states:
        return []
    # Only the seats' holders (not the whole delegation of a state with 52 members).
    st_default = state or (districts[0].state if districts else "")
    wanted = models.Q(chamber=Chamber.US_SENATE, state__in=states)
    for district in districts:
        wanted |= models.Q(
            chamber=Chamber.US_HOUSE,
            state=district.state,
            district=str(district.number),
        )
    for chamber, name in (
        (Chamber.STATE_UPPER, state_upper),
        (Chamber.STATE_LOWER, state_lower),
    ):
        if name:
            wanted |= models.Q(chamber=chamber, state=st_default, district__iexact=name)
    qs = Legislator.objects.current().filter(wanted)
    legislators = list(_with_offices(qs).order_by("chamber", "last_name"))
    seats: list[Seat] = []
    for st in filter(has_us_senators, states):
        senators = [
            x for x in legislators if x.chamber == Chamber.US_SENATE and x.state == st
        ]
        seats.append(
            Seat(
                chamber=Chamber.US_SENATE,
                state=st,
                legislators=senators,
            )
        )
    for district in districts:
        reps = [
            x
            for x in legislators
            if x.chamber == Chamber.US_HOUSE
            and x.state == district.state
            and x.district == str(district.number)
        ]
        seats.append(
            Seat(
                chamber=Chamber.US_HOUSE,
                state=district.state,
                district=district.label,
                legislators=reps,
            )
        )
    for chamber, name in (
        (Chamber.STATE_UPPER, state_upper),
        (Chamber.STATE_LOWER, state_lower),
    ):
        if name:
            st = state or (districts[0].state if districts else "")
            holders = [
                x
                for x in legislators
                if x.chamber == chamber
                and x.state == st
                and x.district.lower() == name.lower()
            ]
            seats.append(
                Seat(
                    chamber=chamber,
                    state=st,
                    district=name,
                    legislators=holders,
                )
            )
    return seats


# --- Offices, nearest first -----------------------------------------------------------
#
# The shipped data has no coordinates for ZIP codes (the crosswalk is ZCTA → district
# only), but congress-legislators gives each district office its ZIP and its latitude and
# longitude. A ZIP's location is therefore approximated by the offices in that ZIP, or
# else by the offices in its 3-digit ZIP area (the USPS sectional center) together with
# the district offices of its House members (they sit in the ZIP's districts); with
# neither, offices in the same ZIP area come first. A geocoded street address gives the
# exact point instead.


def zip_location(
    zip_code: str, *, district_offices: list[Office] | None = None
) -> tuple[float, float] | None:
    """An approximate (latitude, longitude) for a 5-digit ZIP: the mean position of the
    district offices in that ZIP; else of those in its 3-digit ZIP area and of
    ``district_offices`` (the offices of the ZIP's House members); None when there are
    none. One query. Good enough to say which office is nearest, not to draw a map."""
    zip5 = zip_code[:5]
    if len(zip5) != 5 or not zip5.isdigit():
        return None
    rows = Office.objects.filter(
        kind=Office.Kind.DISTRICT,
        zip_code__startswith=zip5[:3],
        latitude__isnull=False,
        longitude__isnull=False,
    ).values_list("pk", "zip_code", "latitude", "longitude")
    area = {pk: (code, (lat, lon)) for pk, code, lat, lon in rows}
    same_zip = [point for code, point in area.values() if code[:5] == zip5]
    if same_zip:
        points = same_zip
    else:
        nearby = {pk: point for pk, (_code, point) in area.items()}
        for office in district_offices or ():
            if office.kind == Office.Kind.DISTRICT and office.location is not None:
                nearby[office.pk] = office.location
        points = list(nearby.values())
    if not points:
        return None
    return (
        sum(float(lat or 0) for lat, _lon in points) / len(points),
        sum(float(lon or 0) for _lat, lon in points) / len(points),
    )


def _distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, h)))


def offices_nearest_first(
    offices: list[Office], *, origin: tuple[float, float] | None, zip_code: str = ""
) -> list[Office]:
    """Offices with a phone number in the order a supporter should see them: the
    nearest district office, then the Washington or capitol office, then the other
    district offices, nearest first.

    Distances are from ``origin``; offices without coordinates (or every office, when
    there is no origin) come after, those in the 3-digit ZIP area of ``zip_code`` first,
    each group in the data's order. No database access."""
    with_phone = [o for o in offices if o.phone]

    def key(office: Office) -> tuple:
        location = office.location
        if origin is not None and location is not None:
            return (0, _distance_km(origin, location))
        same_area = bool(zip_code) and office.zip_code[:3] == zip_code[:3]
        return (1, not same_area)

    district = sorted(
        (o for o in with_phone if o.kind == Office.Kind.DISTRICT), key=key
    )
    main = [o for o in with_phone if o.kind != Office.Kind.DISTRICT]
    return district[:1] + main + district[1:]


# --- Bills and Safe Harbor ------------------------------------------------------------


def bill_detail(pk: int) -> Bill:
    """A bill with its actions and sponsorships (and sponsors)."""
    return Bill.objects.prefetch_related(
        "actions",
        Prefetch("sponsorships__legislator"),
    ).get(pk=pk)


def tracked_bills() -> QuerySet[Bill]:
    """Every bill Harbor tracks, Congress first, newest session first."""
    return Bill.objects.annotate(
        is_state=models.Case(
            models.When(jurisdiction="US", then=models.Value(0)),
            default=models.Value(1),
        )
    ).order_by("is_state", "jurisdiction", "-session", "identifier")


def safe_harbor_by_state() -> dict[str, SafeHarborLaw]:
    """``{state: record}`` for every state with a Safe Harbor record (one query)."""
    return {law.state: law for law in SafeHarborLaw.objects.all()}


@dataclass
class SafeHarborMap:
    """The map's states (atlas order: by name), each with its record or None, and how
    old the records are."""

    rows: list[dict]
    oldest_year: int | None
    newest_year: int | None
    needing_review: int
    with_record: int
    # {"name", "as_of", "count"} of the source most records come from.
    main_source: dict | None = None


def safe_harbor_map() -> SafeHarborMap:
    """Every state of the atlas with its path, record, status and label, and the range
    of the records' "as of" years. One query; the atlas is decoded once per process."""
    from . import atlas

    laws = safe_harbor_by_state()
    today = timezone.localdate()
    rows: list[dict[str, Any]] = []
    years: list[int] = []
    stale = 0
    for code, name, d in atlas.state_paths():
        law = laws.get(code)
        status = SafeHarborStatus(law.status if law else SafeHarborStatus.UNKNOWN)
        if law is not None:
            if law.as_of_date is not None:
                years.append(law.as_of_date.year)
            stale += law.needs_review_on(today)
        rows.append(
            {
                "code": code,
                "name": name,
                "d": d,
                "law": law,
                "status": status.value,
                "status_label": status.label,
            }
        )
    sources = Counter(
        (row["law"].source_name, row["law"].as_of)
        for row in rows
        if row["law"] is not None and row["law"].source_name
    ).most_common(1)
    return SafeHarborMap(
        rows=rows,
        oldest_year=min(years, default=None),
        newest_year=max(years, default=None),
        needing_review=stale,
        with_record=sum(1 for row in rows if row["law"] is not None),
        main_source={
            "name": sources[0][0][0],
            "as_of": sources[0][0][1],
            "count": sources[0][1],
        }
        if sources
        else None,
    )


def safe_harbor_records_needing_review(
    today: dt.date | None = None,
) -> list[SafeHarborLaw]:
    """Records whose source is more than SAFE_HARBOR_REVIEW_YEARS old or undated, by
    state (one query; the "as of" texts are read in Python, 51 rows at most)."""
    today = today or timezone.localdate()
    return [
        law
        for law in SafeHarborLaw.objects.order_by("state")
        if law.needs_review_on(today)
    ]


def bills_for_state(state: str) -> QuerySet[Bill]:
    """The state's own bills, newest first."""
    return Bill.objects.filter(jurisdiction=state).order_by(
        "-introduced_on", "identifier"
    )


# --- The "Find your legislators" lookup -----------------------------------------------


@dataclass
class Representation:
    zip_code: str
    districts: list[District]
    seats: list[Seat]
    geocoded: bool = False
    geocoder_failed: bool = False
    address_unmatched: bool = False
    # A street address was given but this site does not geocode (no
    # CENSUS_GEOCODER_URL): it was not used.
    address_unused: bool = False
    # Every district of the ZIP, when the supporter chose one of them.
    zip_districts: list[District] = field(default_factory=list)
    # The supporter asked for a district that is not one of the ZIP's.
    district_not_in_zip: bool = False

    @property
    def is_ambiguous(self) -> bool:
        """The ZIP spans several districts and neither an address nor the supporter's
        choice settled it."""
        return len(self.districts) > 1

    @property
    def known_district(self) -> District | None:
        return self.districts[0] if len(self.districts) == 1 else None

    @property
    def chosen_district(self) -> District | None:
        """The district the supporter chose among the ZIP's, if they did."""
        return self.known_district if self.zip_districts else None

    @property
    def district_choices(self) -> list[tuple[District, Seat]]:
        """``(district, its House seat)`` to choose from when the ZIP is split, with
        the seat's holder (none when vacant)."""
        if not self.is_ambiguous:
            return []
        house = {
            (s.state, s.district): s
            for s in self.seats
            if s.chamber == Chamber.US_HOUSE
        }
        return [(d, house[(d.state, d.label)]) for d in self.districts]

    @property
    def places_without_senators(self) -> list[str]:
        """Names of the places here that elect no US senator (DC, the territories)."""
        codes = sorted({d.state for d in self.districts})
        return [STATES.get(c, c) for c in codes if not has_us_senators(c)]


def representation_for(
    *, zip_code: str, address: str = "", district: str = ""
) -> Representation | None:
    """Who represents someone at ``zip_code``; None when the ZIP is not in the
    crosswalk.

    A ZIP spanning districts returns every candidate (``is_ambiguous``); it never picks
    one. It is settled by ``address`` when the Census geocoder is configured (without
    one the address is not used, and ``address_unused`` says so), or by ``district``
    ("AL-06"), the supporter's own choice among the ZIP's districts (any other value is
    ignored, and ``district_not_in_zip`` says so). Each legislator's
    ``contact_offices`` are nearest first (from the geocoded address, else from
    ``zip_location``). Reads only; the geocoder call is outside any transaction. Safe
    to repeat."""
    from . import geocoder
    from .http import ApiError

    districts = districts_for_zip(zip_code)
    geocoded = failed = unmatched = unused = False
    upper = lower = state = ""
    origin = None
    if address and not geocoder.is_enabled():
        unused = True
    elif address:
        try:
            found = geocoder.geocode_address(f"{address}, {zip_code}")
        except ApiError as exc:
            failed = True
            logger.warning("geocoder failed: %s", type(exc).__name__)
        else:
            unmatched = found is None
            if found is not None:
                geocoded = True
                state, upper, lower = found.state, found.state_upper, found.state_lower
                origin = found.location
                if found.congressional is not None:
                    districts = [District(found.state, found.congressional)]
    if not districts and not state:
        return None
    zip_districts: list[District] = []
    not_in_zip = False
    if district and not geocoded and len(districts) > 1:
        chosen = [d for d in districts if d.code == district]
        if chosen:
            zip_districts, districts = districts, chosen
        else:
            not_in_zip = True
    seats = seats_for(
        districts=districts, state_upper=upper, state_lower=lower, state=state
    )
    legislators = [leg for seat in seats for leg in seat.legislators]
    if legislators and origin is None:
        origin = zip_location(
            zip_code,
            district_offices=[
                office
                for leg in legislators
                if leg.chamber == Chamber.US_HOUSE
                for office in leg.offices.all()
            ],
        )
    for leg in legislators:
        leg.contact_offices = offices_nearest_first(
            list(leg.offices.all()), origin=origin, zip_code=zip_code
        )
    return Representation(
        zip_code=zip_code,
        districts=districts,
        seats=seats,
        geocoded=geocoded,
        geocoder_failed=failed,
        address_unmatched=unmatched,
        address_unused=unused,
        zip_districts=zip_districts,
        district_not_in_zip=not_in_zip,
    )
