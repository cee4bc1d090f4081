"""The public call flow (ZIP → districts → targets one at a time → finish) and the staff
tallies with their CSV export. Thin: form, service or selector, render or redirect.

No JavaScript and no account: the caller's pass lives in a signed link
(``advocacy.passes``); every step is a GET page or a POST form with CSRF, answered by a
redirect (a replayed POST records nothing twice: one outreach per pass and legislator).
"""

import logging
import uuid
from urllib.parse import quote, urlencode

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View

from accounts.services import record_audit
from campaigns.models import Campaign
from harbor import ratelimit
from harbor.net import client_ip
from harbor.staff import StaffRequiredMixin, streaming_csv_response
from legislators import geocoder
from legislators.models import Chamber

from . import passes, selectors, services
from .forms import CallStartForm, FinishForm, OutcomeForm
from .models import AdvocacyCampaign, Outreach
from .targets import Target, targets_for, wanted_chambers

logger = logging.getLogger(__name__)

AUDIT_EXPORT = "advocacy.export"
TRACKING = {
    "ref": ("ref", "source"),
    "utm_source": ("utm_source",),
    "utm_medium": ("utm_medium",),
    "utm_campaign": ("utm_campaign",),
}


class LanguageMixin:
    """A public page in the language ``?lang=`` names (one of LANGUAGES), else the one
    LocaleMiddleware chose; links and forms keep ``?lang=``."""

    lang = ""

    def dispatch(self, request, *args, **kwargs):
        wanted = request.GET.get("lang", "")
        if wanted not in dict(settings.LANGUAGES):
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        self.lang = wanted
        with translation.override(wanted):
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def url(self, name: str, **kwargs) -> str:
        url = reverse(name, kwargs=kwargs)
        return f"{url}?lang={self.lang}" if self.lang else url

    def base_context(self, action: AdvocacyCampaign) -> dict:
        return {
            "action": action,
            "campaign": action.campaign,
            "lang": self.lang,
            "lang_query": f"?lang={self.lang}" if self.lang else "",
        }


def _call_action_or_404(slug: str, *, cached: bool = False) -> AdvocacyCampaign:
    action = selectors.public_action(
        slug=slug, kind=AdvocacyCampaign.Kind.CALL, cached=cached
    )
    if action is None:
        raise Http404
    return action


def _place_from(rep, *, zip_code: str) -> selectors.CallerPlace:
    district = rep.known_district
    states = {d.state for d in rep.districts}
    state = ""
    for seat in rep.seats:
        if seat.chamber in ("state_upper", "state_lower"):
            state = seat.state
    if not state and len(states) == 1:
        state = next(iter(states))
    upper = next((s.district for s in rep.seats if s.chamber == "state_upper"), "")
    lower = next((s.district for s in rep.seats if s.chamber == "state_lower"), "")
    return selectors.CallerPlace(
        zip_code=zip_code,
        district=district.code if district else "",
        state=state,
        state_upper=upper,
        state_lower=lower,
        geocoded=rep.geocoded,
    )


