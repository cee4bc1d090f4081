"""Twilio's webhooks for patch-through calls: TwiML views and the status callback.

Every one is a POST from Twilio, CSRF-exempt (Twilio holds no CSRF token) and refused
with 403, before anything is read or written, unless ``X-Twilio-Signature`` signs the
full public URL and the POST params (``twilio_api.has_valid_signature``). The call is
found by the unguessable token in the URL and must match the request's ``CallSid``.
A leg that is not the call's current one (a replay, a retry, a forged leg number)
records nothing and the call goes on with its current leg.
"""

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from . import patch_through, twilio_api, twiml
from .models import Outreach, PatchCall


def _twiml(body: str, *, status: int = 200) -> HttpResponse:
    return HttpResponse(body, content_type="text/xml; charset=utf-8", status=status)


@method_decorator(csrf_exempt, name="dispatch")
class TwilioWebhookView(View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, token: str, **kwargs) -> HttpResponse:
        if not twilio_api.has_valid_signature(request):
            return HttpResponse(status=403)
        patch_call = patch_through.patch_call_for_webhook(
            token=token, call_sid=request.POST.get("CallSid", "")
        )
        if patch_call is None:
            return self.unknown_call()
        return self.handle(request, patch_call, **kwargs)

    def unknown_call(self) -> HttpResponse:
        return _twiml(twiml.hangup(), status=404)

    def handle(self, request, patch_call: PatchCall, **kwargs) -> HttpResponse:
        raise NotImplementedError


class _LegView(TwilioWebhookView):
    """A webhook about one leg: only the current leg of a running call is acted on."""

    def handle(self, request, patch_call: PatchCall, *, leg: int) -> HttpResponse:
        current = (
            patch_through.leg_of(patch_call, leg)
            if leg == patch_call.target_index
            else None
        )
        if current is None:
            return _twiml(twiml.resume(patch_call=patch_call))
        return self.handle_leg(request, patch_call, current)

    def handle_leg(self, request, patch_call, leg) -> HttpResponse:
        raise NotImplementedError


class PatchAnswerView(TwilioWebhookView):
    """The supporter answered: greet them and start the first leg."""

    def handle(self, request, patch_call: PatchCall) -> HttpResponse:
        if patch_call.is_over:
            return _twiml(twiml.hangup())
        patch_through.mark_answered(patch_call)
        return _twiml(twiml.greeting(patch_call=patch_call))


class PatchLegView(_LegView):
    def handle_leg(self, request, patch_call, leg) -> HttpResponse:
        if patch_call.is_over:
            return _twiml(twiml.hangup())
        return _twiml(
            twiml.leg_start(patch_call=patch_call, leg=leg, at=timezone.now())
        )


class PatchChoiceView(_LegView):
    """The closed-office menu: district office, voicemail or skip."""

    def handle_leg(self, request, patch_call, leg) -> HttpResponse:
        body, skipped = twiml.choice(
            patch_call=patch_call,
            leg=leg,
            digits=request.POST.get("Digits", "")[:2],
            at=timezone.now(),
        )
        if skipped and not patch_through.record_leg(
            patch_call=patch_call,
            leg=leg,
            outcome=Outreach.Outcome.SKIPPED,
            office=None,
        ):
            return _twiml(twiml.resume(patch_call=patch_call))
        return _twiml(body)


def _office(leg, via: str):
    return leg.district_office if via == twiml.VIA_DISTRICT else leg.main_office


class PatchDialedView(_LegView):
    """The <Dial> ended (DialCallStatus): ask for the outcome, or record it from the
    dial status when there is no one left to ask."""

    def handle_leg(self, request, patch_call, leg) -> HttpResponse:
        via = request.GET.get("via", "")
        dial_status = request.POST.get("DialCallStatus", "")[:20]
        if patch_call.is_over or dial_status != "completed":
            outcome = twiml.outcome_from(digits="", dial_status=dial_status)
            recorded = patch_through.record_leg(
                patch_call=patch_call,
                leg=leg,
                outcome=outcome,
                office=_office(leg, via),
            )
            if patch_call.is_over:
                return _twiml(twiml.hangup())
            if not recorded:
                return _twiml(twiml.resume(patch_call=patch_call))
            return _twiml(
                twiml.after_outcome(patch_call=patch_call, leg=leg, outcome=outcome)
            )
        return _twiml(
            twiml.ask_outcome(
                patch_call=patch_call, leg=leg, via=via, dial_status=dial_status
            )
        )


class PatchOutcomeView(_LegView):
    """The keypad answer after a connected leg (or none: the dial status decides)."""

    def handle_leg(self, request, patch_call, leg) -> HttpResponse:
        outcome = twiml.outcome_from(
            digits=request.POST.get("Digits", "")[:2],
            dial_status=request.GET.get("dial", "")[:20],
        )
        if not patch_through.record_leg(
            patch_call=patch_call,
            leg=leg,
            outcome=outcome,
            office=_office(leg, request.GET.get("via", "")),
        ):
            return _twiml(twiml.resume(patch_call=patch_call))
        return _twiml(
            twiml.after_outcome(patch_call=patch_call, leg=leg, outcome=outcome)
        )


class PatchStatusView(TwilioWebhookView):
    """Twilio's status callback for the supporter's call."""

    def unknown_call(self) -> HttpResponse:
        return HttpResponse(status=404)

    def handle(self, request, patch_call: PatchCall) -> HttpResponse:
        patch_through.record_call_status(
            patch_call=patch_call, call_status=request.POST.get("CallStatus", "")
        )
        return HttpResponse(status=204)
