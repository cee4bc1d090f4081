"""Patch-through calls: Harbor asks Twilio to call the supporter, then Twilio's webhooks
walk the call through the supporter's targets (``advocacy.twiml`` says what is spoken).

The write paths (services) and reads (selectors) of ``PatchCall`` live here together;
views and TwiML only call them. The rules that keep it safe:

- A call is placed once per request (``request_patch_call``; Twilio's REST call sits
  between two commits, never inside a transaction), rate-limited per IP and per number.
- Webhooks find their call by its unguessable token; a ``CallSid`` that is not the
  call's is ignored.
- A leg's outcome is recorded by moving ``target_index`` on with one conditional
  UPDATE (``filter(target_index=leg)``): the webhook that wins records one outreach
  through ``advocacy.services.record_call`` (itself unique per session and legislator),
  a retried or replayed one finds nothing to move and records nothing.
- When the call ends the phone number and the scripts are blanked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import uuid
from dataclasses import dataclass

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from harbor.ratelimit import RateLimitedError, hashed, hit_all
from legislators.models import Legislator, Office

from . import twilio_api
from .models import AdvocacyCampaign, Outreach, PatchCall
from .services import Place, Source, record_call
from .targets import Target

logger = logging.getLogger(__name__)

# Twilio's CallStatus values that end a call.
_ENDED = {"completed", "busy", "no-answer", "failed", "canceled"}


@dataclass(frozen=True)
class Leg:
    """One target of a patch call, as frozen when the call was asked for."""

    index: int
    count: int
    legislator: Legislator
    main_office: Office | None
    district_office: Office | None
    script: str

    @property
    def is_last(self) -> bool:
        return self.index + 1 >= self.count


def dialable(phone: str) -> str:
    """An office's phone as E.164 for <Dial>, '' if it is not a valid number."""
    try:
        number = phonenumbers.parse(phone or "", "US")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _frozen_legs(targets: list[Target]) -> list[dict]:
    legs = []
    for target in targets:
        main = target.dc_office if target.dc_office and target.dc_office.phone else None
        district = target.nearest_district_office
        if district is not None and not district.phone:
            district = None
        legs.append(
            {
                "legislator": target.legislator.pk,
                "main_office": main.pk if main else None,
                "district_office": district.pk if district else None,
                "script": target.script,
            }
        )
    return legs


def check_patch_call_limits(*, ip_address: str, phone_number: str) -> None:
    """Count one "call me" request against the per-IP and per-number limits; raise
    ``RateLimitedError("ip" or "number")`` past either. Not idempotent: each call
    counts. The keys hold keyed hashes, never the address or the number."""
    limits = {}
    if ip_address:
        limits[f"patch-ip:{hashed(ip_address)}"] = (
            settings.PATCH_THROUGH_RATE_LIMIT_PER_IP
        )
    limits[f"patch-number:{hashed(phone_number)}"] = (
        settings.PATCH_THROUGH_RATE_LIMIT_PER_NUMBER
    )
    over = hit_all(limits=limits, window=settings.PATCH_THROUGH_RATE_LIMIT_WINDOW)
    if over:
        raise RateLimitedError("ip" if over[0].startswith("patch-ip:") else "number")


def webhook_url(name: str, patch_call: PatchCall, **kwargs) -> str:
    """The full public URL (``SITE_URL``) of one of the call's webhooks."""
    return settings.SITE_URL + reverse(
        f"advocacy:{name}", kwargs={"token": patch_call.token, **kwargs}
    )


class NothingToCallError(Exception):
    """None of the targets has a phone number Harbor can dial."""


