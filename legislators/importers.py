"""Parsers for the upstream data formats Harbor ships under ``legislators/data/``.

Each parser reads a file (or a directory in the upstream layout), validates every record
and returns plain dicts; nothing here touches the database. A bad record raises
:class:`DataFileError` naming the file, the record and the field at fault, so the
service that calls a parser can refuse the whole file before writing anything.
"""

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from harbor.states import STATES

from .models import as_of_end

DATA_DIR = Path(__file__).resolve().parent / "data"
CONGRESS_CURRENT = DATA_DIR / "congress-legislators" / "legislators-current.yaml"
CONGRESS_OFFICES = (
    DATA_DIR / "congress-legislators" / "legislators-district-offices.yaml"
)
OPENSTATES_DIR = DATA_DIR / "openstates-people"
ZCCD_CSV = DATA_DIR / "zipcodes-congress" / "zccd.csv"
SAFE_HARBOR_CSV = DATA_DIR / "safe-harbor" / "safe_harbor_state_laws.csv"
TVPA_BILLS_CSV = DATA_DIR / "bills" / "tvpa_reauthorization_bills.csv"
ATLAS_JSON = DATA_DIR / "us-atlas" / "states-albers-10m.json"

ZCTA_RE = re.compile(r"^\d{5}$")


class DataFileError(ValueError):
    """A data file is malformed; the message names the file, record and field."""

    def __init__(self, path: Path | str, record: str, field: str, problem: str):
        self.path, self.record, self.field, self.problem = (
            str(path),
            record,
            field,
            problem,
        )
        super().__init__(f"{Path(path).name}: {record}: field '{field}': {problem}")