class CallStartView(LanguageMixin, View):
    """Step 1: the ZIP code (and street address when this site geocodes); a ZIP split
    between districts asks for the address or the supporter's choice."""

    template_name = "advocacy/call_start.html"
    # The write flow's first step is this one for letters (advocacy.letter_views).
    kind = AdvocacyCampaign.Kind.CALL
    start_url_name = "advocacy:call"
    next_url_name = "advocacy:call-target"

    def action_or_404(self, slug: str) -> AdvocacyCampaign:
        action = selectors.public_action(slug=slug, kind=self.kind)
        if action is None:
            raise Http404
        return action

    def _render(self, request, action, form, *, rep=None, status=200, notice=""):
        context = {
            **self.base_context(action),
            "form": form,
            "rep": rep,
            "notice": notice,
            "geocoding": geocoder.is_enabled(),
            # State legislators are found from a street address, never from a ZIP.
            "wants_state_seats": bool(
                {Chamber.STATE_UPPER, Chamber.STATE_LOWER}
                & set(wanted_chambers(action))
            ),
            "form_action": self.url(self.start_url_name, slug=action.campaign.slug),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, slug: str):
        action = self.action_or_404(slug)
        initial = {
            field: next((request.GET[n] for n in names if request.GET.get(n)), "")[:100]
            for field, names in TRACKING.items()
        }
        form = CallStartForm(initial=initial, geocoding=geocoder.is_enabled())
        return self._render(request, action, form)

    def post(self, request, slug: str):
        action = self.action_or_404(slug)
        geocoding = geocoder.is_enabled()
        form = CallStartForm(request.POST, geocoding=geocoding)
        if form.is_bot():
            logger.info("honeypot filled call action=%s", action.pk)
            return HttpResponseRedirect(self.url(self.start_url_name, slug=slug))
        if not form.is_valid():
            return self._render(request, action, form, status=400)
        try:
            ratelimit.check_public_form_limits(ip_address=client_ip(request))
        except ratelimit.RateLimitedError:
            form.add_error(
                None,
                _(
                    "Too many requests from your connection. Please try again in a few minutes."
                ),
            )
            return self._render(request, action, form, status=429)
        data = form.cleaned_data
        # An address typed while this site does not geocode is reported, not dropped.
        address = (data.get("address") or request.POST.get("address", "")).strip()[:200]
        rep = selectors.representation_for(
            zip_code=data["zip_code"], address=address, district=data["district"]
        )
        if rep is None:
            form.add_error(
                "zip_code",
                _(
                    "We could not find ZIP code %(zip)s. Check it, or try a nearby ZIP code."
                )
                % {"zip": data["zip_code"]},
            )
            return self._render(request, action, form, status=400)
        notice = (
            "address_unused"
            if rep.address_unused
            else "address_unmatched"
            if rep.address_unmatched
            else "geocoder_failed"
            if rep.geocoder_failed
            else ""
        )
        if rep.is_ambiguous:
            return self._render(request, action, form, rep=rep, notice=notice)
        call_pass = passes.CallPass(
            session=uuid.uuid4(),
            place=_place_from(rep, zip_code=data["zip_code"]),
            source=services.Source(
                referred_by_code=data["ref"],
                utm_source=data["utm_source"],
                utm_medium=data["utm_medium"],
                utm_campaign=data["utm_campaign"],
            ),
            notice=notice,
        )
        targets = targets_for(action, rep)
        if not targets:
            return self._render(
                request, action, form, rep=rep, status=200, notice="none"
            )
        return HttpResponseRedirect(
            self.url(
                self.next_url_name,
                slug=slug,
                token=passes.make_token(call_pass, slug=slug),
            ),
            status=303,
        )


class _PassMixin(LanguageMixin):
    def load(self, request, slug: str, token: str):
        """(action, pass, targets, done) or raise Http404 / return an error page."""
        action = _call_action_or_404(slug, cached=True)
        call_pass = passes.read_token(token, slug=slug)
        if call_pass is None:
            return action, None, [], {}
        targets = selectors.call_targets(action, call_pass.place)
        done = selectors.session_outcomes(session=call_pass.session)
        return action, call_pass, targets, done

    def invalid(self, request, action, status=400):
        return render(
            request,
            "advocacy/call_invalid.html",
            {
                **self.base_context(action),
                "start_url": self.url("advocacy:call", slug=action.campaign.slug),
            },
            status=status,
        )


def _offices_to_weigh(target: Target) -> list:
    """The numbers the page offers: the first to call and the nearest district office."""
    return [o for o in (target.call_office, target.nearest_district_office) if o]


def _suggestion(target: Target, loads: dict) -> dict:
    """What to offer when the first number is saturated: the nearest district office
    (if it is not saturated too), and a letter."""
    first = target.call_office
    idle = selectors.OfficeLoad(0, 0)
    if first is None or not loads.get(first.pk, idle).is_saturated:
        return {}
    alternative = next(
        (
            office
            for office in _offices_to_weigh(target)
            if office.pk != first.pk and not loads.get(office.pk, idle).is_saturated
        ),
        None,
    )
    return {"saturated": first, "alternative": alternative}


