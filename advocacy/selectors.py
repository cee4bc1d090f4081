"""Reads of the advocacy app: the action a public flow runs, a caller's place and
progress, call intelligence, and the staff tallies (through ``visible_to``)."""

import datetime as dt
import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone, translation

from accounts.selectors import AnyUser, visible_to
from campaigns.models import Campaign, CampaignBill
from harbor.markdown import render_markdown
from legislators.models import Chamber, Legislator
from legislators.selectors import (
    District,
    Representation,
    offices_nearest_first,
    representation_for,
    seats_for,
    zip_location,
)

from .models import AdvocacyCampaign, Outreach
from .targets import Target, targets_for


def public_action(
    *, slug: str, kind: str, cached: bool = False
) -> AdvocacyCampaign | None:
    """The active ``kind`` action of the live campaign ``slug``, with what
    ``targets_for`` reads (the campaign's bill links and bills, the target bill); None
    if there is none. Two queries; with ``cached``, read from the cache (an edit shows
    within ADVOCACY_PAGE_CACHE_SECONDS)."""
    ttl = settings.ADVOCACY_PAGE_CACHE_SECONDS
    if cached and ttl:
        key = repr(("action", kind, slug))
        found = _local.get(key)
        if found is None:
            found = public_action(slug=slug, kind=kind) or False
            _local.set(key, found, ttl)
        return found or None  # type: ignore[return-value]
    return (
        AdvocacyCampaign.objects.filter(
            campaign__slug=slug,
            campaign__status=Campaign.Status.LIVE,
            kind=kind,
            is_active=True,
        )
        .select_related("campaign", "target_bill")
        .prefetch_related(
            Prefetch(
                "campaign__bill_links",
                queryset=CampaignBill.objects.select_related("bill"),
            )
        )
        .first()
    )


def campaign_actions(*, campaign: Campaign) -> dict[str, AdvocacyCampaign]:
    """The campaign's active call and letter actions by kind (its public page)."""
    return {
        action.kind: action
        for action in AdvocacyCampaign.objects.filter(campaign=campaign, is_active=True)
    }


@dataclass(frozen=True)
class CallerPlace:
    """Where a caller is, as settled by the start page (kept in their signed link)."""

    zip_code: str
    district: str = ""  # "TX-07"; blank when the ZIP's district is not known
    state: str = ""
    state_upper: str = ""
    state_lower: str = ""
    # The geocoded address's (latitude, longitude), when there was one.
    origin: tuple[float, float] | None = None
    geocoded: bool = False


def representation_at(place: CallerPlace) -> Representation | None:
    """The supporter's seats again, from what the start page settled, without calling
    the geocoder a second time."""
    if not place.geocoded:
        return representation_for(zip_code=place.zip_code, district=place.district)
    districts = []
    if place.district:
        state, number = place.district.split("-")
        districts = [District(state, int(number))]
    seats = seats_for(
        districts=districts,
        state_upper=place.state_upper,
        state_lower=place.state_lower,
        state=place.state,
    )
    legislators = [leg for seat in seats for leg in seat.legislators]
    origin = place.origin or zip_location(
        place.zip_code,
        district_offices=[
            office
            for leg in legislators
            if leg.chamber == Chamber.US_HOUSE
            for office in leg.offices.all()
        ],
    )
    for leg in legislators:
        leg.contact_offices = offices_nearest_first(
            list(leg.offices.all()), origin=origin, zip_code=place.zip_code
        )
    return Representation(
        zip_code=place.zip_code, districts=districts, seats=seats, geocoded=True
    )


class _LocalCache:
    """A small per-process cache (least recently used out past ``size``, entries
    expire after ``ttl`` seconds) for read-only computed values that are costly to
    pickle: the call page's targets hold model instances. Not for counters or locks;
    each process may hold its own copy, stale for at most ``ttl``."""

    def __init__(self, size: int):
        self.size = size
        self._data: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str):
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            if item[0] < time.monotonic():
                del self._data[key]
                return None
            self._data.move_to_end(key)
            return item[1]

    def set(self, key: str, value, ttl: float) -> None:
        with self._lock:
            self._data[key] = (time.monotonic() + ttl, value)
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_local = _LocalCache(size=4096)


def reset_local_cache() -> None:
    """Forget this process's cached actions and targets (tests, after an edit)."""
    _local.clear()


def talking_points_html(action: AdvocacyCampaign) -> str:
    """The action's talking points as sanitized HTML (``harbor.markdown``), cached in
    this process per action version."""
    if not action.talking_points:
        return ""
    key = repr(("talking-points", action.pk, action.updated_at))
    html = _local.get(key)
    if html is None:
        html = render_markdown(action.talking_points)
        _local.set(key, html, max(settings.ADVOCACY_PAGE_CACHE_SECONDS, 1))
    return html  # type: ignore[return-value]


# Bumped when what the targets cache holds changes shape (a deploy reads no stale
# pickles).
TARGETS_CACHE_VERSION = 1


def call_targets(action: AdvocacyCampaign, place: CallerPlace) -> list[Target]:
    """``targets_for`` the supporter at ``place``, cached per action version, place and
    language for ADVOCACY_PAGE_CACHE_SECONDS, in this process and in the shared cache:
    every caller from one ZIP and district gets the same targets and scripts, and the
    target page is the flow's hot path. A new cosponsor or an edited script shows
    within that time."""
    ttl = settings.ADVOCACY_PAGE_CACHE_SECONDS
    if not ttl:
        rep = representation_at(place)
        return targets_for(action, rep) if rep is not None else []
    version = action.updated_at.timestamp() if action.updated_at else 0
    raw = repr((action.pk, version, place, translation.get_language()))
    key = (
        f"advocacy:targets:{TARGETS_CACHE_VERSION}:"
        f"{hashlib.sha256(raw.encode()).hexdigest()[:40]}"
    )
    targets = _local.get(key)
    if targets is None:
        targets = cache.get(key)
        if targets is None:
            rep = representation_at(place)
            targets = targets_for(action, rep) if rep is not None else []
            cache.set(key, targets, timeout=ttl)
        _local.set(key, targets, ttl)
    return targets  # type: ignore[return-value]