def _load_yaml(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        raise DataFileError(path, where, "(syntax)", str(exc).splitlines()[0]) from None


def _date(path, record, field, value, *, required=True) -> dt.date | None:
    if value in (None, "") and not required:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise DataFileError(
            path, record, field, f"{value!r} is not a YYYY-MM-DD date"
        ) from None


def _text(value: Any, limit: int) -> str:
    return ("" if value is None else str(value)).strip()[:limit]


def _url(value: Any) -> str:
    text = _text(value, 500)
    return text if text.startswith(("http://", "https://")) else ""


def _state(path, record, field, value) -> str:
    code = _text(value, 10).upper()
    if code not in STATES:
        raise DataFileError(
            path, record, field, f"{value!r} is not a US state or territory"
        )
    return code


# --- Congress (unitedstates/congress-legislators) -------------------------------------


def parse_congress_current(path: Path = CONGRESS_CURRENT) -> list[dict]:
    """Members of Congress from ``legislators-current.yaml``; the last term is the
    current one."""
    data = _load_yaml(path)
    if not isinstance(data, list):
        raise DataFileError(path, "file", "(top level)", "expected a list of people")
    people, seen = [], set()
    for index, person in enumerate(data):
        record = f"record {index + 1}"
        if not isinstance(person, dict):
            raise DataFileError(path, record, "(record)", "expected a mapping")
        bioguide = _text((person.get("id") or {}).get("bioguide"), 20)
        if not re.fullmatch(r"[A-Z]\d{6}", bioguide):
            raise DataFileError(
                path, record, "id.bioguide", f"{bioguide!r} is not a bioguide id"
            )
        record = f"record {index + 1} (bioguide {bioguide})"
        if bioguide in seen:
            raise DataFileError(path, record, "id.bioguide", "appears twice")
        seen.add(bioguide)
        name = person.get("name") or {}
        full = _text(name.get("official_full"), 200) or " ".join(
            _text(name.get(k), 100) for k in ("first", "last") if name.get(k)
        )
        if not full:
            raise DataFileError(path, record, "name", "no name")
        terms = person.get("terms")
        if not isinstance(terms, list) or not terms or not isinstance(terms[-1], dict):
            raise DataFileError(path, record, "terms", "no terms")
        term = terms[-1]
        kind = term.get("type")
        if kind not in ("sen", "rep"):
            raise DataFileError(
                path, record, "terms[-1].type", f"{kind!r} is not sen or rep"
            )
        district = ""
        if kind == "rep":
            raw = term.get("district")
            if not isinstance(raw, int) or raw < 0:
                raise DataFileError(
                    path,
                    record,
                    "terms[-1].district",
                    f"{raw!r} is not a district number",
                )
            district = str(raw)
        people.append(
            {
                "bioguide_id": bioguide,
                "name": full,
                "first_name": _text(name.get("first"), 100),
                "last_name": _text(name.get("last"), 100),
                "party": _text(term.get("party"), 50),
                "chamber": "us_senate" if kind == "sen" else "us_house",
                "state": _state(path, record, "terms[-1].state", term.get("state")),
                "district": district,
                "term_start": _date(path, record, "terms[-1].start", term.get("start")),
                "term_end": _date(path, record, "terms[-1].end", term.get("end")),
                "website": _url(term.get("url")),
                "contact_form_url": _url(term.get("contact_form")),
                "offices": [
                    {
                        "kind": "dc",
                        "address": _text(
                            term.get("address") or term.get("office"), 300
                        ),
                        "city": "Washington",
                        "phone": _text(term.get("phone"), 30),
                        "fax": _text(term.get("fax"), 30),
                    }
                ]
                if term.get("address") or term.get("phone")
                else [],
            }
        )
    return people


def _location(office: dict) -> tuple[float | None, float | None]:
    """An office's (latitude, longitude), or (None, None) when either is missing or
    impossible. The position only orders offices by distance, so a bad one (upstream
    has a Rock Island, IL office at latitude 441.5) leaves it unknown rather than
    refusing the file."""
    try:
        lat, lon = float(office["latitude"]), float(office["longitude"])
    except (KeyError, TypeError, ValueError):
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return lat, lon


def parse_congress_offices(path: Path = CONGRESS_OFFICES) -> dict[str, list[dict]]:
    """District offices by bioguide id from ``legislators-district-offices.yaml``."""
    data = _load_yaml(path)
    if not isinstance(data, list):
        raise DataFileError(path, "file", "(top level)", "expected a list of entries")
    offices: dict[str, list[dict]] = {}
    for index, entry in enumerate(data):
        record = f"record {index + 1}"
        if not isinstance(entry, dict):
            raise DataFileError(path, record, "(record)", "expected a mapping")
        bioguide = _text((entry.get("id") or {}).get("bioguide"), 20)
        if not bioguide:
            raise DataFileError(path, record, "id.bioguide", "missing")
        items = entry.get("offices") or []
        if not isinstance(items, list):
            raise DataFileError(
                path, f"{record} (bioguide {bioguide})", "offices", "not a list"
            )
        for office in items:
            if not isinstance(office, dict):
                raise DataFileError(
                    path,
                    f"{record} (bioguide {bioguide})",
                    "offices[]",
                    "not a mapping",
                )
            street = ", ".join(
                _text(office.get(k), 100)
                for k in ("building", "address", "suite")
                if office.get(k)
            )
            city = _text(office.get("city"), 100)
            place = " ".join(
                p
                for p in (_text(office.get("state"), 2), _text(office.get("zip"), 10))
                if p
            )
            latitude, longitude = _location(office)
            offices.setdefault(bioguide, []).append(
                {
                    "kind": "district",
                    "address": ", ".join(p for p in (street, city, place) if p)[:300],
                    "city": city,
                    "zip_code": _text(office.get("zip"), 10),
                    "latitude": latitude,
                    "longitude": longitude,
                    "phone": _text(office.get("phone"), 30),
                    "fax": _text(office.get("fax"), 30),
                }
            )
    return offices


# --- State legislators (openstates/people) --------------------------------------------

OPENSTATES_CHAMBERS = {
    "upper": "state_upper",
    "lower": "state_lower",
    "legislature": "state_upper",
}


# "..., Victoria, TX 77904": Open States writes an office's address on one line, the
# city, state and ZIP last.
_CITY_STATE_ZIP = re.compile(
    r"(?:^|[,;\n])\s*([A-Za-z][A-Za-z .'-]*?),?\s+[A-Z]{2}\.?\s+(\d{5})(?:-\d{4})?\s*$"
)


def city_and_zip(address: str) -> tuple[str, str]:
    """``("Victoria", "77904")`` from ``"5606 N. Navarro St., Victoria, TX 77904"``;
    ``("", "")`` when the address does not end in a city, state and ZIP."""
    match = _CITY_STATE_ZIP.search(address or "")
    if not match:
        return "", ""
    return match[1].strip()[:100], match[2]


def openstates_files(root: Path) -> dict[str, list[Path]]:
    """``{state: [yml, ...]}`` for a directory in the upstream layout
    (``<root>/data/<st>/legislature/*.yml``, or ``<root>/<st>/legislature/*.yml``)."""
    base = root / "data" if (root / "data").is_dir() else root
    found: dict[str, list[Path]] = {}
    for folder in sorted(base.glob("*/legislature")):
        state = folder.parent.name.upper()
        if state in STATES:
            found[state] = sorted(folder.glob("*.yml"))
    return found


def parse_openstates_person(path: Path, *, state: str, today: dt.date) -> dict | None:
    """One Open States person, or None when no role is current on ``today``."""
    person = _load_yaml(path)
    record = path.stem
    if not isinstance(person, dict):
        raise DataFileError(path, record, "(record)", "expected a mapping")
    os_id = _text(person.get("id"), 60)
    if not os_id.startswith("ocd-person/"):
        raise DataFileError(path, record, "id", f"{os_id!r} is not an ocd-person id")
    record = os_id
    name = _text(person.get("name"), 200)
    if not name:
        raise DataFileError(path, record, "name", "missing")
    roles = person.get("roles")
    if not isinstance(roles, list):
        raise DataFileError(path, record, "roles", "missing or not a list")
    current = None
    for index, role in enumerate(roles):
        field = f"roles[{index}]"
        if not isinstance(role, dict):
            raise DataFileError(path, record, field, "not a mapping")
        if role.get("type") not in OPENSTATES_CHAMBERS:
            continue
        start = _date(
            path, record, f"{field}.start_date", role.get("start_date"), required=False
        )
        end = _date(
            path, record, f"{field}.end_date", role.get("end_date"), required=False
        )
        if (start is None or start <= today) and (end is None or end >= today):
            if not _text(role.get("district"), 50):
                raise DataFileError(path, record, f"{field}.district", "missing")
            current = (role, start, end)
    if current is None:
        return None
    role, start, end = current
    parties = [p for p in person.get("party") or [] if isinstance(p, dict)]
    open_parties = [p for p in parties if not p.get("end_date")] or parties
    offices = []
    for office in person.get("offices") or []:
        if not isinstance(office, dict):
            raise DataFileError(path, record, "offices[]", "not a mapping")
        kind = "capitol" if office.get("classification") == "capitol" else "district"
        address = _text(office.get("address"), 300)
        phone = _text(office.get("voice"), 30)
        if address or phone:
            city, zip_code = city_and_zip(address)
            offices.append(
                {
                    "kind": kind,
                    "address": address,
                    "city": city,
                    "zip_code": zip_code,
                    "phone": phone,
                    "fax": _text(office.get("fax"), 30),
                }
            )
    links = [link for link in person.get("links") or [] if isinstance(link, dict)]
    email = _text(person.get("email"), 254)
    return {
        "openstates_id": os_id,
        "name": name,
        "first_name": _text(person.get("given_name"), 100),
        "last_name": _text(person.get("family_name"), 100),
        "party": _text(open_parties[0].get("name"), 50) if open_parties else "",
        "chamber": OPENSTATES_CHAMBERS[role["type"]],
        "state": state,
        "district": _text(role.get("district"), 50),
        "term_start": start,
        "term_end": end,
        "photo_url": _url(person.get("image")),
        "website": _url(links[0].get("url")) if links else "",
        "contact_form_url": "",
        "email": email if "@" in email else "",
        "offices": offices,
    }


# --- ZIP → congressional district -----------------------------------------------------


def parse_zccd(path: Path = ZCCD_CSV) -> set[tuple[str, str, int]]:
    """``{(zcta, state, district)}`` from ``zccd.csv``; ZCTAs are kept as 5-char
    strings."""
    rows: set[tuple[str, str, int]] = set()
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"state_abbr", "zcta", "cd"} - set(reader.fieldnames or [])
        if missing:
            raise DataFileError(
                path, "header", ", ".join(sorted(missing)), "column missing"
            )
        for row in reader:
            record = f"line {reader.line_num}"
            zcta = (row["zcta"] or "").strip()
            if not ZCTA_RE.match(zcta):
                raise DataFileError(path, record, "zcta", f"{zcta!r} is not 5 digits")
            state = _state(path, record, "state_abbr", row["state_abbr"])
            try:
                district = int(row["cd"])
            except (TypeError, ValueError):
                raise DataFileError(
                    path, record, "cd", f"{row['cd']!r} is not a number"
                ) from None
            if not 0 <= district <= 60:
                raise DataFileError(path, record, "cd", f"{district} is out of range")
            rows.add((zcta, state, district))
    return rows