class CallTargetView(_PassMixin, View):
    """Step 2: one target at a time, with the script; the outcome buttons record the
    call and move on."""

    def get(self, request, slug: str, token: str):
        action, call_pass, targets, done = self.load(request, slug, token)
        if call_pass is None:
            return self.invalid(request, action)
        remaining = [t for t in targets if t.pk not in done]
        if not remaining:
            return HttpResponseRedirect(
                self.url("advocacy:call-done", slug=slug, token=token)
            )
        return self._render(request, action, call_pass, token, targets, done)

    def _render(
        self, request, action, call_pass, token, targets, done, *, error="", status=200
    ):
        remaining = [t for t in targets if t.pk not in done]
        current = remaining[0]
        loads = selectors.office_loads([o.pk for o in _offices_to_weigh(current)])
        context = {
            **self.base_context(action),
            "token": token,
            "progress": [(t, done.get(t.pk)) for t in targets],
            "current": current,
            "position": targets.index(current) + 1,
            "total": len(targets),
            "notice": call_pass.notice if not done else "",
            "needs_address": _needs_address(action, call_pass),
            "suggestion": _suggestion(current, loads),
            "talking_points": selectors.talking_points_html(action),
            "outcomes": Outreach.Outcome.choices,
            "error": error,
            "form_action": self.url(
                "advocacy:call-target", slug=slug_of(action), token=token
            ),
        }
        return render(request, "advocacy/call_target.html", context, status=status)

    def post(self, request, slug: str, token: str):
        action, call_pass, targets, done = self.load(request, slug, token)
        if call_pass is None:
            return self.invalid(request, action)
        form = OutcomeForm(request.POST)
        by_pk = {t.pk: t for t in targets}
        if not form.is_valid():
            return self._error(
                request,
                action,
                call_pass,
                token,
                targets,
                done,
                _("Choose how the call went."),
            )
        target = by_pk.get(form.cleaned_data["legislator"])
        if target is None:
            return self._error(
                request,
                action,
                call_pass,
                token,
                targets,
                done,
                _(
                    "That legislator is not one of the people this campaign asks you to call."
                ),
            )
        office_id = form.cleaned_data["office"]
        office = next((o for o in target.offices if o.pk == office_id), None)
        if office_id and office is None:
            return self._error(
                request,
                action,
                call_pass,
                token,
                targets,
                done,
                _("That phone number is not one of this legislator's offices."),
            )
        services.record_call(
            action=action,
            session=call_pass.session,
            legislator=target.legislator,
            office=office or target.call_office,
            outcome=form.cleaned_data["outcome"],
            place=call_pass.attribution_place,
            source=call_pass.source,
            language=translation.get_language() or "",
        )
        return HttpResponseRedirect(
            self.url("advocacy:call-target", slug=slug, token=token), status=303
        )

    def _error(self, request, action, call_pass, token, targets, done, message):
        if not [t for t in targets if t.pk not in done]:
            return self.invalid(request, action)
        return self._render(
            request, action, call_pass, token, targets, done, error=message, status=400
        )


def _needs_address(action: AdvocacyCampaign, call_pass: passes.CallPass) -> bool:
    """The action targets state legislators, whom a ZIP code alone cannot tell."""
    wants_state = (
        action.targets_own_state_senator or action.targets_own_state_representative
    )
    place = call_pass.place
    return wants_state and not (place.state_upper or place.state_lower)


def slug_of(action: AdvocacyCampaign) -> str:
    return action.campaign.slug


