"""Street address → districts through the US Census Geocoder
(geographies/onelineaddress).

Used only when a ZIP spans several districts and the supporter gives a street address.
``CENSUS_GEOCODER_URL`` is off by default (production sets the real service); tests point it at a
loopback fake. Set it to an empty string to turn geocoding off.
"""

import logging
from dataclasses import dataclass

from django.conf import settings

from .http import ApiClient, MalformedPayload

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GeocodedDistricts:
    state: str
    congressional: int | None
    # The Congress of that district map ("CD119" → 119), when the geocoder names it.
    congress: int | None = None
    state_upper: str = ""
    state_lower: str = ""
    # (latitude, longitude) of the matched address, when the geocoder gave it.
    location: tuple[float, float] | None = None


def is_enabled() -> bool:
    return bool(settings.CENSUS_GEOCODER_URL)


def _layer(geographies: dict, *needles: str) -> dict | None:
    for name, items in geographies.items():
        if all(n in name for n in needles) and isinstance(items, list) and items:
            return items[0] if isinstance(items[0], dict) else None
    return None


def _basename(item: dict | None) -> str:
    if not item:
        return ""
    name = str(item.get("BASENAME") or "").strip()
    return name.lstrip("0") or name


def _location(coordinates) -> tuple[float, float] | None:
    """(latitude, longitude) from the match's ``{"x": longitude, "y": latitude}``."""
    if not isinstance(coordinates, dict):
        return None
    try:
        lat, lon = float(coordinates["y"]), float(coordinates["x"])
    except (KeyError, TypeError, ValueError):
        return None
    return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else None


def geocode_address(
    address: str, *, client: ApiClient | None = None
) -> GeocodedDistricts | None:
    """Districts for a one-line US address, or None when the geocoder finds no match.

    Raises ApiError subclasses when the service fails. No database access; safe to
    repeat."""
    client = client or ApiClient(
        base_url=settings.CENSUS_GEOCODER_URL,
        timeout=settings.LEGISLATORS_HTTP_TIMEOUT,
        # A supporter is waiting on the page: one attempt, then fall back to the ZIP.
        max_attempts=1,
    )
    data = client.get_json(
        "geographies/onelineaddress",
        {
            "address": address,
            "benchmark": "Public_AR_Current",
            "vintage": "Current_Current",
            "layers": "all",
            "format": "json",
        },
    )
    matches = (data.get("result") or {}).get("addressMatches")
    if not isinstance(matches, list):
        raise MalformedPayload("geocoder: field 'result.addressMatches' is missing")
    if not matches:
        return None
    geographies = (
        matches[0].get("geographies") if isinstance(matches[0], dict) else None
    )
    if not isinstance(geographies, dict):
        raise MalformedPayload("geocoder: field 'geographies' is missing")
    state_item = _layer(geographies, "States")
    state = str((state_item or {}).get("STUSAB") or "").upper()
    if not state:
        raise MalformedPayload("geocoder: no state in the match")
    cd_item = _layer(geographies, "Congressional District")
    congressional = congress = None
    if cd_item:
        # "CD119": the 119th Congress's district code.
        key, code = next(
            (
                (k, v)
                for k, v in cd_item.items()
                if k.startswith("CD") and k[2:].isdigit()
            ),
            ("", ""),
        )
        congress = int(key[2:]) if key else None
        if str(code).isdigit():
            # Census codes at-large seats 00 (and 98 for delegates); Harbor uses 0.
            congressional = 0 if int(code) in (0, 98) else int(code)
    return GeocodedDistricts(
        state=state,
        congressional=congressional,
        congress=congress,
        location=_location(matches[0].get("coordinates")),
        state_upper=_basename(_layer(geographies, "Legislative Districts - Upper")),
        state_lower=_basename(_layer(geographies, "Legislative Districts - Lower")),
    )
