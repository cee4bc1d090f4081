"""Twilio's webhooks for patch-through calls: TwiML views and the status callback.

Every one is a POST from Twilio, CSRF-exempt (Twilio holds no CSRF token) and refused
with 403, before anything is read or written, unless ``X-Twilio-Signature`` signs the
full public URL and the POST params (``twilio_api.has_valid_signature``). The call is
found by the unguessable token in the URL and must match the request's ``CallSid``.
A leg that is not the call's current one (a replay, a retry, a forged leg number)
records nothing and the call goes on with its current leg.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from harbor.net import client_ip
from harbor.ratelimit import RateLimitedError

from . import passes, patch_through, selectors, twilio_api, twiml
from .models import AdvocacyCampaign, Outreach, PatchCall
from .patch_forms import PatchCallForm
from .targets import targets_for
from .views import LanguageMixin


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


def _saturated(leg) -> frozenset[int]:
    """The leg's offices whose line is saturated (call intelligence)."""
    offices = [o.pk for o in (leg.main_office, leg.district_office) if o is not None]
    loads = selectors.office_loads(offices)
    return frozenset(pk for pk, load in loads.items() if load.is_saturated)


class PatchLegView(_LegView):
    def handle_leg(self, request, patch_call, leg) -> HttpResponse:
        if patch_call.is_over:
            return _twiml(twiml.hangup())
        return _twiml(
            twiml.leg_start(
                patch_call=patch_call,
                leg=leg,
                at=timezone.now(),
                saturated=_saturated(leg),
            )
        )


class PatchChoiceView(_LegView):
    """The closed-office menu: district office, voicemail or skip."""

    def handle_leg(self, request, patch_call, leg) -> HttpResponse:
        body, skipped = twiml.choice(
            patch_call=patch_call,
            leg=leg,
            digits=request.POST.get("Digits", "")[:2],
            at=timezone.now(),
            saturated=_saturated(leg),
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


# --- The supporter's side: "Harbor calls you" ----------------------------------------


def _call_action_or_404(slug: str):
    action = selectors.public_action(slug=slug, kind=AdvocacyCampaign.Kind.CALL)
    if action is None:
        raise Http404
    return action


class PatchCallRequestView(LanguageMixin, View):
    """POST of the call page's phone form: validate, limit, place the call for the
    targets of the caller's pass not called yet, then show the call's status page. Bad
    input re-renders the form with a message (never a 500)."""

    http_method_names = ["post"]

    def _render(self, request, action, form, *, status: int):
        token = form.data.get("call_pass", "")
        context = {
            **self.base_context(action),
            "patch_form": form,
            "patch_action": self.url(
                "advocacy:patch-request", slug=action.campaign.slug
            ),
            "back_url": self.url(
                "advocacy:call-target", slug=action.campaign.slug, token=token
            )
            if token and passes.read_token(token, slug=action.campaign.slug)
            else self.url("advocacy:call", slug=action.campaign.slug),
        }
        return render(
            request, "advocacy/patch_call_form_page.html", context, status=status
        )

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        action = _call_action_or_404(slug)
        if not twilio_api.is_configured():
            raise Http404
        form = PatchCallForm(request.POST)
        if form.is_bot():
            return redirect(self.url("advocacy:patch-request-done", slug=slug))
        if not form.is_valid():
            return self._render(request, action, form, status=400)
        data = form.cleaned_data
        call_pass = passes.read_token(data["call_pass"], slug=slug)
        if call_pass is None:
            form.add_error(
                None,
                _(
                    "This call link is not valid or has expired. Start again from "
                    "your ZIP code."
                ),
            )
            return self._render(request, action, form, status=400)
        running = patch_through.running_patch_call(
            action=action, session=call_pass.session
        )
        if running is not None:
            return redirect(self._status_url(action, running, data["call_pass"]))
        try:
            patch_through.check_patch_call_limits(
                ip_address=client_ip(request), phone_number=data["phone_number"]
            )
        except RateLimitedError:
            form.add_error(
                None,
                _(
                    "Too many calls asked for. Please try again later, or call the "
                    "offices yourself."
                ),
            )
            return self._render(request, action, form, status=429)
        rep = selectors.representation_at(call_pass.place)
        done = selectors.session_outcomes(session=call_pass.session)
        targets = [
            t for t in (targets_for(action, rep) if rep else []) if t.pk not in done
        ]
        if not targets:
            return redirect(
                self.url("advocacy:call-done", slug=slug, token=data["call_pass"])
            )
        try:
            patch_call = patch_through.request_patch_call(
                action=action,
                session=call_pass.session,
                targets=targets,
                phone_number=data["phone_number"],
                place=call_pass.attribution_place,
                source=call_pass.source,
                language=translation.get_language() or settings.LANGUAGE_CODE,
            )
        except patch_through.NothingToCallError:
            form.add_error(
                None, _("None of your legislators has a phone number Harbor can call.")
            )
            return self._render(request, action, form, status=400)
        except twilio_api.CallNotPlacedError as error:
            if error.bad_number:
                form.add_error(
                    "phone_number", _("Harbor could not call this number. Check it.")
                )
                return self._render(request, action, form, status=400)
            form.add_error(
                None,
                _(
                    "The call could not be placed just now. Please try again in a "
                    "minute, or call the offices yourself."
                ),
            )
            return self._render(request, action, form, status=503)
        return redirect(self._status_url(action, patch_call, data["call_pass"]))

    def _status_url(self, action, patch_call, pass_token: str) -> str:
        url = reverse(
            "advocacy:patch-call", args=[action.campaign.slug, patch_call.token]
        )
        query = {"pass": pass_token, **({"lang": self.lang} if self.lang else {})}
        return f"{url}?{urlencode(query)}"


class PatchCallStatusView(LanguageMixin, View):
    """The page the supporter sees while Harbor calls them (no JavaScript: a link
    reloads it). With the caller's pass (``?pass=``, checked against the call's
    session) it links back to their call page."""

    def get(self, request: HttpRequest, slug: str, token: str) -> HttpResponse:
        action = _call_action_or_404(slug)
        patch_call = patch_through.patch_call_for_page(token=token, action=action)
        if patch_call is None:
            raise Http404
        pass_token = request.GET.get("pass", "")[:2000]
        call_pass = passes.read_token(pass_token, slug=slug) if pass_token else None
        if call_pass is not None and call_pass.session == patch_call.session:
            back_url = self.url("advocacy:call-target", slug=slug, token=pass_token)
        else:
            back_url = self.url("advocacy:call", slug=slug)
        return render(
            request,
            "advocacy/patch_call_status.html",
            {
                **self.base_context(action),
                "patch_call": patch_call,
                "last_digits": patch_call.phone_number[-4:],
                "legs_done": min(patch_call.target_index, len(patch_call.legs or [])),
                "legs_count": len(patch_call.legs or []),
                "back_url": back_url,
            },
        )


class PatchCallRequestDoneView(LanguageMixin, View):
    """Where a honeypot-tripping bot is sent: looks like success, did nothing."""

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        action = _call_action_or_404(slug)
        return render(
            request,
            "advocacy/patch_call_status.html",
            {
                **self.base_context(action),
                "patch_call": None,
                "back_url": self.url("advocacy:call", slug=slug),
            },
        )