class CallDoneView(_PassMixin, View):
    """Step 3: what was done, sharing, and an optional email."""

    def _render(self, request, action, token, targets, done, form, *, status=200):
        campaign_url = request.build_absolute_uri(
            reverse("advocacy:call", kwargs={"slug": action.campaign.slug})
        )
        text = _("I just called my lawmakers for %(title)s. Will you call too?") % {
            "title": action.campaign.title
        }
        context = {
            **self.base_context(action),
            # In the order they were called (the targets' order).
            "rows": [(t.legislator, done[t.pk]) for t in targets if t.pk in done],
            "remaining": [t for t in targets if t.pk not in done],
            "form": form,
            "saved": request.GET.get("saved") == "1",
            "share": {
                "url": campaign_url,
                "email": "mailto:?"
                + urlencode(
                    {
                        "subject": action.campaign.title,
                        "body": f"{text} {campaign_url}",
                    },
                    quote_via=quote,
                ),
                "x": "https://twitter.com/intent/tweet?"
                + urlencode({"text": text, "url": campaign_url}, quote_via=quote),
                "facebook": "https://www.facebook.com/sharer/sharer.php?"
                + urlencode({"u": campaign_url}, quote_via=quote),
                "whatsapp": "https://wa.me/?"
                + urlencode({"text": f"{text} {campaign_url}"}, quote_via=quote),
            },
            "form_action": self.url(
                "advocacy:call-done", slug=slug_of(action), token=token
            ),
            "target_url": self.url(
                "advocacy:call-target", slug=slug_of(action), token=token
            ),
        }
        return render(request, "advocacy/call_done.html", context, status=status)

    def get(self, request, slug: str, token: str):
        action, call_pass, targets, done = self.load(request, slug, token)
        if call_pass is None:
            return self.invalid(request, action)
        return self._render(request, action, token, targets, done, FinishForm())

    def post(self, request, slug: str, token: str):
        action, call_pass, targets, done = self.load(request, slug, token)
        if call_pass is None:
            return self.invalid(request, action)
        form = FinishForm(request.POST)
        saved_url = self.url("advocacy:call-done", slug=slug, token=token)
        saved_url += ("&" if "?" in saved_url else "?") + "saved=1"
        if form.is_bot():
            return HttpResponseRedirect(saved_url, status=303)
        if form.is_valid() and not done:
            form.add_error(None, _("Make at least one call first."))
        if form.errors:
            return self._render(request, action, token, targets, done, form, status=400)
        try:
            ratelimit.check_public_form_limits(
                ip_address=client_ip(request), email=form.cleaned_data["email"]
            )
        except ratelimit.RateLimitedError:
            form.add_error(
                None,
                _(
                    "Too many requests from your connection. Please try again in a few minutes."
                ),
            )
            return self._render(request, action, token, targets, done, form, status=429)
        services.attach_supporter(
            action=action,
            session=call_pass.session,
            email=form.cleaned_data["email"],
            first_name=form.cleaned_data["first_name"],
            wants_email=form.cleaned_data["wants_email"],
            place=call_pass.attribution_place,
        )
        return HttpResponseRedirect(saved_url, status=303)


# --- Staff ----------------------------------------------------------------------------


class StaffOutreachView(StaffRequiredMixin, View):
    """Calls and letters per legislator and outcome / delivery status for one campaign,
    scoped by role (a chapter leader sees their chapters' outreaches only)."""

    def get(self, request, slug: str):
        campaign = get_object_or_404(Campaign, slug=slug)
        qs = selectors.outreaches_visible_to(request.user, campaign=campaign)
        return render(
            request,
            "advocacy/staff_outreach.html",
            {
                "campaign": campaign,
                "tallies": selectors.tallies(qs),
                "outcomes": Outreach.Outcome.choices,
                "deliveries": Outreach.Delivery.choices,
            },
        )


EXPORT_COLUMNS = [
    "created_at",
    "kind",
    "legislator",
    "legislator_title",
    "legislator_state",
    "method",
    "outcome",
    "delivery_status",
    "office",
    "state",
    "congressional_district",
    "state_upper_district",
    "state_lower_district",
    "chapter",
    "referred_by_code",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "channel",
    "has_supporter",
]


def _export_rows(outreaches):
    from supporters.importing import _safe_cell

    yield EXPORT_COLUMNS
    for o in (
        outreaches.select_related("legislator", "office", "chapter")
        .order_by("pk")
        .iterator(chunk_size=2000)
    ):
        values = [
            o.created_at.isoformat(),
            o.kind,
            o.legislator.name,
            o.legislator.title,
            o.legislator.state,
            o.method,
            o.outcome,
            o.delivery_status,
            o.office.label if o.office else "",
            o.state,
            o.congressional_district,
            o.state_upper_district,
            o.state_lower_district,
            o.chapter.name if o.chapter else "",
            o.referred_by_code,
            o.utm_source,
            o.utm_medium,
            o.utm_campaign,
            o.channel,
            "yes" if o.supporter_id else "no",
        ]
        yield [_safe_cell(value) for value in values]


class StaffOutreachExportView(StaffRequiredMixin, View):
    def get(self, request, slug: str):
        campaign = get_object_or_404(Campaign, slug=slug)
        qs = selectors.outreaches_visible_to(request.user, campaign=campaign)
        record_audit(
            actor=request.user,
            action=AUDIT_EXPORT,
            obj=campaign,
            changes={"rows": qs.count()},
            request=request,
        )
        return streaming_csv_response(
            _export_rows(qs), filename_stem=f"outreaches-{campaign.slug}"
        )