def request_patch_call(
    *,
    action: AdvocacyCampaign,
    session: uuid.UUID,
    targets: list[Target],
    phone_number: str,
    place: Place,
    source: Source,
    language: str,
) -> PatchCall:
    """Create the call's row and ask Twilio to ring ``phone_number`` (E.164, already
    validated and rate-limited by the caller). The row is committed before Twilio is
    asked, so a webhook that arrives before the answer finds it. Raise
    ``twilio_api.CallNotPlacedError`` (the row is then FAILED, its number blanked) or
    ``NothingToCallError``. Not idempotent: each call rings the phone."""
    legs = [
        leg
        for leg in _frozen_legs(targets)
        if leg["main_office"] or leg["district_office"]
    ]
    if not legs:
        raise NothingToCallError
    place_fields = dataclasses.asdict(place)
    place_fields.pop("zip_code", None)  # only what the outreaches carry
    patch_call = PatchCall.objects.create(
        advocacy_campaign=action,
        session=session,
        phone_number=phone_number,
        language=language[:10],
        legs=legs,
        place=place_fields,
        source=dataclasses.asdict(source),
    )
    try:
        placed = twilio_api.place_call(
            to=phone_number,
            answer_url=webhook_url("patch-answer", patch_call),
            status_callback_url=webhook_url("patch-status", patch_call),
        )
    except twilio_api.CallNotPlacedError as error:
        logger.warning("patch call %s not placed: %s", patch_call.pk, error)
        _end(patch_call, status=PatchCall.Status.FAILED, twilio_status="")
        raise
    PatchCall.objects.filter(pk=patch_call.pk, call_sid__isnull=True).update(
        call_sid=placed.sid
    )
    PatchCall.objects.filter(
        pk=patch_call.pk, status=PatchCall.Status.REQUESTED
    ).update(status=PatchCall.Status.PLACED, twilio_status=placed.status[:20])
    patch_call.refresh_from_db()
    logger.info("patch call %s placed", patch_call.pk)
    return patch_call


def patch_call_for_webhook(*, token: str, call_sid: str) -> PatchCall | None:
    """The call a webhook is about: by token, and only if ``call_sid`` is its
    ``CallSid`` (or it has none yet: Twilio may ask for TwiML before the REST answer
    has been saved, and then the SID is adopted). None otherwise."""
    patch_call = (
        PatchCall.objects.select_related("advocacy_campaign__campaign")
        .filter(token=token)
        .first()
    )
    if patch_call is None or not call_sid:
        return None
    if patch_call.call_sid is None:
        PatchCall.objects.filter(pk=patch_call.pk, call_sid__isnull=True).update(
            call_sid=call_sid[:34]
        )
        patch_call.refresh_from_db()
    if patch_call.call_sid != call_sid:
        logger.warning("patch call %s: webhook for another CallSid", patch_call.pk)
        return None
    return patch_call


def mark_answered(patch_call: PatchCall) -> None:
    """The supporter picked up. Safe to repeat; never reopens an ended call."""
    PatchCall.objects.filter(
        pk=patch_call.pk,
        status__in=[PatchCall.Status.REQUESTED, PatchCall.Status.PLACED],
    ).update(status=PatchCall.Status.IN_PROGRESS, twilio_status="in-progress")
    patch_call.refresh_from_db(fields=["status", "twilio_status"])


def leg_of(patch_call: PatchCall, index: int) -> Leg | None:
    """Leg ``index`` of the call with its legislator and offices, or None when there
    is no such leg. Two queries."""
    legs = patch_call.legs or []
    if not 0 <= index < len(legs):
        return None
    frozen = legs[index]
    legislator = Legislator.objects.filter(pk=frozen.get("legislator")).first()
    if legislator is None:
        return None
    office_ids = [
        pk for pk in (frozen.get("main_office"), frozen.get("district_office")) if pk
    ]
    offices = {
        office.pk: office
        for office in Office.objects.filter(pk__in=office_ids, legislator=legislator)
    }
    return Leg(
        index=index,
        count=len(legs),
        legislator=legislator,
        main_office=offices.get(frozen.get("main_office")),
        district_office=offices.get(frozen.get("district_office")),
        script=frozen.get("script", ""),
    )


