"""A caller's pass through their targets, carried in a signed link: no account, no
cookie. The link holds the pass's id (``Outreach.session``), the campaign it was made for,
the place the start page settled and where the caller came from; what was done is read
from the outreaches. A pass opens only its own campaign's pages."""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from .selectors import CallerPlace
from .services import Place, Source

SALT = "harbor.advocacy.call-pass"


@dataclass(frozen=True)
class CallPass:
    session: uuid.UUID
    place: CallerPlace
    source: Source
    # A notice for the first target page: "address_unused", "address_unmatched",
    # "geocoder_failed", or "".
    notice: str = ""

    @property
    def attribution_place(self) -> Place:
        return Place(
            zip_code=self.place.zip_code,
            state=self.place.state,
            congressional_district=self.place.district,
            state_upper_district=self.place.state_upper,
            state_lower_district=self.place.state_lower,
        )


def make_token(call_pass: CallPass, *, slug: str) -> str:
    """The signed link of ``call_pass`` for the campaign ``slug``."""
    place, source = call_pass.place, call_pass.source
    payload = {
        "c": slug,
        "s": call_pass.session.hex,
        "z": place.zip_code,
        "d": place.district,
        "st": place.state,
        "u": place.state_upper,
        "l": place.state_lower,
        "o": list(place.origin) if place.origin else None,
        "g": place.geocoded,
        "n": call_pass.notice,
        "r": source.referred_by_code,
        "us": source.utm_source,
        "um": source.utm_medium,
        "uc": source.utm_campaign,
    }
    return signing.dumps(payload, salt=SALT, compress=True)


def read_token(token: str, *, slug: str) -> CallPass | None:
    """The pass of a link made by ``make_token`` for the campaign ``slug``; None if
    forged, damaged, older than ADVOCACY_CALL_LINK_MAX_AGE_DAYS, or made for another
    campaign (its session's outreaches are another campaign's)."""
    if len(token) > 2000:
        return None
    try:
        data = signing.loads(
            token,
            salt=SALT,
            max_age=settings.ADVOCACY_CALL_LINK_MAX_AGE_DAYS * 86400,
        )
        if data.get("c") != slug:
            return None
        origin = data.get("o")
        return CallPass(
            session=uuid.UUID(hex=data["s"]),
            place=CallerPlace(
                zip_code=str(data["z"]),
                district=str(data.get("d") or ""),
                state=str(data.get("st") or ""),
                state_upper=str(data.get("u") or ""),
                state_lower=str(data.get("l") or ""),
                origin=(float(origin[0]), float(origin[1])) if origin else None,
                geocoded=bool(data.get("g")),
            ),
            source=Source(
                referred_by_code=str(data.get("r") or ""),
                utm_source=str(data.get("us") or ""),
                utm_medium=str(data.get("um") or ""),
                utm_campaign=str(data.get("uc") or ""),
            ),
            notice=str(data.get("n") or ""),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, IndexError):
        return None
