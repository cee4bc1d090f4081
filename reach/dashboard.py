"""Reads of the reach dashboard (issue #12): what every campaign achieved, for the
actions a staff user may see.

Every figure goes through ``accounts.selectors.visible_to`` (national staff: all;
a chapter leader: the rows credited to chapters they lead): the rollups by their
``chapter``, the people reached by their ``chapter_key``, new supporters through
``supporters_visible_to``. Apart from new supporters (counted live from
``Supporter``), the figures come from the rollups of ``reach.rollups``, refreshed
every few minutes; the page says how fresh they are. A fixed number of queries,
whatever the data.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Min, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from accounts.models import Chapter
from accounts.selectors import sees_everything, visible_chapter_ids, visible_to
from alerts.models import SOURCE_CODE_PREFIX, Alert
from campaigns.models import Campaign, CampaignBill
from legislators import atlas
from legislators.models import BillAction, Legislator, Sponsorship
from petitions.models import Signature
from supporters.selectors import supporters_visible_to

from .models import AlertFunnel, DailyReach, ReachPerson
from .rollups import start_of
from .selectors import PLACE_FIELDS, seat_of, seats_of_place

Kind = DailyReach.Kind
Dim = DailyReach.Dimension
ACTION_KINDS = (Kind.SIGNATURE, Kind.CALL, Kind.LETTER)
TOP = 25  # rows of the long tables (sources, sharers, districts are all shown)
SHADES = 5


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    chapter: Chapter | None = None
    campaign: Campaign | None = None


@dataclass
class Dashboard:
    filters: Filters
    totals: dict[str, int]
    people: int
    series: list[dict[str, Any]]
    states: list[dict[str, Any]]
    districts: list[dict[str, Any]]
    chapters: list[dict[str, Any]]
    sources: list[dict[str, Any]]
    sharers: list[dict[str, Any]]
    funnels: list[dict[str, Any]]
    targets: list[dict[str, Any]]
    bills: list[dict[str, Any]] = field(default_factory=list)
    bill_events: list[dict[str, Any]] = field(default_factory=list)
    legislators: list[dict[str, Any]] = field(default_factory=list)


def _visible(user, qs: QuerySet, chapter_path: str) -> QuerySet:
    """``visible_to`` (the one rule), and for a chapter leader the same chapters again
    as a plain filter on the row's own chapter column: ``visible_to``'s primary-key
    subquery alone makes PostgreSQL read the whole rollup to probe it; with the column
    filter it reads the chapters' rows by their index. Narrows nothing further."""
    qs = visible_to(user, qs, chapter_path=chapter_path)
    chapters = visible_chapter_ids(user)
    if chapters is not None:
        qs = qs.filter(**{f"{chapter_path}__in": sorted(chapters)})
    return qs


def _rollups(user, filters: Filters) -> QuerySet[DailyReach]:
    qs = _visible(user, DailyReach.objects.all(), "chapter").filter(
        day__gte=filters.start, day__lte=filters.end
    )
    if filters.chapter is not None:
        qs = qs.filter(chapter=filters.chapter)
    if filters.campaign is not None:
        qs = qs.filter(campaign=filters.campaign)
    return qs.order_by()


def _by(rows, *keys: str) -> dict:
    """``{key tuple: {kind: count}}`` of rollup rows grouped by ``keys`` and kind."""
    out: dict = defaultdict(lambda: dict.fromkeys(ACTION_KINDS, 0))
    for row in rows:
        out[tuple(row[k] for k in keys)][row["kind"]] = row["n"]
    return out


def _with_total(counts: dict[str, int]) -> dict[str, int]:
    return {**counts, "actions": sum(counts[k] for k in ACTION_KINDS)}