def record_leg(
    *, patch_call: PatchCall, leg: Leg, outcome: str, office: Office | None
) -> bool:
    """Record leg ``leg.index``'s outcome and move the call on to the next leg, once:
    True for the webhook that did it, False for a replay, a retry or a leg that is not
    the current one (nothing is written then). The conditional update and the outreach
    commit together."""
    if outcome not in Outreach.Outcome.values:
        raise ValueError(f"unknown outcome {outcome!r}")
    with transaction.atomic():
        moved = PatchCall.objects.filter(
            pk=patch_call.pk, target_index=leg.index
        ).update(target_index=leg.index + 1)
        if not moved:
            return False
        _outreach, created = record_call(
            action=patch_call.advocacy_campaign,
            session=patch_call.session,
            legislator=leg.legislator,
            office=office,
            outcome=outcome,
            place=Place(**_known(Place, patch_call.place)),
            source=Source(**_known(Source, patch_call.source)),
            method=Outreach.Method.PATCH_THROUGH,
            language=patch_call.language,
        )
    patch_call.target_index = leg.index + 1
    return created


def _known(cls, values: dict) -> dict:
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in (values or {}).items() if k in names}


def _end(patch_call: PatchCall, *, status: str, twilio_status: str) -> bool:
    """End the call once: blank the number and the scripts. False if already ended."""
    legs = [{**leg, "script": ""} for leg in patch_call.legs or []]
    ended = PatchCall.objects.filter(pk=patch_call.pk, ended_at__isnull=True).update(
        status=status,
        twilio_status=twilio_status[:20],
        phone_number="",
        legs=legs,
        ended_at=timezone.now(),
    )
    if ended:
        patch_call.refresh_from_db()
    return bool(ended)


def record_call_status(*, patch_call: PatchCall, call_status: str) -> None:
    """Twilio's status callback: note the status; when the call has ended, end it
    (FINISHED if the supporter had answered, else FAILED) and blank what it no longer
    needs. Safe to repeat and to receive out of order: an ended call stays ended."""
    call_status = (call_status or "")[:20]
    if call_status in _ENDED:
        answered = patch_call.status == PatchCall.Status.IN_PROGRESS or (
            call_status == "completed"
        )
        _end(
            patch_call,
            status=PatchCall.Status.FINISHED if answered else PatchCall.Status.FAILED,
            twilio_status=call_status,
        )
        return
    if call_status == "in-progress":
        mark_answered(patch_call)
        return
    PatchCall.objects.filter(
        pk=patch_call.pk,
        ended_at__isnull=True,
        status__in=[PatchCall.Status.REQUESTED, PatchCall.Status.PLACED],
    ).update(twilio_status=call_status)


def patch_call_for_page(*, token: str, action: AdvocacyCampaign) -> PatchCall | None:
    """The call a supporter's status page shows: by token, of this action."""
    return PatchCall.objects.filter(token=token, advocacy_campaign=action).first()


def running_patch_call(
    *, action: AdvocacyCampaign, session: uuid.UUID
) -> PatchCall | None:
    """A patch call of this pass that has not ended and began in the last hour: a
    second "call me" shows it instead of ringing the phone again."""
    return (
        PatchCall.objects.filter(
            advocacy_campaign=action,
            session=session,
            ended_at__isnull=True,
            created_at__gte=timezone.now() - dt.timedelta(hours=1),
        )
        .order_by("-created_at")
        .first()
    )


def expire_patch_calls(*, now: dt.datetime | None = None) -> int:
    """End every call that began more than ``PATCH_THROUGH_MAX_CALL_MINUTES`` ago and
    is not ended yet (Twilio's last status callback was lost, or Twilio never took the
    call): its number and scripts are blanked. Returns how many were ended. Safe to
    repeat: ``_end`` is a conditional update."""
    cutoff = (now or timezone.now()) - dt.timedelta(
        minutes=settings.PATCH_THROUGH_MAX_CALL_MINUTES
    )
    ended = 0
    stale = PatchCall.objects.filter(ended_at__isnull=True, created_at__lt=cutoff)
    for patch_call in stale.order_by("pk").iterator():
        answered = patch_call.status == PatchCall.Status.IN_PROGRESS
        ended += _end(
            patch_call,
            status=PatchCall.Status.FINISHED if answered else PatchCall.Status.FAILED,
            twilio_status=patch_call.twilio_status,
        )
    if ended:
        logger.info("patch calls expired: %s", ended)
    return ended