# --- Safe Harbor (hand-built CSV, one row per state and source) -----------------------

SOURCE_NAMES = {
    "SH2015": "Shared Hope International, State Law Survey",
    "DJ-undated": "Shared Hope, Demanding Justice stats table (undated)",
    "MN-MDH": "Minnesota Department of Health, Safe Harbor legislative timeline",
    "NY-SOS-447": "New York Social Services Law §§447-a, 447-b",
    "SHI-2025-CA": "Shared Hope International, 2025 Just Like Me report card",
    "SHI-2019-WA": "Shared Hope International (quoted in The Columbian)",
    "FL-HB99-2012": "Florida Senate bill summary, CS/CS/HB 99",
    "GA-SB8-2015": "Georgia SB 8 and Amendment 2",
    "TX-InReBW-2010": "In re B.W., 313 S.W.3d 818 (Tex. 2010)",
    "MO-HB397-2019": "Missouri HB 397 bill summary",
    "MO-SB775-2022": "Missouri SB 775",
}
# National tables: used for a state only when no source about that state itself exists.
GENERIC_SOURCES = {"SH2015", "DJ-undated"}
# Undated, and "not current" by its own rows' notes: listed with the other sources but
# never the one that colours a state.
UNDATED_SOURCES = {"DJ-undated"}
ANSWERS = {"yes", "no", "partial", "unknown"}


