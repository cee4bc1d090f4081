"""What a patch-through call says and does, as TwiML built with the twilio library's
``VoiceResponse``. Pure: every function takes the call, the leg and the moment (``at``)
and returns the TwiML document; the views record what happened first.

The call, leg by leg:
1. greeting: what the call is about and how many offices it will connect;
2. each leg: the legislator and the script, then
   - the office (Washington or capitol; else the nearest district office) is open:
     <Dial> it; pressing * hangs up on the office and goes on;
   - it is closed, or its line is saturated (call intelligence: most recent calls to
     it went unanswered): a keypad menu: 1 the district office (when it is open and
     not saturated), 2 a voicemail at the closed office (or trying the busy line
     anyway), 3 skip;
3. after the <Dial>: a keypad menu for the outcome (1 talked to staff, 2 left a
   voicemail, 3 voicemail full, 4 busy or no answer); no key: the outcome is taken from
   Twilio's DialCallStatus;
4. the next leg, or goodbye.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.utils import translation
from django.utils.translation import gettext as _
from twilio.twiml.voice_response import Gather, VoiceResponse

from legislators.models import Office

from .models import Outreach, PatchCall
from .office_hours import office_is_open
from .patch_through import Leg, dialable, webhook_url

VOICE_LANGUAGES = {"en": "en-US", "es": "es-US"}

# Keypad answers after a connected leg.
OUTCOME_KEYS = {
    "1": Outreach.Outcome.TALKED,
    "2": Outreach.Outcome.VOICEMAIL,
    "3": Outreach.Outcome.VOICEMAIL_FULL,
    "4": Outreach.Outcome.BUSY,
}
CHOICE_DISTRICT, CHOICE_VOICEMAIL, CHOICE_SKIP = "1", "2", "3"
VIA_MAIN, VIA_DISTRICT = "main", "district"


class _Speaker:
    """Says text in the call's language, in the voice of that language."""

    def __init__(self, patch_call: PatchCall) -> None:
        self.language = VOICE_LANGUAGES.get(patch_call.language, "en-US")

    def say(self, node, text: str) -> None:
        node.say(text, language=self.language)


def _url(name: str, patch_call: PatchCall, *, leg: int | None = None, **query) -> str:
    kwargs = {"leg": leg} if leg is not None else {}
    url = webhook_url(name, patch_call, **kwargs)
    return f"{url}?{urlencode(query)}" if query else url


def hangup() -> str:
    response = VoiceResponse()
    response.hangup()
    return str(response)


def greeting(*, patch_call: PatchCall) -> str:
    """The first words when the supporter answers, then on to the first leg."""
    with translation.override(patch_call.language):
        speaker = _Speaker(patch_call)
        response = VoiceResponse()
        count = len(patch_call.legs or [])
        speaker.say(
            response,
            _(
                "Thank you for taking action on %(campaign)s. I will connect you to "
                "%(count)s offices, one at a time, and read you what to say before "
                "each call."
            )
            % {
                "campaign": patch_call.advocacy_campaign.campaign.title,
                "count": count,
            },
        )
        response.redirect(_url("patch-leg", patch_call, leg=0), method="POST")
        return str(response)


def _primary(leg: Leg) -> tuple[Office | None, str]:
    if leg.main_office is not None and dialable(leg.main_office.phone):
        return leg.main_office, VIA_MAIN
    if leg.district_office is not None and dialable(leg.district_office.phone):
        return leg.district_office, VIA_DISTRICT
    return None, ""


def _dial(response, speaker, patch_call: PatchCall, leg: Leg, office, via) -> None:
    speaker.say(
        response,
        _(
            "Connecting you to the %(office)s now. Press star to hang up on the "
            "office and go on."
        )
        % {"office": office.label},
    )
    dial = response.dial(
        action=_url("patch-dialed", patch_call, leg=leg.index, via=via),
        method="POST",
        timeout=30,
        hangup_on_star=True,
        answer_on_bridge=True,
    )
    dial.number(dialable(office.phone))