def new_supporters(user, filters: Filters) -> QuerySet:
    """Supporters ``user`` may see, created in the range (members of the chapter
    filtered on, when one is). Each at most once: ``supporters_visible_to`` filters by
    primary key, and a supporter has one membership per chapter."""
    qs = supporters_visible_to(user).filter(
        created_at__gte=start_of(filters.start),
        created_at__lt=start_of(filters.end + dt.timedelta(days=1)),
    )
    if filters.chapter is not None:
        qs = qs.filter(memberships__chapter=filters.chapter)
    return qs.order_by()


def people_reached(user, filters: Filters) -> int:
    """Unique known people reached in the range, across channels: a supporter who
    signed, called and opened an alert counts once, on the day first reached (within
    the campaign and chapter filtered on, among the chapters ``user`` may see)."""
    qs = ReachPerson.objects.all()
    if filters.chapter is None and filters.campaign is None and sees_everything(user):
        return qs.filter(
            campaign_key=ReachPerson.ALL,
            chapter_key=ReachPerson.ALL,
            first_day__gte=filters.start,
            first_day__lte=filters.end,
        ).count()
    qs = _visible(user, qs, "chapter_key").exclude(campaign_key=ReachPerson.ALL)
    if filters.chapter is not None:
        qs = qs.filter(chapter_key=filters.chapter.pk)
    if filters.campaign is not None:
        qs = qs.filter(campaign_key=filters.campaign.pk)
    # One person has a row per campaign and chapter: first reached on the earliest.
    return (
        qs.values("supporter_id")
        .annotate(first=Min("first_day"))
        .filter(first__gte=filters.start, first__lte=filters.end)
        .order_by()
        .count()
    )