def _answer(value: str) -> str:
    value = (value or "").strip().lower()
    if value in ANSWERS:
        return value
    if value.startswith(
        "yes ("
    ):  # "yes (if diverted)", "yes (per bill)": with a condition
        return "partial"
    return "unknown"


def derive_status(*, immunity: str, diversion: str, services: str) -> str:
    """The progress-card colour of one source's answers (``SafeHarborStatus``).

    "full" (notable efforts): children cannot be charged with prostitution and services
    are provided. "partial" (some progress): any part of a Safe Harbor response is
    recorded: protection from charges in part, diversion, or services, also with a
    condition ("yes (if diverted)"). "none" (low progress): children can be charged and
    nothing else is recorded. "unknown" otherwise. A source that only describes a
    Safe Harbor act's services (New York's of 2008, Florida's of 2012) is therefore
    never "none"."""
    if immunity == "yes" and services == "yes":
        return "full"
    if immunity in ("yes", "partial") or {diversion, services} & {"yes", "partial"}:
        return "partial"
    if immunity == "no":
        return "none"
    return "unknown"


@dataclass
class _Row:
    data: dict
    rank: tuple


def _rank(source_id: str, as_of: str) -> tuple:
    """Higher is preferred: a source about the state itself, then Shared Hope's 2015
    survey, then the undated table; within each, the newest."""
    return (
        source_id not in GENERIC_SOURCES,
        source_id not in UNDATED_SOURCES,
        as_of_end(as_of) or dt.date.min,
    )