def leg_start(
    *,
    patch_call: PatchCall,
    leg: Leg,
    at: dt.datetime,
    saturated: frozenset[int] = frozenset(),
) -> str:
    """Introduce the leg's legislator, read the script, then dial the office or, when
    it is closed (or its line is saturated: ``saturated`` holds the ids of offices
    whose recent calls mostly went unanswered, ``selectors.office_loads``), offer the
    district office, a voicemail (or trying anyway) or skipping."""
    with translation.override(patch_call.language):
        speaker = _Speaker(patch_call)
        response = VoiceResponse()
        speaker.say(
            response,
            _("Call %(number)s of %(count)s: %(name)s.")
            % {
                "number": leg.index + 1,
                "count": leg.count,
                "name": leg.legislator.title_and_name,
            },
        )
        if leg.script:
            speaker.say(response, _("Here is what to say."))
            speaker.say(response, leg.script)
        office, via = _primary(leg)
        if office is None:
            # Nothing to dial (the offices were replaced since the call began).
            response.redirect(
                _url("patch-choice", patch_call, leg=leg.index), method="POST"
            )
            return str(response)
        is_open = office_is_open(office, at=at)
        if is_open and office.pk not in saturated:
            _dial(response, speaker, patch_call, leg, office, via)
            return str(response)
        gather = Gather(
            num_digits=1,
            action=_url("patch-choice", patch_call, leg=leg.index),
            method="POST",
            timeout=8,
        )
        if is_open:
            speaker.say(
                gather,
                _("The %(office)s line is very busy right now.")
                % {"office": office.label},
            )
        else:
            speaker.say(
                gather,
                _("The %(office)s is closed now.") % {"office": office.label},
            )
        district = leg.district_office
        if (
            via == VIA_MAIN
            and district is not None
            and district.pk not in saturated
            and dialable(district.phone)
            and office_is_open(district, at=at)
        ):
            speaker.say(
                gather,
                _("Press 1 to call the %(office)s, which is open.")
                % {"office": district.label},
            )
        if is_open:
            speaker.say(gather, _("Press 2 to try it anyway. Press 3 to skip."))
        else:
            speaker.say(gather, _("Press 2 to leave a voicemail. Press 3 to skip."))
        response.append(gather)
        # No key: the leg is skipped.
        response.redirect(
            _url("patch-choice", patch_call, leg=leg.index), method="POST"
        )
        return str(response)


def choice(
    *,
    patch_call: PatchCall,
    leg: Leg,
    digits: str,
    at: dt.datetime,
    saturated: frozenset[int] = frozenset(),
) -> tuple[str, bool]:
    """Answer the closed-office menu: the TwiML, and whether the leg was skipped (the
    view then records it as skipped and this TwiML moves on)."""
    with translation.override(patch_call.language):
        speaker = _Speaker(patch_call)
        response = VoiceResponse()
        office, via = _primary(leg)
        district = leg.district_office
        if (
            digits == CHOICE_DISTRICT
            and via == VIA_MAIN
            and district is not None
            and district.pk not in saturated
            and dialable(district.phone)
            and office_is_open(district, at=at)
        ):
            _dial(response, speaker, patch_call, leg, district, VIA_DISTRICT)
            return str(response), False
        if digits == CHOICE_VOICEMAIL and office is not None:
            _dial(response, speaker, patch_call, leg, office, via)
            return str(response), False
        speaker.say(response, _("Skipping this call."))
        _next(response, patch_call, leg)
        return str(response), True


def ask_outcome(*, patch_call: PatchCall, leg: Leg, via: str, dial_status: str) -> str:
    """After the <Dial>: ask how it went (a connected call), or move on at once."""
    with translation.override(patch_call.language):
        speaker = _Speaker(patch_call)
        response = VoiceResponse()
        outcome_url = _url(
            "patch-outcome", patch_call, leg=leg.index, via=via, dial=dial_status
        )
        if dial_status != "completed":
            response.redirect(outcome_url, method="POST")
            return str(response)
        gather = Gather(num_digits=1, action=outcome_url, method="POST", timeout=8)
        speaker.say(
            gather,
            _(
                "How did it go? Press 1 if you talked to staff, 2 if you left a "
                "voicemail, 3 if the voicemail was full, 4 if no one answered."
            ),
        )
        response.append(gather)
        response.redirect(outcome_url, method="POST")
        return str(response)


def outcome_from(*, digits: str, dial_status: str) -> str:
    """The leg's outcome: the key pressed, else what Twilio's DialCallStatus says."""
    if digits in OUTCOME_KEYS:
        return OUTCOME_KEYS[digits]
    if dial_status == "completed":
        return Outreach.Outcome.TALKED
    return Outreach.Outcome.BUSY


def after_outcome(*, patch_call: PatchCall, leg: Leg, outcome: str) -> str:
    """Thank the supporter for the leg and go on to the next, or say goodbye."""
    with translation.override(patch_call.language):
        speaker = _Speaker(patch_call)
        response = VoiceResponse()
        if outcome == Outreach.Outcome.BUSY:
            speaker.say(response, _("The office did not answer."))
        else:
            speaker.say(response, _("Thank you."))
        _next(response, patch_call, leg)
        return str(response)


def _next(response, patch_call: PatchCall, leg: Leg) -> None:
    if leg.is_last:
        _Speaker(patch_call).say(
            response,
            _("That was your last call. Thank you for speaking up. Goodbye."),
        )
        response.hangup()
    else:
        response.redirect(
            _url("patch-leg", patch_call, leg=leg.index + 1), method="POST"
        )


def resume(*, patch_call: PatchCall) -> str:
    """For a webhook about a leg that is not the current one (a replay or a forged
    leg): go on with the current leg, or hang up when every leg is done."""
    if patch_call.is_over or patch_call.target_index >= len(patch_call.legs or []):
        return hangup()
    response = VoiceResponse()
    response.redirect(
        _url("patch-leg", patch_call, leg=patch_call.target_index), method="POST"
    )
    return str(response)
