"""Bill sync from the Congress.gov API v3 and the Open States API v3.

For each bill: fetch everything over the network first, validate it into plain values,
and only then write the bill, its actions and its sponsorships in one transaction. A
rate limit, a server error or a malformed payload therefore never leaves a half-written
bill. Both syncs are safe to repeat: a bill is keyed by (jurisdiction, session,
identifier) and its actions and sponsorships are replaced whole. Campaign links are
kept.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from .http import ApiClient, ApiError, MalformedPayload
from .importers import BILL_TYPES, federal_identifier, normalize_identifier
from .models import Bill, BillAction, Legislator, Sponsorship, SyncRun

logger = logging.getLogger(__name__)
MAX_PAGES = 20
PAGE_SIZE = 250

# What fetching, validating or writing one bill raises when the upstream data is bad:
# that bill is skipped (write_bill is all or nothing) and the run goes on. Anything
# else, such as the database going away, stops the run.
BILL_ERRORS = (
    ApiError,
    ValueError,
    TypeError,
    KeyError,
    ValidationError,
    IntegrityError,
    DataError,
)


# (kind, name, bioguide_id or openstates_id, sponsored_on, withdrawn_on)
SponsorRow = tuple[str, str, str, dt.date | None, dt.date | None]


@dataclass
class BillData:
    jurisdiction: str
    session: str
    identifier: str
    title: str
    summary: str = ""
    stage: str = Bill.Stage.INTRODUCED
    introduced_on: dt.date | None = None
    source_urls: list[str] = field(default_factory=list)
    openstates_id: str | None = None
    actions: list[dict] = field(default_factory=list)
    sponsors: list["SponsorRow"] = field(default_factory=list)


def _need(obj: Any, key: str, where: str, kind: type | tuple = str) -> Any:
    value = obj.get(key) if isinstance(obj, dict) else None
    if not isinstance(value, kind) or value in ("", None):
        expected = getattr(kind, "__name__", "a string or number")
        raise MalformedPayload(f"{where}: field '{key}' is missing or not {expected}")
    return value


def _objects(obj: dict, key: str, where: str) -> list[dict]:
    """``obj[key]``: a list of JSON objects, empty when the field is absent."""
    value = obj.get(key) or []
    if not isinstance(value, list):
        raise MalformedPayload(f"{where}: field '{key}' is not a list")
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise MalformedPayload(f"{where} {key}[{i}]: not an object")
    return value


def _object(obj: dict, key: str, where: str) -> dict:
    """``obj[key]``: a JSON object, empty when the field is absent."""
    value = obj.get(key) or {}
    if not isinstance(value, dict):
        raise MalformedPayload(f"{where}: field '{key}' is not an object")
    return value


def _day(value: Any, where: str, key: str, *, required: bool = True) -> dt.date | None:
    if value in (None, "") and not required:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise MalformedPayload(
            f"{where}: field '{key}' is not a date: {str(value)[:30]!r}"
        ) from None


def _plain(html: str) -> str:
    return " ".join(nh3.clean(html or "", tags=set()).split())


def _web_urls(urls: list[Any], limit: int = 10) -> list[str]:
    """The http(s) URLs among ``urls``, stripped. Source links end up in ``<a href>``,
    where escaping does not stop a ``javascript:`` or ``data:`` URL, so anything else
    is dropped."""
    kept = []
    for url in urls:
        text = url.strip() if isinstance(url, str) else ""
        if text.lower().startswith(("http://", "https://")) and len(text) <= 2000:
            kept.append(text)
    return kept[:limit]


# --- Congress.gov ---------------------------------------------------------------------


def congress_client(**kwargs) -> ApiClient:
    return ApiClient(
        base_url=settings.CONGRESS_API_URL,
        headers={"X-Api-Key": settings.CONGRESS_API_KEY},
        timeout=settings.LEGISLATORS_HTTP_TIMEOUT,
        max_attempts=settings.LEGISLATORS_HTTP_MAX_ATTEMPTS,
        **kwargs,
    )


def _paged(client: ApiClient, path: str, key: str) -> list:
    items: list = []
    for page in range(MAX_PAGES):
        data = client.get_json(
            path, {"format": "json", "limit": PAGE_SIZE, "offset": page * PAGE_SIZE}
        )
        chunk = data.get(key)
        if not isinstance(chunk, list):
            raise MalformedPayload(f"{path}: field '{key}' is missing or not a list")
        items.extend(chunk)
        total = _object(data, "pagination", path).get("count")
        if not chunk or not isinstance(total, int) or len(items) >= total:
            break
    return items


def congress_stage(actions: list[dict], has_law: bool) -> str:
    texts = [a["text"].lower() for a in actions]
    kinds = {a["classification"] for a in actions}
    if has_law or "BecameLaw" in kinds or any("became public law" in t for t in texts):
        return Bill.Stage.SIGNED
    if "Veto" in kinds or any("vetoed by president" in t for t in texts):
        return Bill.Stage.VETOED
    if any("failed of passage" in t for t in texts):
        return Bill.Stage.FAILED
    house = any("passed/agreed to in house" in t for t in texts)
    senate = any("passed/agreed to in senate" in t for t in texts)
    if house and senate:
        return Bill.Stage.PASSED_BOTH
    if house or senate:
        return Bill.Stage.PASSED_ONE
    if any("referred to" in t for t in texts):
        return Bill.Stage.IN_COMMITTEE
    return Bill.Stage.INTRODUCED


def fetch_congress_bill(
    client: ApiClient, *, congress: int, bill_type: str, number: int
) -> BillData:
    """Fetch and validate one bill with its actions, cosponsors and latest summary. No
    database access; raises ApiError subclasses."""
    bill_type = bill_type.lower()
    if bill_type not in BILL_TYPES:
        raise ValueError(f"unknown bill type {bill_type!r}")
    path = f"bill/{int(congress)}/{bill_type}/{int(number)}"
    bill = client.get_json(path, {"format": "json"}).get("bill")
    if not isinstance(bill, dict):
        raise MalformedPayload(f"{path}: field 'bill' is missing")
    title = _need(bill, "title", path)
    identifier = federal_identifier(
        _need(bill, "type", path), _need(bill, "number", path, (str, int))
    )
    introduced = _day(
        bill.get("introducedDate"), path, "introducedDate", required=False
    )
    sponsors: list[SponsorRow] = []
    for i, sponsor in enumerate(_objects(bill, "sponsors", path)):
        where = f"{path} sponsors[{i}]"
        sponsors.append(
            (
                "sponsor",
                _need(sponsor, "fullName", where),
                _need(sponsor, "bioguideId", where),
                introduced,
                None,
            )
        )
    actions = []
    for i, action in enumerate(_paged(client, f"{path}/actions", "actions")):
        where = f"{path}/actions actions[{i}]"
        actions.append(
            {
                "date": _day(_need(action, "actionDate", where), where, "actionDate"),
                "text": _need(action, "text", where)[:5000],
                "classification": str(action.get("type") or "")[:100],
                "chamber": str(
                    _object(action, "sourceSystem", where).get("name") or ""
                )[:50],
            }
        )
    # The API lists newest first; store oldest first with a stable order within a day.
    actions.sort(key=lambda a: a["date"])
    for order, action in enumerate(actions):
        action["order"] = order
    for i, cosponsor in enumerate(_paged(client, f"{path}/cosponsors", "cosponsors")):
        where = f"{path}/cosponsors cosponsors[{i}]"
        sponsors.append(
            (
                "cosponsor",
                _need(cosponsor, "fullName", where),
                _need(cosponsor, "bioguideId", where),
                _day(
                    cosponsor.get("sponsorshipDate"),
                    where,
                    "sponsorshipDate",
                    required=False,
                ),
                _day(
                    cosponsor.get("sponsorshipWithdrawnDate"),
                    where,
                    "sponsorshipWithdrawnDate",
                    required=False,
                ),
            )
        )
    summaries = (
        client.get_json(f"{path}/summaries", {"format": "json"}).get("summaries") or []
    )
    if not isinstance(summaries, list):
        raise MalformedPayload(f"{path}/summaries: field 'summaries' is not a list")
    summary = ""
    if summaries and isinstance(summaries[-1], dict):
        summary = _plain(str(summaries[-1].get("text") or ""))
    return BillData(
        jurisdiction="US",
        session=str(int(congress)),
        identifier=identifier,
        title=title[:1000],
        summary=summary,
        stage=congress_stage(actions, bool(bill.get("laws"))),
        introduced_on=introduced,
        source_urls=_web_urls(
            [
                f"https://www.congress.gov/bill/{int(congress)}th-congress/"
                f"{'house' if bill_type.startswith('h') else 'senate'}-bill/"
                f"{int(number)}"
            ]
        ),
        actions=actions,
        sponsors=sponsors,
    )


@transaction.atomic
def write_bill(data: BillData, *, source_key: str) -> Bill:
    """Write one validated bill with its actions and sponsorships, all or nothing.
    ``source_key`` is the Legislator field the sponsor ids refer to. Safe to repeat."""
    bill, _created = Bill.objects.select_for_update().get_or_create(
        jurisdiction=data.jurisdiction,
        session=data.session,
        identifier=data.identifier,
        defaults={"title": data.title},
    )
    bill.title = data.title
    bill.summary = data.summary or bill.summary
    bill.stage = data.stage
    bill.introduced_on = data.introduced_on or bill.introduced_on
    bill.source_urls = data.source_urls or bill.source_urls
    if data.openstates_id:
        bill.openstates_id = data.openstates_id
    bill.last_synced_at = timezone.now()
    bill.full_clean(validate_unique=False)
    bill.save()
    bill.actions.all().delete()
    BillAction.objects.bulk_create([BillAction(bill=bill, **a) for a in data.actions])
    ids = {s[2] for s in data.sponsors if s[2]}
    legislators = dict(
        Legislator.objects.filter(**{f"{source_key}__in": ids}).values_list(
            source_key, "pk"
        )
    )
    bill.sponsorships.all().delete()
    seen = set()
    rows = []
    for kind, name, ext_id, sponsored_on, withdrawn_on in data.sponsors:
        if (name, kind) in seen:
            continue
        seen.add((name, kind))
        rows.append(
            Sponsorship(
                bill=bill,
                kind=kind,
                name=name[:200],
                legislator_id=legislators.get(ext_id),
                sponsored_on=sponsored_on,
                withdrawn_on=withdrawn_on,
            )
        )
    Sponsorship.objects.bulk_create(rows)
    return bill


def _skip_bill(
    summary: dict[str, Any], source: str, bill: tuple, exc: Exception
) -> None:
    """Count and log one bill the sync could not refresh. ``bill`` is (pk,
    jurisdiction, session, identifier); bill payloads hold no supporter data."""
    bill_id, *key = bill
    reason = str(exc) if isinstance(exc, ApiError) else f"{type(exc).__name__}: {exc}"
    summary["failed"] += 1
    summary["errors"].append(f"bill {bill_id}: {' '.join(key)}: {reason}"[:300])
    logger.warning(
        "%s sync failed bill=%s %s: %s", source, bill_id, " ".join(key), reason
    )


def _parse_federal_identifier(identifier: str) -> tuple[str, int]:
    kind, _sep, number = identifier.rpartition(" ")
    for key, label in BILL_TYPES.items():
        if label == kind:
            return key, int(number)
    raise ValueError(f"{identifier!r} is not a federal bill identifier")


def sync_federal_bills(*, client: ApiClient | None = None) -> dict[str, Any]:
    """Refresh every federal bill Harbor tracks from Congress.gov.

    Disabled (and says so) when CONGRESS_API_KEY is unset. Each bill is fetched outside
    any transaction and written in its own; a bill that fails is logged and left as it
    was. Safe to repeat."""
    if client is None and not settings.CONGRESS_API_KEY:
        logger.warning(
            "Congress.gov bill sync is disabled: CONGRESS_API_KEY is not set"
        )
        return {"disabled": True}
    client = client or congress_client()
    summary: dict[str, Any] = {"synced": 0, "failed": 0, "errors": []}
    for bill in Bill.objects.filter(jurisdiction="US").values_list(
        "pk", "jurisdiction", "session", "identifier"
    ):
        _bill_id, _jurisdiction, session, identifier = bill
        try:
            bill_type, number = _parse_federal_identifier(identifier)
            data = fetch_congress_bill(
                client, congress=int(session), bill_type=bill_type, number=number
            )
            write_bill(data, source_key="bioguide_id")
        except BILL_ERRORS as exc:
            _skip_bill(summary, "congress", bill, exc)
        else:
            summary["synced"] += 1
    SyncRun.objects.create(
        kind="sync_congress", ok=not summary["failed"], summary=summary
    )
    logger.info(
        "congress sync synced=%d failed=%d", summary["synced"], summary["failed"]
    )
    return summary


# --- Open States ----------------------------------------------------------------------


def openstates_client(**kwargs) -> ApiClient:
    return ApiClient(
        base_url=settings.OPENSTATES_API_URL,
        headers={"X-API-KEY": settings.OPENSTATES_API_KEY},
        timeout=settings.LEGISLATORS_HTTP_TIMEOUT,
        max_attempts=settings.LEGISLATORS_HTTP_MAX_ATTEMPTS,
        **kwargs,
    )


def openstates_stage(actions: list[dict]) -> str:
    kinds = [set(a["classification"].split(",")) for a in actions]
    flat = set().union(*kinds) if kinds else set()
    if "became-law" in flat or "executive-signature" in flat:
        return Bill.Stage.SIGNED
    if "executive-veto" in flat:
        return Bill.Stage.VETOED
    if "failure" in flat:
        return Bill.Stage.FAILED
    passed = {
        a["chamber"] for a, k in zip(actions, kinds, strict=True) if "passage" in k
    }
    if len(passed) >= 2:
        return Bill.Stage.PASSED_BOTH
    if passed:
        return Bill.Stage.PASSED_ONE
    if "referral-committee" in flat:
        return Bill.Stage.IN_COMMITTEE
    return Bill.Stage.INTRODUCED


def _order(action: dict, where: str, *, default: int) -> int:
    value = action.get("order")
    if value is None:
        return default
    # BillAction.order is a PositiveIntegerField: bound it here, not in the database.
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**31:
        raise MalformedPayload(f"{where}: field 'order' is not a whole number")
    return value


def parse_openstates_bill(item: dict, *, state: str) -> BillData:
    """Validate one Open States v3 bill (with sponsorships, actions, sources,
    abstracts)."""
    where = f"openstates bill {str(item.get('id'))[:60]}"
    os_id = _need(item, "id", where)
    actions = []
    for i, action in enumerate(_objects(item, "actions", where)):
        w = f"{where} actions[{i}]"
        classification = action.get("classification") or []
        if not isinstance(classification, list):
            raise MalformedPayload(f"{w}: field 'classification' is not a list")
        actions.append(
            {
                "date": _day(_need(action, "date", w), w, "date"),
                "text": _need(action, "description", w)[:5000],
                "classification": ",".join(map(str, classification))[:100],
                "chamber": str(
                    _object(action, "organization", w).get("classification") or ""
                )[:50],
                "order": _order(action, w, default=i),
            }
        )
    sponsors: list[SponsorRow] = []
    for i, sp in enumerate(_objects(item, "sponsorships", where)):
        w = f"{where} sponsorships[{i}]"
        sponsors.append(
            (
                "sponsor" if sp.get("primary") else "cosponsor",
                _need(sp, "name", w),
                str(_object(sp, "person", w).get("id") or ""),
                None,
                None,
            )
        )
    abstracts = _objects(item, "abstracts", where)
    return BillData(
        jurisdiction=state,
        session=_need(item, "session", where)[:50],
        identifier=normalize_identifier(state, _need(item, "identifier", where))[:50],
        title=_need(item, "title", where)[:1000],
        summary=str(abstracts[0].get("abstract") or "") if abstracts else "",
        stage=openstates_stage(actions),
        introduced_on=_day(
            item.get("first_action_date"), where, "first_action_date", required=False
        ),
        source_urls=_web_urls([s.get("url") for s in _objects(item, "sources", where)]),
        openstates_id=os_id,
        actions=actions,
        sponsors=sponsors,
    )


def fetch_openstates_bill(
    client: ApiClient, *, state: str, session: str, identifier: str
) -> BillData:
    data = client.get_json(
        "bills",
        {
            "jurisdiction": (
                f"ocd-jurisdiction/country:us/state:{state.lower()}/government"
            ),
            "session": session,
            "identifier": identifier,
            "include": ["sponsorships", "actions", "sources", "abstracts"],
        },
    )
    results = data.get("results")
    if not isinstance(results, list):
        raise MalformedPayload("bills: field 'results' is missing or not a list")
    if not results:
        raise MalformedPayload(f"bills: no bill {identifier} in {state} {session}")
    if not isinstance(results[0], dict):
        raise MalformedPayload("bills: results[0]: not an object")
    return parse_openstates_bill(results[0], state=state)


def sync_state_bills(*, client: ApiClient | None = None) -> dict[str, Any]:
    """Refresh every state bill Harbor tracks from Open States. Disabled when
    OPENSTATES_API_KEY is unset. Same guarantees as sync_federal_bills."""
    if client is None and not settings.OPENSTATES_API_KEY:
        logger.warning(
            "Open States bill sync is disabled: OPENSTATES_API_KEY is not set"
        )
        return {"disabled": True}
    client = client or openstates_client()
    summary: dict[str, Any] = {"synced": 0, "failed": 0, "errors": []}
    for bill in Bill.objects.exclude(jurisdiction="US").values_list(
        "pk", "jurisdiction", "session", "identifier"
    ):
        _bill_id, state, session, identifier = bill
        try:
            data = fetch_openstates_bill(
                client, state=state, session=session, identifier=identifier
            )
            write_bill(data, source_key="openstates_id")
        except BILL_ERRORS as exc:
            _skip_bill(summary, "openstates", bill, exc)
        else:
            summary["synced"] += 1
    SyncRun.objects.create(
        kind="sync_openstates", ok=not summary["failed"], summary=summary
    )
    return summary
