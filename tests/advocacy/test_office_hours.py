"""Office hours at fixed moments: nothing here reads the clock."""

import datetime as dt

import pytest

from advocacy.office_hours import is_open, office_time_zone

UTC = dt.UTC


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "state", "moment", "expected"),
    [
        # Tuesday 2026-12-01, 14:00 UTC = 09:00 in Washington (EST): just open.
        ("dc", "CA", "2026-12-01T14:00", True),
        ("dc", "CA", "2026-12-01T13:59", False),
        # 21:59 UTC = 16:59 EST: still open; 22:00 = 17:00: closed.
        ("dc", "TX", "2026-12-01T21:59", True),
        ("dc", "TX", "2026-12-01T22:00", False),
        # The same moment, 09:00 EST, is 06:00 in Sacramento: a California office is
        # closed while the Washington office of the same member is open.
        ("district", "CA", "2026-12-01T14:00", False),
        ("capitol", "CA", "2026-12-01T17:00", True),  # 09:00 PST
        ("district", "TX", "2026-12-01T15:00", True),  # 09:00 CST
        ("district", "HI", "2026-12-01T18:59", False),  # 08:59 HST
        ("district", "HI", "2026-12-01T19:00", True),
        ("district", "AZ", "2026-07-01T16:00", True),  # 09:00 MST, no summer time
        # Saturday and Sunday: closed all day.
        ("dc", "NY", "2026-12-05T16:00", False),
        ("district", "NY", "2026-12-06T16:00", False),
        # Summer time: 13:00 UTC in July is 09:00 EDT.
        ("dc", "NY", "2026-07-01T13:00", True),
        ("dc", "NY", "2026-07-01T12:59", False),
    ],
)
def test_office_hours_follow_the_offices_local_time(kind, state, moment, expected):
    assert is_open(kind=kind, state=state, at=at(moment)) is expected


def test_the_washington_office_keeps_eastern_time_whatever_the_state():
    assert str(office_time_zone(kind="dc", state="AK")) == "America/New_York"
    assert str(office_time_zone(kind="district", state="AK")) == "America/Anchorage"


def test_an_unknown_state_falls_back_to_eastern_time():
    assert str(office_time_zone(kind="district", state="")) == "America/New_York"


def test_hours_and_days_are_configurable(settings):
    settings.PATCH_THROUGH_OFFICE_OPENS = "08:30"
    settings.PATCH_THROUGH_OFFICE_CLOSES = "18:00"
    settings.PATCH_THROUGH_OFFICE_DAYS = [0, 1, 2, 3, 4, 5]
    assert is_open(kind="dc", state="VA", at=at("2026-12-01T13:30"))  # 08:30 EST
    assert is_open(kind="dc", state="VA", at=at("2026-12-01T22:59"))  # 17:59 EST
    assert not is_open(kind="dc", state="VA", at=at("2026-12-01T23:00"))
    assert is_open(kind="dc", state="VA", at=at("2026-12-05T16:00"))  # Saturday
    assert not is_open(kind="dc", state="VA", at=at("2026-12-06T16:00"))