def parse_safe_harbor(path: Path = SAFE_HARBOR_CSV) -> dict[str, dict]:
    """One record per state from the per-source CSV.

    The sources disagree, so they are never merged: the record is the newest source
    about the state itself (New York's 2008 act, Florida's 2012 act, Minnesota's
    timeline, ...), else Shared Hope's 2015 survey, else the undated Demanding Justice
    table, whose answers never colour a state (its status is "unknown"). The other
    sources are listed in ``notes``. The 2015 survey asked one question, whether
    children can be charged with prostitution, so a state it answers "No" for and no
    other source covers is "none" as of 2015.
    """
    by_state: dict[str, list[_Row]] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        needed = {
            "state",
            "source_id",
            "as_of",
            "immunity",
            "diversion",
            "services",
            "law_name_or_citation",
            "year",
            "source_url",
            "notes",
        }
        missing = needed - set(reader.fieldnames or [])
        if missing:
            raise DataFileError(
                path, "header", ", ".join(sorted(missing)), "column missing"
            )
        for row in reader:
            record = f"line {reader.line_num}"
            state = _state(path, record, "state", row["state"])
            source_id = (row["source_id"] or "").strip()
            if not source_id:
                raise DataFileError(path, record, "source_id", "missing")
            url = (row["source_url"] or "").strip()
            if url and not url.startswith(("http://", "https://")):
                raise DataFileError(
                    path, record, "source_url", f"{url[:40]!r} is not a URL"
                )
            data = {
                "immunity": _answer(row["immunity"]),
                "diversion": _answer(row["diversion"]),
                "services": _answer(row["services"]),
                "citation": ""
                if row["law_name_or_citation"] == "unknown"
                else _text(row["law_name_or_citation"], 500),
                "year": "" if row["year"] == "unknown" else _text(row["year"], 100),
                "source_id": source_id[:50],
                "source_name": SOURCE_NAMES.get(source_id, source_id)[:200],
                "source_url": url[:500],
                "as_of": _text(row["as_of"], 30),
                "notes": _text(row["notes"], 2000),
            }
            by_state.setdefault(state, []).append(
                _Row(data, _rank(source_id, data["as_of"]))
            )
    records = {}
    for state, rows in by_state.items():
        rows.sort(key=lambda r: r.rank, reverse=True)
        best = dict(rows[0].data)
        others = [
            "{source_id} ({as_of}): immunity {immunity}, diversion {diversion}, "
            "services {services}".format(**r.data)
            for r in rows[1:]
        ]
        if others:
            best["notes"] = (
                best["notes"] + "\n\nOther sources: " + "; ".join(others)
            ).strip()
        best["status"] = (
            "unknown"
            if best["source_id"] in UNDATED_SOURCES
            else derive_status(
                immunity=best["immunity"],
                diversion=best["diversion"],
                services=best["services"],
            )
        )
        records[state] = best
    return records


# --- TVPA reauthorization bills -------------------------------------------------------

BILL_TYPES = {
    "hr": "H.R.",
    "s": "S.",
    "hres": "H.Res.",
    "sres": "S.Res.",
    "hjres": "H.J.Res.",
    "sjres": "S.J.Res.",
    "hconres": "H.Con.Res.",
    "sconres": "S.Con.Res.",
}