def session_outcomes(*, session, kind: str = AdvocacyCampaign.Kind.CALL) -> dict:
    """``{legislator_id: outreach}`` already recorded in this pass."""
    return {
        o.legislator_id: o
        for o in Outreach.objects.filter(session=session, kind=kind).only(
            "pk", "legislator_id", "outcome", "office_id", "created_at", "kind"
        )
    }


# --- Call intelligence ----------------------------------------------------------------

UNANSWERED = (
    Outreach.Outcome.BUSY,
    Outreach.Outcome.VOICEMAIL_FULL,
)


@dataclass(frozen=True)
class OfficeLoad:
    calls: int
    unanswered: int

    @property
    def share(self) -> float:
        return self.unanswered / self.calls if self.calls else 0.0

    @property
    def is_saturated(self) -> bool:
        return (
            self.calls >= settings.ADVOCACY_SATURATION_MIN_CALLS
            and self.share >= settings.ADVOCACY_SATURATION_THRESHOLD
        )


def _load_key(office_id: int) -> str:
    return f"advocacy:office-load:{settings.ADVOCACY_SATURATION_HOURS}:{office_id}"


def office_loads(office_ids: list[int]) -> dict[int, OfficeLoad]:
    """Per office, the calls of the last ADVOCACY_SATURATION_HOURS and how many ended
    busy / no answer / voicemail full (every campaign counts: the phone line is the
    office's). Cached per office for ADVOCACY_SATURATION_CACHE_SECONDS: one cache read,
    and one grouped query for the offices not cached."""
    ids = sorted({pk for pk in office_ids if pk})
    if not ids:
        return {}
    cached = cache.get_many([_load_key(pk) for pk in ids])
    loads: dict[int, OfficeLoad] = {}
    missing = []
    for pk in ids:
        value = cached.get(_load_key(pk))
        if value is None:
            missing.append(pk)
        else:
            loads[pk] = OfficeLoad(*value)
    if missing:
        since = timezone.now() - dt.timedelta(hours=settings.ADVOCACY_SATURATION_HOURS)
        rows = {
            row["office_id"]: row
            for row in Outreach.objects.filter(
                office_id__in=missing,
                created_at__gte=since,
                kind=AdvocacyCampaign.Kind.CALL,
            )
            .exclude(outcome=Outreach.Outcome.SKIPPED)
            .values("office_id")
            .annotate(
                calls=Count("pk"),
                unanswered=Count("pk", filter=Q(outcome__in=UNANSWERED)),
            )
        }
        fresh = {}
        for pk in missing:
            row = rows.get(pk)
            load = (
                OfficeLoad(row["calls"], row["unanswered"]) if row else OfficeLoad(0, 0)
            )
            loads[pk] = load
            fresh[_load_key(pk)] = (load.calls, load.unanswered)
        cache.set_many(fresh, timeout=settings.ADVOCACY_SATURATION_CACHE_SECONDS)
    return loads


# --- Staff ----------------------------------------------------------------------------


def outreaches_visible_to(user: AnyUser, *, campaign: Campaign) -> QuerySet[Outreach]:
    """The campaign's calls and letters this user may see: chapter leaders only those
    credited to their chapters (``visible_to``)."""
    return visible_to(
        user,
        Outreach.objects.filter(advocacy_campaign__campaign=campaign),
        chapter_path="chapter",
    )


@dataclass
class LegislatorTally:
    legislator: Legislator
    calls: dict[str, int]
    letters: dict[str, int]

    @property
    def call_row(self) -> list[int]:
        """Calls per outcome, in ``Outreach.Outcome`` order."""
        return [self.calls.get(value, 0) for value in Outreach.Outcome.values]

    @property
    def letter_row(self) -> list[int]:
        """Letters per delivery status, in ``Outreach.Delivery`` order."""
        return [self.letters.get(value, 0) for value in Outreach.Delivery.values]

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    @property
    def total_letters(self) -> int:
        return sum(self.letters.values())


def tallies(outreaches: QuerySet[Outreach]) -> list[LegislatorTally]:
    """Calls per outcome and letters per delivery status, per legislator, most contacted
    first. Two queries (the grouped counts, the legislators)."""
    rows = (
        outreaches.values("legislator_id", "kind", "outcome", "delivery_status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_legislator: dict[int, tuple[dict[str, int], dict[str, int]]] = {}
    for row in rows:
        calls, letters = by_legislator.setdefault(row["legislator_id"], ({}, {}))
        if row["kind"] == AdvocacyCampaign.Kind.CALL:
            calls[row["outcome"]] = calls.get(row["outcome"], 0) + row["n"]
        else:
            status = row["delivery_status"]
            letters[status] = letters.get(status, 0) + row["n"]
    legislators = Legislator.objects.in_bulk(list(by_legislator))
    result = [
        LegislatorTally(legislators[pk], calls, letters)
        for pk, (calls, letters) in by_legislator.items()
        if pk in legislators
    ]
    chamber_order = {c: i for i, c in enumerate(Chamber.values)}
    result.sort(
        key=lambda t: (
            -(t.total_calls + t.total_letters),
            chamber_order.get(t.legislator.chamber, 9),
            t.legislator.name,
        )
    )
    return result
