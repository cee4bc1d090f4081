"""The write flow at ``/campaigns/<slug>/write/``: where the supporter lives (the call
flow's start step, for the letter action) → their targets, each with the route a letter
takes (and a clear word for those with none) → their letters, pre-filled and editable →
sent → the finish page with each letter's delivery status.

The supporter's pass (session, place, source) is the call flow's signed link
(``advocacy.passes``): a replayed form carries the same session, so nothing is recorded
or sent twice. Works without JavaScript; thin: forms validate, services write."""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from harbor import ratelimit
from harbor.net import client_ip

from . import letter_selectors, passes, selectors
from .letter_forms import LetterForm
from .letters import Draft, Route, Sender, send_letters
from .models import AdvocacyCampaign
from .scripts import ScriptContext, render_script
from .targets import targets_for
from .views import CallStartView, LanguageMixin

logger = logging.getLogger(__name__)


class WriteStartView(CallStartView):
    """Step 1: the ZIP code (and address or district when split), exactly as the call
    flow asks it, for the campaign's letter action."""

    template_name = "advocacy/write_start.html"
    kind = AdvocacyCampaign.Kind.LETTER
    start_url_name = "advocacy:write"
    next_url_name = "advocacy:write-letters"


def _prefilled(action, target) -> dict[str, str]:
    leg = target.legislator
    bill = target.bill
    context = ScriptContext(
        legislator_title=leg.title,
        legislator_name=leg.name,
        legislator_last_name=leg.last_name or leg.name,
        bill_number=bill.identifier if bill else "",
        bill_title=bill.title if bill else "",
    )
    return {
        f"subject_{leg.pk}": render_script(action.letter_subject, context),
        f"body_{leg.pk}": render_script(action.letter_body, context),
    }


class _LetterPassMixin(LanguageMixin):
    def load(self, slug: str, token: str):
        """(action, pass, targets with their routes); the pass is None when the link
        is forged, damaged or expired."""
        action = selectors.public_action(slug=slug, kind=AdvocacyCampaign.Kind.LETTER)
        if action is None:
            raise Http404
        letter_pass = passes.read_token(token, slug=slug)
        if letter_pass is None:
            return action, None, []
        rep = selectors.representation_at(letter_pass.place)
        targets = targets_for(action, rep) if rep is not None else []
        return action, letter_pass, targets

    def invalid(self, request, action):
        return render(
            request,
            "advocacy/write_invalid.html",
            {
                **self.base_context(action),
                "start_url": self.url("advocacy:write", slug=action.campaign.slug),
            },
            status=400,
        )


class WriteLettersView(_LetterPassMixin, View):
    """Step 2. GET: the targets with their routes and a pre-filled letter for each one
    who can be reached. POST: send them."""

    template_name = "advocacy/write.html"

    def _render(self, request, action, token, targets, form, *, status=200):
        context = {
            **self.base_context(action),
            "targets": targets,
            "writable": [t for t in targets if t.can_get_letters],
            "form": form,
            "letter_rows": [
                (t, *form.letter_fields(t)) for t in targets if t.can_get_letters
            ],
            "form_action": self.url(
                "advocacy:write-letters", slug=action.campaign.slug, token=token
            ),
            "start_url": self.url("advocacy:write", slug=action.campaign.slug),
            "max_chars": f"{settings.LETTERS_MAX_BODY_CHARS:,}",
        }
        return render(request, self.template_name, context, status=status)

    def _form(self, targets, data=None, initial=None):
        return LetterForm(
            data,
            initial=initial,
            targets=targets,
            needs_prefix=any(t.letter_route == Route.CWC for t in targets),
        )

    def get(self, request, slug: str, token: str):
        action, letter_pass, targets = self.load(slug, token)
        if letter_pass is None:
            return self.invalid(request, action)
        initial: dict[str, str] = {}
        for target in targets:
            if target.can_get_letters:
                initial.update(_prefilled(action, target))
        return self._render(
            request, action, token, targets, self._form(targets, initial=initial)
        )

    def post(self, request, slug: str, token: str):
        action, letter_pass, targets = self.load(slug, token)
        if letter_pass is None:
            return self.invalid(request, action)
        form = self._form(targets, data=request.POST)
        if form.is_bot():
            logger.info("honeypot filled letter action=%s", action.pk)
            return HttpResponseRedirect(action.campaign.get_absolute_url())
        if not targets or not form.is_valid():
            return self._render(request, action, token, targets, form, status=400)
        data = form.cleaned_data
        try:
            ratelimit.check_public_form_limits(
                ip_address=client_ip(request), email=data["email"]
            )
        except ratelimit.RateLimitedError:
            form.add_error(
                None,
                _(
                    "Too many letters from your connection. Please try again in a few minutes."
                ),
            )
            return self._render(request, action, token, targets, form, status=429)
        place = letter_pass.attribution_place
        sender = Sender(
            email=data["email"],
            prefix=data["prefix"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            street_address=data["street_address"],
            city=data["city"],
            state=place.state,
            zip_code=place.zip_code,
        )
        drafts = [
            Draft(
                legislator=t.legislator,
                subject=data.get(f"subject_{t.legislator.pk}", ""),
                body=data.get(f"body_{t.legislator.pk}", ""),
            )
            for t in targets
        ]
        try:
            send_letters(
                action=action,
                session=letter_pass.session,
                sender=sender,
                drafts=drafts,
                wants_email=data["wants_email"],
                place=place,
                source=letter_pass.source,
                language=self.lang or request.LANGUAGE_CODE,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self._render(request, action, token, targets, form, status=400)
        return HttpResponseRedirect(
            self.url("advocacy:write-sent", slug=slug, token=token), status=303
        )


class WriteSentView(_LetterPassMixin, View):
    """The finish page: each letter with its delivery status; the contact-form ones
    with the letter ready to copy and the form's link."""

    def get(self, request, slug: str, token: str):
        action = selectors.public_action(slug=slug, kind=AdvocacyCampaign.Kind.LETTER)
        if action is None:
            raise Http404
        letter_pass = passes.read_token(token, slug=slug)
        if letter_pass is None:
            return self.invalid(request, action)
        letters = list(
            letter_selectors.letters_of_session(
                session=letter_pass.session, action=action
            )
        )
        if not letters:
            return HttpResponseRedirect(
                self.url("advocacy:write-letters", slug=slug, token=token)
            )
        return render(
            request,
            "advocacy/write_sent.html",
            {
                **self.base_context(action),
                "letters": letters,
                "any_pending": any(
                    o.delivery_status == o.Delivery.PENDING for o in letters
                ),
            },
        )
