"""The write flow at ``/campaigns/<slug>/write/``: where the supporter lives → their
targets, each with the route a letter takes (and a clear word for those with none) →
their letters, pre-filled and editable → sent → the finish page with each letter's
delivery status. Works without JavaScript; thin: forms validate, services write."""

import logging
import uuid

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View

from harbor import ratelimit
from harbor.net import client_ip
from legislators.models import Chamber
from legislators.selectors import representation_for

from . import letter_selectors as selectors
from .letter_forms import LetterForm, WhereForm
from .letters import Draft, Route, Sender, send_letters
from .scripts import ScriptContext, render_script
from .services import Place, Source
from .targets import targets_for

logger = logging.getLogger(__name__)

FINISH_SALT = "harbor.advocacy.letters.finish"
FINISH_MAX_AGE = 7 * 24 * 3600
TRACKING = ("ref", "utm_source", "utm_medium", "utm_campaign")


def _language(request) -> str:
    wanted = request.GET.get("lang", "")
    if wanted in dict(settings.LANGUAGES):
        return wanted
    return translation.get_language() or settings.LANGUAGE_CODE


def _action_or_404(slug: str):
    action = selectors.letter_action(slug=slug)
    if action is None:
        raise Http404
    return action


def _place(representation, zip_code: str) -> Place:
    district = representation.known_district
    states = {d.state for d in representation.districts}
    upper = lower = ""
    for seat in representation.seats:
        if seat.chamber == Chamber.STATE_UPPER:
            upper = seat.district
        elif seat.chamber == Chamber.STATE_LOWER:
            lower = seat.district
    return Place(
        zip_code=zip_code,
        state=states.pop() if len(states) == 1 else "",
        congressional_district=district.code if district else "",
        state_upper_district=upper,
        state_lower_district=lower,
    )


def _prefilled(action, letter_target) -> dict[str, str]:
    target = letter_target.target
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


class WriteView(View):
    """GET: the ZIP step, then the targets and the letters. POST: send them."""

    template_name = "advocacy/write.html"

    def _lookup(self, data):
        where = WhereForm(data)
        if not where.is_valid():
            return where, None
        d = where.cleaned_data
        representation = representation_for(
            zip_code=d["zip_code"], address=d["address"], district=d["district"]
        )
        if representation is None:
            where.add_error(
                "zip_code",
                _("We have no legislators for that ZIP code. Check it and try again."),
            )
        return where, representation

    def _targets(self, action, representation):
        if representation is None or representation.is_ambiguous:
            return []
        return selectors.with_routes(targets_for(action, representation))

    def _render(
        self, request, action, *, where, representation, targets, form, status=200
    ):
        lang = _language(request)
        return render(
            request,
            self.template_name,
            {
                "action": action,
                "campaign": action.campaign,
                "where": where,
                "result": representation,
                "targets": targets,
                "writable": [t for t in targets if t.writable],
                "unreachable": [t for t in targets if not t.writable],
                "form": form,
                "letter_rows": [
                    (t, *form.letter_fields(t)) for t in targets if t.writable
                ]
                if form is not None
                else [],
                "lang_param": lang if lang != settings.LANGUAGE_CODE else "",
                "max_chars": settings.LETTERS_MAX_BODY_CHARS,
            },
            status=status,
        )

    def get(self, request, slug: str):
        action = _action_or_404(slug)
        if "zip_code" not in request.GET:
            return self._render(
                request,
                action,
                where=WhereForm(),
                representation=None,
                targets=[],
                form=None,
            )
        where, representation = self._lookup(request.GET)
        targets = self._targets(action, representation)
        form = None
        if targets:
            initial = {
                "session": str(uuid.uuid4()),
                "zip_code": where.cleaned_data["zip_code"],
                "address": where.cleaned_data["address"],
                "district": where.cleaned_data["district"],
                **{name: request.GET.get(name, "")[:100] for name in TRACKING},
            }
            for target in targets:
                if target.writable:
                    initial.update(_prefilled(action, target))
            form = LetterForm(
                initial=initial,
                targets=targets,
                needs_prefix=any(t.route == Route.CWC for t in targets),
            )
        return self._render(
            request,
            action,
            where=where,
            representation=representation,
            targets=targets,
            form=form,
        )

    def post(self, request, slug: str):
        action = _action_or_404(slug)
        where, representation = self._lookup(request.POST)
        targets = self._targets(action, representation)
        if not targets:
            return self._render(
                request,
                action,
                where=where,
                representation=representation,
                targets=[],
                form=None,
                status=400,
            )
        form = LetterForm(
            request.POST,
            targets=targets,
            needs_prefix=any(t.route == Route.CWC for t in targets),
        )
        if form.is_bot():
            logger.info("honeypot filled letter action=%s", action.pk)
            return redirect(action.campaign.get_absolute_url())

        def again(status):
            return self._render(
                request,
                action,
                where=where,
                representation=representation,
                targets=targets,
                form=form,
                status=status,
            )

        if not form.is_valid():
            return again(400)
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
            return again(429)
        place = _place(representation, data["zip_code"])
        states = {d.state for d in representation.districts}
        sender = Sender(
            email=data["email"],
            prefix=data["prefix"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            street_address=data["street_address"],
            city=data["city"],
            state=place.state or (states.pop() if states else ""),
            zip_code=data["zip_code"],
        )
        drafts = [
            Draft(
                legislator=t.legislator,
                subject=data.get(f"subject_{t.legislator.pk}", "")
                if t.writable
                else "",
                body=data.get(f"body_{t.legislator.pk}", "") if t.writable else "",
            )
            for t in targets
        ]
        try:
            send_letters(
                action=action,
                session=data["session"],
                sender=sender,
                drafts=drafts,
                wants_email=data["wants_email"],
                place=place,
                source=Source(
                    referred_by_code=data["ref"],
                    utm_source=data["utm_source"],
                    utm_medium=data["utm_medium"],
                    utm_campaign=data["utm_campaign"],
                    channel="page",
                ),
                language=_language(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return again(400)
        token = signing.dumps(
            {"s": str(data["session"]), "c": action.campaign.slug}, salt=FINISH_SALT
        )
        url = reverse("advocacy:write-sent", kwargs={"slug": slug, "token": token})
        lang = _language(request)
        if lang != settings.LANGUAGE_CODE:
            url += f"?lang={lang}"
        return redirect(url)


class WriteSentView(View):
    """The finish page: each letter with its delivery status; the contact-form ones
    with the letter ready to copy and the form's link."""

    def get(self, request, slug: str, token: str):
        action = _action_or_404(slug)
        try:
            data = signing.loads(token, salt=FINISH_SALT, max_age=FINISH_MAX_AGE)
            session = uuid.UUID(str(data["s"]))
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            raise Http404 from None
        if data.get("c") != action.campaign.slug:
            raise Http404
        letters = list(selectors.letters_of_session(session=session))
        if not letters:
            raise Http404
        return render(
            request,
            "advocacy/write_sent.html",
            {
                "action": action,
                "campaign": action.campaign,
                "letters": letters,
                "any_pending": any(
                    o.delivery_status == o.Delivery.PENDING for o in letters
                ),
            },
        )