# Known actions, as read in the CSV's ``facts_read`` column (dates from its sources).
TVPA_KNOWN_ACTIONS = {
    ("115", "hr", "2200"): (
        "signed",
        [("2019-01-08", "President", "Became Public Law No: 115-425.", "BecameLaw")],
    ),
    ("117", "hr", "6552"): (
        "introduced",
        [
            (
                "2022-07-26",
                "House",
                "Motion to suspend the rules and pass the bill, as amended.",
                "Floor",
            )
        ],
    ),
    ("118", "hr", "5856"): (
        "passed_one",
        [
            (
                "2024-02-13",
                "House",
                "Passed/agreed to in House: On motion to suspend the rules "
                "and pass the bill, as amended (414-11).",
                "Floor",
            ),
            (
                "2024-02-26",
                "Senate",
                "Received in the Senate and Read twice and referred to "
                "the Committee on Foreign Relations.",
                "IntroReferral",
            ),
        ],
    ),
}


def federal_identifier(bill_type: str, number: str | int) -> str:
    """``("hr", 2200)`` → ``"H.R. 2200"``; raise ValueError for an unknown type."""
    kind = BILL_TYPES.get(str(bill_type).strip().lower())
    if kind is None or not str(number).strip().isdigit():
        raise ValueError(f"{bill_type!r} {number!r} is not a bill of Congress")
    return f"{kind} {int(number)}"


def normalize_identifier(jurisdiction: str, text: str) -> str:
    """A bill identifier as Harbor stores it.

    Congress: "H.R. 2200", "S. 1", "H.J.Res. 7". States: letters, a space, the number
    ("HB 12", "SF 2", "AB 1322"). Raise ValueError for a federal identifier of no known
    type; keep an unusual state identifier as typed (spaces collapsed)."""
    text = " ".join((text or "").split())
    match = re.fullmatch(r"([A-Za-z][A-Za-z. ]*?)\s*(\d+)([A-Za-z]?)", text)
    if jurisdiction == "US":
        if match and not match[3]:
            key = re.sub(r"[^a-z]", "", match[1].lower())
            if key in BILL_TYPES:
                return federal_identifier(key, match[2])
        raise ValueError(
            f"{text[:40]!r} is not a bill of Congress (like H.R. 2200 or S. 1)"
        )
    if match:
        letters = re.sub(r"[^A-Za-z]", "", match[1]).upper()
        return f"{letters} {int(match[2])}{match[3].upper()}"
    return text


def parse_tvpa_bills(path: Path = TVPA_BILLS_CSV) -> list[dict]:
    bills = []
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        for row in reader:
            record = f"line {reader.line_num}"
            try:
                identifier = federal_identifier(row["bill_type"], row["number"])
            except (KeyError, ValueError) as exc:
                raise DataFileError(
                    path, record, "bill_type/number", str(exc)
                ) from None
            congress = (row.get("congress") or "").strip()
            if not congress.isdigit():
                raise DataFileError(
                    path, record, "congress", f"{congress!r} is not a number"
                )
            key = (congress, row["bill_type"].strip().lower(), str(int(row["number"])))
            stage, actions = TVPA_KNOWN_ACTIONS.get(key, ("introduced", []))
            sources = [u.strip() for u in (row.get("source") or "").split(";")]
            bills.append(
                {
                    "jurisdiction": "US",
                    "session": congress,
                    "identifier": identifier,
                    "title": _text(row.get("title"), 1000),
                    "summary": _text(row.get("facts_read"), 2000),
                    "stage": stage,
                    "source_urls": [u for u in sources if u.startswith("http")],
                    "actions": [
                        {
                            "date": dt.date.fromisoformat(d),
                            "chamber": c,
                            "text": t,
                            "classification": k,
                            "order": i,
                        }
                        for i, (d, c, t, k) in enumerate(actions)
                    ],
                }
            )
    return bills
