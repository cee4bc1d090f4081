"""When a legislator's office answers the phone: weekday hours in the office's local
time. The Washington office keeps Eastern time; a capitol or district office keeps its
state's time (a state's main time zone: the few states split between two zones, such as
Texas's El Paso corner or Florida's panhandle, are counted in the zone most of their
people live in). The hours and days are settings (``PATCH_THROUGH_OFFICE_*``).

Every function takes the moment to judge (``at``), so callers and tests pass it in.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from legislators.models import Office

EASTERN = "America/New_York"
STATE_TIME_ZONES: dict[str, str] = {
    "AL": "America/Chicago", "AK": "America/Anchorage", "AZ": "America/Phoenix",
    "AR": "America/Chicago", "CA": "America/Los_Angeles", "CO": "America/Denver",
    "CT": EASTERN, "DE": EASTERN, "DC": EASTERN, "FL": EASTERN, "GA": EASTERN,
    "HI": "Pacific/Honolulu", "ID": "America/Boise", "IL": "America/Chicago",
    "IN": "America/Indiana/Indianapolis", "IA": "America/Chicago",
    "KS": "America/Chicago", "KY": EASTERN, "LA": "America/Chicago", "ME": EASTERN,
    "MD": EASTERN, "MA": EASTERN, "MI": "America/Detroit", "MN": "America/Chicago",
    "MS": "America/Chicago", "MO": "America/Chicago", "MT": "America/Denver",
    "NE": "America/Chicago", "NV": "America/Los_Angeles", "NH": EASTERN,
    "NJ": EASTERN, "NM": "America/Denver", "NY": EASTERN, "NC": EASTERN,
    "ND": "America/Chicago", "OH": EASTERN, "OK": "America/Chicago",
    "OR": "America/Los_Angeles", "PA": EASTERN, "RI": EASTERN, "SC": EASTERN,
    "SD": "America/Chicago", "TN": "America/Chicago", "TX": "America/Chicago",
    "UT": "America/Denver", "VT": EASTERN, "VA": EASTERN,
    "WA": "America/Los_Angeles", "WV": EASTERN, "WI": "America/Chicago",
    "WY": "America/Denver", "PR": "America/Puerto_Rico", "GU": "Pacific/Guam",
    "VI": "America/St_Thomas", "AS": "Pacific/Pago_Pago", "MP": "Pacific/Saipan",
}  # fmt: skip


def office_time_zone(*, kind: str, state: str) -> ZoneInfo:
    """The time zone an office of ``kind`` keeps for a legislator of ``state``."""
    if kind == Office.Kind.DC:
        return ZoneInfo(EASTERN)
    return ZoneInfo(STATE_TIME_ZONES.get(state, EASTERN))


def _clock(value: str) -> dt.time:
    """ "09:00" → 09:00; "24:00" (closing at midnight) → the last instant of the day."""
    hours, _, minutes = value.partition(":")
    if int(hours) >= 24:
        return dt.time.max
    return dt.time(int(hours), int(minutes or 0))


def is_open(*, kind: str, state: str, at: dt.datetime) -> bool:
    """Whether an office of ``kind`` (a legislator of ``state``) answers at ``at`` (an
    aware datetime): a configured weekday, between the opening and closing time, in the
    office's own time zone. Pure: safe to repeat."""
    local = at.astimezone(office_time_zone(kind=kind, state=state))
    if local.weekday() not in settings.PATCH_THROUGH_OFFICE_DAYS:
        return False
    opens = _clock(settings.PATCH_THROUGH_OFFICE_OPENS)
    closes = _clock(settings.PATCH_THROUGH_OFFICE_CLOSES)
    return opens <= local.time().replace(tzinfo=None) < closes


def office_is_open(office: Office, *, at: dt.datetime) -> bool:
    """``is_open`` for an office row (its legislator's state)."""
    return is_open(kind=office.kind, state=office.legislator.state, at=at)