def dashboard(user, filters: Filters) -> Dashboard:
    """Every figure of the dashboard for ``user`` and ``filters``. Reads only; a fixed
    number of queries."""
    rollups = _rollups(user, filters)
    totals_rows = list(
        rollups.filter(dimension=Dim.TOTAL)
        .values("day", "kind")
        .annotate(n=Sum("count"))
    )
    per_day = _by((r for r in totals_rows if r["kind"] != Kind.ANONYMOUS), "day")
    anonymous = sum(r["n"] for r in totals_rows if r["kind"] == Kind.ANONYMOUS)
    supporters_qs = new_supporters(user, filters)
    joined = dict(
        supporters_qs.annotate(day=TruncDate("created_at"))
        .values_list("day")
        .annotate(n=Count("pk"))
    )
    days = []
    day = filters.start
    while day <= filters.end:
        counts = per_day.get((day,), dict.fromkeys(ACTION_KINDS, 0))
        days.append({"day": day, **counts, "supporters": joined.get(day, 0)})
        day += dt.timedelta(days=1)
    totals = {k: sum(d[k] for d in days) for k in (*ACTION_KINDS, "supporters")}
    totals["actions"] = sum(totals[k] for k in ACTION_KINDS)

    place_rows = list(
        rollups.filter(dimension__in=[Dim.STATE, Dim.DISTRICT])
        .values("dimension", "key", "kind")
        .annotate(n=Sum("count"))
    )
    members = supporters_visible_to(user)
    if filters.chapter is not None:
        members = members.filter(memberships__chapter=filters.chapter)
    supporters_by_state = dict(
        members.exclude(state="")
        .values_list("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    states = _states(
        _by((r for r in place_rows if r["dimension"] == Dim.STATE), "key"),
        supporters_by_state,
    )
    districts = sorted(
        (
            {"district": key[0], **_with_total(counts)}
            for key, counts in _by(
                (r for r in place_rows if r["dimension"] == Dim.DISTRICT), "key"
            ).items()
        ),
        key=lambda r: (-r["actions"], r["district"]),
    )

    chapter_counts = _by(
        rollups.filter(dimension=Dim.TOTAL, kind__in=ACTION_KINDS)
        .values("chapter_id", "kind")
        .annotate(n=Sum("count")),
        "chapter_id",
    )
    names = dict(
        Chapter.objects.filter(
            pk__in=[k[0] for k in chapter_counts if k[0]]
        ).values_list("pk", "name")
    )
    chapters = sorted(
        (
            {
                "chapter": names.get(key[0]) or _("No chapter"),
                **_with_total(counts),
            }
            for key, counts in chapter_counts.items()
        ),
        key=lambda r: (-r["actions"], str(r["chapter"])),
    )

    source_rows = list(
        rollups.filter(dimension__in=[Dim.CHANNEL, Dim.UTM, Dim.REFERRAL])
        .values("dimension", "key", "kind")
        .annotate(n=Sum("count"))
    )
    sources, sharers = _sources(user, source_rows)
    funnels = _funnels(user, filters)
    target_rows = list(
        rollups.filter(dimension=Dim.TARGET)
        .values("key", "kind")
        .annotate(n=Sum("count"), first=Min("day"), last=Max("day"))
    )
    targets, legislators = _targets(target_rows, filters)
    board = Dashboard(
        filters=filters,
        totals=totals,
        people=people_reached(user, filters) + anonymous,
        series=days,
        states=states,
        districts=districts,
        chapters=chapters,
        sources=sources,
        sharers=sharers,
        funnels=funnels,
        targets=targets,
    )
    if filters.campaign is not None:
        _bills(board, filters.campaign, legislators)
    return board


def _states(counts: dict, supporters: dict[str, int]) -> list[dict[str, Any]]:
    """Every state of the atlas with its actions, supporters and actions per
    supporter, and a shade (0 none, 1..SHADES by fifths of the highest rate)."""
    rows = []
    for code, name, d in atlas.state_paths():
        c = _with_total(counts.get((code,), dict.fromkeys(ACTION_KINDS, 0)))
        people = supporters.get(code, 0)
        rate = round(c["actions"] / people, 2) if people else None
        rows.append({"code": code, "name": name, "d": d, "supporters": people,
                     "per_supporter": rate, **c})  # fmt: skip
    top = max((r["per_supporter"] or 0 for r in rows), default=0)
    for r in rows:
        rate = r["per_supporter"] or 0
        r["shade"] = 0 if not rate or not top else max(1, -(-rate * SHADES // top))
        r["shade"] = int(min(r["shade"], SHADES))
    return rows


def _sources(user, rows) -> tuple[list[dict], list[dict]]:
    """Actions by channel, UTM tags and alert (an alert's source code), and the top
    sharers (other referral codes: a signer's share link) with the first name and
    city of the signer whose link it is, where ``user`` may see that signature."""
    grouped = _by(rows, "dimension", "key")
    alert_codes = [
        k[1]
        for k in grouped
        if k[0] == Dim.REFERRAL and k[1].startswith(SOURCE_CODE_PREFIX)
    ]
    alerts = {
        a.source_code: a.subject
        for a in Alert.objects.filter(source_code__in=alert_codes).only(
            "source_code", "subject"
        )
    }
    sources = []
    shares = []
    for (dimension, key), counts in grouped.items():
        row = _with_total(counts)
        if dimension == Dim.REFERRAL and key in alerts:
            sources.append({"kind": _("Alert"), "source": alerts[key], **row})
        elif dimension == Dim.REFERRAL:
            shares.append({"code": key, **row})
        elif dimension == Dim.CHANNEL:
            sources.append({"kind": _("Channel"), "source": key, **row})
        else:
            label = " / ".join(part or "-" for part in key.split("|"))
            sources.append({"kind": _("UTM"), "source": label, **row})
    sources.sort(key=lambda r: (-r["actions"], str(r["kind"]), r["source"]))
    shares.sort(key=lambda r: (-r["actions"], r["code"]))
    shares = shares[:TOP]
    signers = {
        s.referral_code: s
        for s in _visible(
            user,
            Signature.objects.filter(referral_code__in=[r["code"] for r in shares]),
            "chapter",
        )
        .select_related("supporter")
        .only("referral_code", "supporter__first_name", "supporter__city")
    }
    for row in shares:
        signer = signers.get(row["code"])
        row["name"] = signer.supporter.first_name if signer else ""
        row["city"] = signer.supporter.city if signer else ""
    return sources[: TOP * 2], shares


def _funnels(user, filters: Filters) -> list[dict[str, Any]]:
    qs = _visible(user, AlertFunnel.objects.all(), "chapter").filter(
        day__gte=filters.start, day__lte=filters.end
    )
    if filters.chapter is not None:
        qs = qs.filter(chapter=filters.chapter)
    if filters.campaign is not None:
        qs = qs.filter(campaign=filters.campaign)
    rows = []
    for f in qs.select_related("alert").order_by("-day", "-alert_id")[:TOP]:
        rows.append(
            {
                "alert": f.alert.subject,
                "day": f.day,
                "recipients": f.recipients,
                **{stage: getattr(f, stage) for stage in AlertFunnel.STAGES},
            }
        )
    return rows


def _targets(rows, filters: Filters) -> tuple[list[dict], dict[int, dict]]:
    """Calls by legislator and outcome, letters by status; and, per legislator, the
    contacts from their own constituents (the caller's stored place is one of the
    legislator's seat) with the first and last day."""
    per_leg: dict[int, dict[str, Any]] = {}
    for row in rows:
        leg_id, status, *place = [*row["key"].split("|"), "", "", "", "", ""][:6]
        entry = per_leg.setdefault(
            int(leg_id),
            {"outcomes": defaultdict(int), "statuses": defaultdict(int),
             "own": 0, "own_first": None, "own_last": None, "places": []},
        )  # fmt: skip
        if row["kind"] == Kind.CALL:
            entry["outcomes"][status] += row["n"]
        else:
            entry["statuses"][status] += row["n"]
        entry["places"].append((place, row))
    legislators = {
        leg.pk: leg for leg in Legislator.objects.filter(pk__in=list(per_leg))
    }
    from advocacy.models import Outreach

    outcome_labels = dict(Outreach.Outcome.choices)
    status_labels = dict(Outreach.Delivery.choices)
    table = []
    for pk, entry in per_leg.items():
        leg = legislators.get(pk)
        if leg is None:
            continue
        seat = seat_of(leg)
        for place, row in entry["places"]:
            if seat in seats_of_place(dict(zip(PLACE_FIELDS, place, strict=True))):
                entry["own"] += row["n"]
                entry["own_first"] = min(
                    filter(None, [entry["own_first"], row["first"]])
                )
                entry["own_last"] = max(filter(None, [entry["own_last"], row["last"]]))
        entry["legislator"] = leg
        calls = sum(entry["outcomes"].values())
        letters = sum(entry["statuses"].values())
        table.append(
            {
                "pk": pk,
                "name": leg.name,
                "seat": f"{leg.get_chamber_display()} {leg.state}"
                + (f"-{leg.district}" if leg.district else ""),
                "calls": calls,
                "letters": letters,
                "outcomes": {
                    str(outcome_labels.get(k, k)): v
                    for k, v in sorted(entry["outcomes"].items())
                },
                "statuses": {
                    str(status_labels.get(k, k)): v
                    for k, v in sorted(entry["statuses"].items())
                },
                "own": entry["own"],
                "own_first": entry["own_first"],
                "own_last": entry["own_last"],
            }
        )
    table.sort(key=lambda r: (-(r["calls"] + r["letters"]), r["name"]))
    return table, {r["pk"]: r for r in table}


def _bills(board: Dashboard, campaign: Campaign, targets: dict[int, dict]) -> None:
    """The campaign's bills, their actions and cosponsorships in the range (on the
    time axis of the contacts), and per targeted legislator whether they sponsored
    or cosponsored one of them after their own constituents' first contact."""
    filters = board.filters
    links = list(CampaignBill.objects.filter(campaign=campaign).select_related("bill"))
    bill_ids = [link.bill_id for link in links]
    board.bills = [
        {"bill": str(link.bill), "title": link.bill.title, "stage": link.bill.get_stage_display(),
         "position": link.get_position_display()}
        for link in links
    ]  # fmt: skip
    events = [
        {"day": a.date, "bill": a.bill.identifier, "text": a.text,
         "classification": a.classification, "chamber": a.chamber}
        for a in BillAction.objects.filter(
            bill_id__in=bill_ids, date__gte=filters.start, date__lte=filters.end
        ).select_related("bill").order_by("date", "order")
    ]  # fmt: skip
    sponsorships = list(
        Sponsorship.objects.filter(bill_id__in=bill_ids)
        .select_related("bill")
        .order_by("sponsored_on", "name")
    )
    for s in sponsorships:
        if s.sponsored_on and filters.start <= s.sponsored_on <= filters.end:
            events.append(
                {"day": s.sponsored_on, "bill": s.bill.identifier,
                 "text": f"{s.get_kind_display()}: {s.name}",
                 "classification": "cosponsor", "chamber": ""}
            )  # fmt: skip
    events.sort(key=lambda e: (e["day"], e["bill"]))
    board.bill_events = events
    by_leg: dict[int, list[Sponsorship]] = defaultdict(list)
    for s in sponsorships:
        if s.legislator_id and not s.withdrawn_on:
            by_leg[s.legislator_id].append(s)
    rows = []
    for pk, target in targets.items():
        signed = by_leg.get(pk, [])
        after = [
            s
            for s in signed
            if target["own_first"]
            and s.sponsored_on
            and s.sponsored_on >= target["own_first"]
        ]
        rows.append(
            {
                **target,
                "sponsored": [
                    f"{s.bill.identifier} ({s.get_kind_display()}, {s.sponsored_on or '?'})"
                    for s in signed
                ],
                "after": bool(after),
            }
        )
    board.legislators = rows


def _n(value) -> str:
    return "" if value is None else str(value)


def csv_tables(board: Dashboard) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Every table of the dashboard as ``{name: (header, rows)}``, for its CSV export
    (the same figures the page shows)."""
    kinds = [str(_("Signatures")), str(_("Calls")), str(_("Letters"))]
    tables: dict[str, tuple[list[str], list[list[Any]]]] = {
        "days": (
            [str(_("Day")), *kinds, str(_("New supporters"))],
            [[d["day"].isoformat(), d["signature"], d["call"], d["letter"],
              d["supporters"]] for d in board.series],
        ),
        "states": (
            [str(_("State")), *kinds, str(_("Actions")), str(_("Supporters")),
             str(_("Actions per supporter"))],
            [[r["code"], r["signature"], r["call"], r["letter"], r["actions"],
              r["supporters"], _n(r["per_supporter"])] for r in board.states],
        ),
        "districts": (
            [str(_("Congressional district")), *kinds, str(_("Actions"))],
            [[r["district"], r["signature"], r["call"], r["letter"], r["actions"]]
             for r in board.districts],
        ),
        "chapters": (
            [str(_("Chapter")), *kinds, str(_("Actions"))],
            [[str(r["chapter"]), r["signature"], r["call"], r["letter"], r["actions"]]
             for r in board.chapters],
        ),
        "sources": (
            [str(_("Kind")), str(_("Source")), *kinds, str(_("Actions"))],
            [[str(r["kind"]), r["source"], r["signature"], r["call"], r["letter"],
              r["actions"]] for r in board.sources],
        ),
        "sharers": (
            [str(_("Referral code")), str(_("First name")), str(_("City")), *kinds,
             str(_("Actions"))],
            [[r["code"], r["name"], r["city"], r["signature"], r["call"], r["letter"],
              r["actions"]] for r in board.sharers],
        ),
        "alerts": (
            [str(_("Alert")), str(_("Frozen on")), str(_("Recipients")),
             *[str(label) for label in STAGE_LABELS.values()]],
            [[r["alert"], r["day"].isoformat(), r["recipients"],
              *[r[s] for s in AlertFunnel.STAGES]] for r in board.funnels],
        ),
        "legislators": (
            [str(_("Legislator")), str(_("Seat")), str(_("Calls")),
             str(_("Calls by outcome")), str(_("Letters")),
             str(_("Letters by status"))],
            [[r["name"], r["seat"], r["calls"],
              "; ".join(f"{k}: {v}" for k, v in r["outcomes"].items()), r["letters"],
              "; ".join(f"{k}: {v}" for k, v in r["statuses"].items())]
             for r in board.targets],
        ),
    }  # fmt: skip
    if board.filters.campaign is not None:
        tables["bill-actions"] = (
            [str(_("Day")), str(_("Bill")), str(_("Chamber")), str(_("Action"))],
            [[e["day"].isoformat(), e["bill"], e["chamber"], e["text"]]
             for e in board.bill_events],
        )  # fmt: skip
        tables["targets"] = (
            [str(_("Legislator")), str(_("Seat")),
             str(_("Contacts from own constituents")), str(_("First")),
             str(_("Last")), str(_("Sponsored or cosponsored")),
             str(_("After the contacts"))],
            [[r["name"], r["seat"], r["own"], _n(r["own_first"]), _n(r["own_last"]),
              "; ".join(r["sponsored"]), str(_("yes") if r["after"] else _("no"))]
             for r in board.legislators],
        )  # fmt: skip
    return tables


STAGE_LABELS = {
    "sent": _("Sent"),
    "delivered": _("Delivered"),
    "opened": _("Opened"),
    "clicked": _("Clicked"),
    "acted": _("Acted"),
    "unsubscribed": _("Unsubscribed"),
    "bounced": _("Bounced"),
}


def chart_data(board: Dashboard) -> dict[str, Any]:
    """What the page's script draws, with its labels translated (``json_script``)."""
    top_targets = board.targets[:10]
    outcome_names = sorted({k for r in top_targets for k in r["outcomes"]})
    data: dict[str, Any] = {
        "series": {
            "labels": [d["day"].isoformat() for d in board.series],
            "datasets": [
                {"label": str(_("Signatures")), "data": [d["signature"] for d in board.series]},
                {"label": str(_("Calls")), "data": [d["call"] for d in board.series]},
                {"label": str(_("Letters")), "data": [d["letter"] for d in board.series]},
                {"label": str(_("New supporters")), "data": [d["supporters"] for d in board.series]},
            ],
            "events": [
                {"day": e["day"].isoformat(), "text": f"{e['bill']}: {e['text']}"}
                for e in board.bill_events
            ],
            "eventsLabel": str(_("Bill actions")),
        },
        "chapters": {
            "labels": [str(r["chapter"]) for r in board.chapters[:15]],
            "datasets": [
                {"label": str(_("Actions")), "data": [r["actions"] for r in board.chapters[:15]]}
            ],
        },
        "sources": {
            "labels": [f"{r['kind']}: {r['source']}" for r in board.sources[:10]],
            "datasets": [
                {"label": str(_("Actions")), "data": [r["actions"] for r in board.sources[:10]]}
            ],
        },
        "alerts": {
            "labels": [str(label) for label in STAGE_LABELS.values()],
            "datasets": [
                {"label": f["alert"], "data": [f[s] for s in AlertFunnel.STAGES]}
                for f in board.funnels[:5]
            ],
        },
        "outcomes": {
            "labels": [r["name"] for r in top_targets],
            "stacked": True,
            "datasets": [
                {"label": name, "data": [r["outcomes"].get(name, 0) for r in top_targets]}
                for name in outcome_names
            ],
        },
    }  # fmt: skip
    return data
