"""Public petition pages (sign, thank-you, confirm, widget, organisation sign-ons, newsletter)
and staff pages (signatures list, CSV export, delivery PDF). Thin: form, service, render."""

import logging
from functools import cache, partial
from urllib.parse import quote, urlencode

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from accounts.models import AuditEvent
from accounts.services import record_audit
from harbor import ratelimit
from harbor.net import client_ip
from harbor.staff import StaffRequiredMixin, streaming_csv_response

from . import delivery, selectors, services
from .forms import SignForm, SignOnForm
from .models import DeliveryReport, OrganisationSignOn, Petition, Signature

logger = logging.getLogger(__name__)

WIDGET_SALT = "harbor.petitions.widget"
WIDGET_TOKEN_MAX_AGE = 24 * 3600
TRACKING_PARAMS = ("ref", "utm_source", "utm_medium", "utm_campaign")


def page_language(request, petition: Petition | None = None) -> str:
    """?lang=, else a non-default petition language, else the middleware's choice
    (Accept-Language)."""
    wanted = request.GET.get("lang", "")
    if wanted in dict(settings.LANGUAGES):
        return wanted
    if petition is not None and petition.language != settings.LANGUAGE_CODE:
        return petition.language
    return translation.get_language() or settings.LANGUAGE_CODE


def _with_lang(url: str, lang: str) -> str:
    if lang == settings.LANGUAGE_CODE:
        return url
    return f"{url}{'&' if '?' in url else '?'}lang={lang}"


def _open_petition_or_404(slug: str, *, cached: bool = False) -> Petition:
    petition = selectors.public_petition(slug=slug, cached=cached)
    if petition is None:
        raise Http404
    return petition


def _counter_context(petition: Petition, *, fresh: bool = False) -> dict:
    count = selectors.signature_count(petition_id=petition.pk, fresh=fresh)
    return {
        "count": count,
        "percent": selectors.progress_percent(count=count, goal=petition.goal),
    }


def _initial_tracking(request) -> dict:
    return {name: request.GET.get(name, "")[:100] for name in TRACKING_PARAMS}


def _sign(request, petition: Petition, form: SignForm, *, lang: str, channel: str):
    """Validate and sign. Returns (signature outcome or None, HTTP status)."""
    if form.is_bot():
        # Pretend success and store nothing: a bot that learns it failed tries harder.
        logger.info("honeypot filled petition=%s", petition.pk)
        return None, 302
    if not form.is_valid():
        return None, 400
    data = form.cleaned_data
    ip_address = client_ip(request)
    try:
        ratelimit.check_public_form_limits(ip_address=ip_address, email=data["email"])
    except ratelimit.RateLimitedError:
        form.add_error(
            None,
            _(
                "Too many signatures from your connection. Please try again in a few minutes."
            ),
        )
        return None, 429
    try:
        outcome = services.sign_petition(
            petition=petition,
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            zip_code=data["zip_code"],
            phone=data["phone"],
            comment=data["comment"],
            wants_email=data["wants_email"],
            is_public=data["is_public"],
            referred_by_code=data["ref"],
            utm_source=data["utm_source"],
            utm_medium=data["utm_medium"],
            utm_campaign=data["utm_campaign"],
            ip_address=ip_address,
            language=lang,
            channel=channel,
        )
    except services.PetitionClosedError:
        form.add_error(
            None, _("This petition is closed and no longer takes signatures.")
        )
        return None, 409
    except ValidationError as exc:
        form.add_error(None, exc)
        return None, 400
    return outcome, 302


def _thanks_url(petition: Petition, outcome, lang: str) -> str:
    """The signer's own thank-you page (their share link, their confirmation status) only
    for a signature made by this request. Anyone can type someone else's email, so a
    repeat gets the generic page: it says "already signed", and nothing of the earlier
    signer's (no referral code, no confirmation status)."""
    if outcome is None or not outcome.created:
        url = reverse("petitions:thanks-generic", kwargs={"slug": petition.slug})
        if outcome is not None:
            url += "?again=1"
    else:
        url = reverse(
            "petitions:thanks",
            kwargs={
                "slug": petition.slug,
                "token": services.make_thanks_token(outcome.referral_code),
            },
        )
    return _with_lang(url, lang)


class _SignFormPage(View):
    """A page with the sign form (the petition page, the widget): GET shows it blank,
    carrying the tracking parameters; subclasses render and handle the POST."""

    def _render(self, request, petition, form, lang, status=200):
        raise NotImplementedError

    def get(self, request, slug: str):
        petition = _open_petition_or_404(slug, cached=True)
        lang = page_language(request, petition)
        with translation.override(lang):
            form = SignForm(initial=_initial_tracking(request))
            return self._render(request, petition, form, lang)


class PetitionDetailView(_SignFormPage):
    """The public petition page: text, counter, recent signers and the sign form."""

    template_name = "petitions/detail.html"

    def _render(self, request, petition, form, lang, status=200):
        context = {
            "petition": petition,
            "campaign": petition.campaign,
            "form": form,
            "lang": lang,
            # Callables: the template calls them only when its fragment is not cached.
            # Memoized: "{% if %}" and "{% for %}" each resolve (and call) them.
            "recent": cache(
                partial(selectors.recent_public_signers, petition_id=petition.pk)
            ),
            "sign_ons": cache(partial(_sign_ons, petition.pk)),
            "page_version": selectors.petition_page_version(petition_id=petition.pk),
            "page_cache_seconds": settings.PETITIONS_PAGE_CACHE_SECONDS,
            "form_action": _with_lang(petition.get_absolute_url(), lang),
            **_counter_context(petition),
        }
        return render(request, self.template_name, context, status=status)

    def post(self, request, slug: str):
        petition = _open_petition_or_404(slug, cached=True)
        lang = page_language(request, petition)
        with translation.override(lang):
            form = SignForm(request.POST)
            outcome, status = _sign(request, petition, form, lang=lang, channel="page")
            if status == 302:
                return HttpResponseRedirect(_thanks_url(petition, outcome, lang))
            return self._render(request, petition, form, lang, status=status)


def _sign_ons(petition_id: int) -> list:
    return list(selectors.approved_sign_ons(petition_id=petition_id)[:12])


class PetitionCountView(View):
    """The live counter's JSON, read from the shared count cache; polled by counter.js."""

    def get(self, request, slug: str):
        petition = _open_petition_or_404(slug, cached=True)
        context = _counter_context(petition)
        response = JsonResponse({**context, "goal": petition.goal})
        response["Cache-Control"] = (
            f"public, max-age={settings.PETITIONS_COUNT_CACHE_SECONDS}"
        )
        return response


@method_decorator(xframe_options_exempt, name="dispatch")
# Any page may frame the widget: the site-wide frame-ancestors 'none' is dropped here.
@method_decorator(csp_replace({"frame-ancestors": None}), name="dispatch")
@method_decorator(csrf_exempt, name="dispatch")
class PetitionWidgetView(_SignFormPage):
    """The embeddable form and counter for partner sites (in an iframe).

    Framing is allowed here and nowhere else. Django's CSRF cookie is SameSite=Lax, which
    browsers withhold from a POST inside a third-party iframe, so this view is exempt from
    the cookie check and instead requires a signed, expiring form token issued with the
    form. Signing carries no ambient authority (no login, no session), so what CSRF could
    forge here is a signature, which the token, the honeypot, the rate limits and (where
    set) double opt-in already guard."""

    template_name = "petitions/widget.html"

    def _render(self, request, petition, form, lang, status=200, outcome=None):
        token = signing.TimestampSigner(salt=WIDGET_SALT).sign(str(petition.pk))
        context = {
            "petition": petition,
            "form": form,
            "lang": lang,
            "outcome": outcome,
            "widget_token": token,
            "form_action": _with_lang(
                reverse("petitions:widget", kwargs={"slug": petition.slug}), lang
            ),
            **_counter_context(petition, fresh=outcome is not None),
        }
        if outcome is not None:
            # A bot that filled the honeypot gets the generic thank-you link.
            real = None if outcome == "bot" else outcome
            context["thanks_url"] = _thanks_url(petition, real, lang)
        return render(request, self.template_name, context, status=status)

    def post(self, request, slug: str):
        petition = _open_petition_or_404(slug, cached=True)
        lang = page_language(request, petition)
        with translation.override(lang):
            try:
                value = signing.TimestampSigner(salt=WIDGET_SALT).unsign(
                    request.POST.get("widget_token", ""), max_age=WIDGET_TOKEN_MAX_AGE
                )
            except signing.BadSignature:
                value = None
            if value != str(petition.pk):
                return render(
                    request, "errors/csrf_failure.html", {"lang": lang}, status=403
                )
            form = SignForm(request.POST)
            outcome, status = _sign(
                request, petition, form, lang=lang, channel="widget"
            )
            if status == 302:
                return self._render(
                    request, petition, SignForm(), lang, outcome=outcome or "bot"
                )
            return self._render(request, petition, form, lang, status=status)


def _share_links(request, petition: Petition, signature) -> dict:
    url = request.build_absolute_uri(petition.get_absolute_url())
    if signature is not None:
        url += "?" + urlencode({"ref": signature.referral_code})
    text = _("I signed “%(title)s”. Will you sign too?") % {"title": petition.title}
    return {
        "url": url,
        "email": "mailto:?"
        + urlencode(
            {"subject": petition.title, "body": f"{text}\n\n{url}"}, quote_via=quote
        ),
        "facebook": "https://www.facebook.com/sharer/sharer.php?"
        + urlencode({"u": url}),
        "x": "https://twitter.com/intent/tweet?"
        + urlencode({"text": text, "url": url}),
        "whatsapp": "https://wa.me/?" + urlencode({"text": f"{text} {url}"}),
    }


def _next_action(petition: Petition) -> dict | None:
    if petition.next_action_url:
        return {
            "url": petition.next_action_url,
            "label": petition.next_action_label or _("Take the next step"),
        }
    for name in ("legislators:lookup", "legislators:find"):
        try:
            return {
                "url": reverse(name),
                "label": _("Find your legislators and call them"),
            }
        except NoReverseMatch:
            continue
    return None


@method_decorator(never_cache, name="dispatch")
class PetitionThanksView(View):
    """After signing: share with the signer's referral code, and the next action."""

    def get(self, request, slug: str, token: str | None = None):
        petition = _open_petition_or_404(slug)
        signer = None
        if token is not None:
            # The signer's own page: the share code names the signature once drained,
            # the intake row until then.
            code = services.referral_code_from_thanks_token(token)
            signer = selectors.signer_by_referral_code(petition=petition, code=code)
            if signer is None:
                raise Http404
        lang = page_language(request, petition)
        with translation.override(lang):
            return render(
                request,
                "petitions/thanks.html",
                {
                    "petition": petition,
                    "campaign": petition.campaign,
                    "signature": signer,
                    "again": request.GET.get("again") == "1",
                    "pending": signer is not None and signer.needs_confirmation,
                    "share": _share_links(request, petition, signer),
                    "next_action": _next_action(petition),
                    "lang": lang,
                    **_counter_context(petition, fresh=True),
                },
            )


@method_decorator(never_cache, name="dispatch")
class SignatureConfirmView(View):
    """Double opt-in. GET only shows a button, so a mail scanner fetching the link confirms
    nobody; the POST (with CSRF) confirms."""

    def _signature(self, petition, token):
        signature_id = services.signature_id_from_confirm_token(token)
        if signature_id is None:
            return None
        return Signature.objects.filter(pk=signature_id, petition=petition).first()

    def get(self, request, slug: str, token: str):
        petition = _open_petition_or_404(slug)
        lang = page_language(request, petition)
        with translation.override(lang):
            signature = self._signature(petition, token)
            if signature is None:
                return render(
                    request,
                    "petitions/confirm_invalid.html",
                    {"petition": petition, "lang": lang},
                    status=400,
                )
            return render(
                request,
                "petitions/confirm.html",
                {"petition": petition, "signature": signature, "lang": lang},
            )

    def post(self, request, slug: str, token: str):
        petition = _open_petition_or_404(slug)
        lang = page_language(request, petition)
        with translation.override(lang):
            signature = self._signature(petition, token)
            if signature is None:
                return render(
                    request,
                    "petitions/confirm_invalid.html",
                    {"petition": petition, "lang": lang},
                    status=400,
                )
            services.confirm_signature(signature_id=signature.pk)
            url = reverse(
                "petitions:thanks",
                kwargs={
                    "slug": slug,
                    "token": services.make_thanks_token(signature.referral_code),
                },
            )
            return HttpResponseRedirect(_with_lang(url, lang))


class SignOnView(View):
    """Organisations sign on; approved ones are listed publicly."""

    def _render(self, request, petition, form, lang, status=200):
        return render(
            request,
            "petitions/sign_ons.html",
            {
                "petition": petition,
                "form": form,
                "lang": lang,
                "sign_ons": selectors.approved_sign_ons(petition_id=petition.pk),
            },
            status=status,
        )

    def get(self, request, slug: str):
        petition = _open_petition_or_404(slug)
        lang = page_language(request, petition)
        with translation.override(lang):
            return self._render(request, petition, SignOnForm(), lang)

    def post(self, request, slug: str):
        petition = _open_petition_or_404(slug)
        lang = page_language(request, petition)
        with translation.override(lang):
            form = SignOnForm(request.POST, request.FILES)
            if form.is_bot():
                messages.success(
                    request, _("Thank you. We will review your sign-on shortly.")
                )
                return redirect(_with_lang(request.path, lang))
            if not form.is_valid():
                return self._render(request, petition, form, lang, status=400)
            data = form.cleaned_data
            try:
                ratelimit.check_public_form_limits(
                    ip_address=client_ip(request), email=data["contact_email"]
                )
                logo, logo_type = data["logo"] or (b"", "")
                services.create_sign_on(
                    petition=petition,
                    name=data["name"],
                    kind=data["kind"],
                    contact_name=data["contact_name"],
                    contact_email=data["contact_email"],
                    city=data["city"],
                    state=data["state"],
                    website=data["website"],
                    logo=logo,
                    logo_content_type=logo_type,
                )
            except ratelimit.RateLimitedError:
                form.add_error(None, _("Too many submissions. Please try again later."))
                return self._render(request, petition, form, lang, status=429)
            except services.PetitionClosedError:
                form.add_error(
                    None, _("This petition is closed and no longer takes signatures.")
                )
                return self._render(request, petition, form, lang, status=409)
            messages.success(
                request, _("Thank you. We will review your sign-on shortly.")
            )
            return redirect(_with_lang(request.path, lang))


class SignOnLogoView(View):
    """An approved organisation's logo (PNG or JPEG only, checked on upload)."""

    def get(self, request, pk: int):
        sign_on = get_object_or_404(
            OrganisationSignOn.objects.exclude(logo_content_type=""),
            pk=pk,
            status=OrganisationSignOn.Status.APPROVED,
        )
        response = HttpResponse(
            bytes(sign_on.logo), content_type=sign_on.logo_content_type
        )
        response["Cache-Control"] = "public, max-age=3600"
        response["Content-Security-Policy"] = "default-src 'none'"
        return response


# --- staff ----------------------------------------------------------------------------


class StaffPetitionListView(StaffRequiredMixin, View):
    def get(self, request):
        return render(
            request,
            "petitions/staff_list.html",
            {"rows": selectors.staff_petitions()},
        )


class SignatureListView(StaffRequiredMixin, View):
    def get(self, request, slug: str):
        petition = get_object_or_404(Petition, slug=slug)
        query = request.GET.get("q", "")[:200]
        qs = selectors.signatures_visible_to(
            request.user, petition=petition, query=query
        )
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        return render(
            request,
            "petitions/staff_signatures.html",
            {
                "petition": petition,
                "page": page,
                "query": query,
                "total": page.paginator.count,
                "count": selectors.counted_signatures(petition_id=petition.pk),
                "pending": selectors.pending_signature_count(petition_id=petition.pk),
            },
        )


class SignOnReviewView(StaffRequiredMixin, View):
    """Staff approve or reject organisation sign-ons waiting for review. The page shows
    organisations' contact people, so it needs the permission, not just a staff login."""

    def test_func(self):
        return super().test_func() and self.request.user.has_perm(
            "petitions.change_organisationsignon"
        )

    def get(self, request, slug: str):
        petition = get_object_or_404(Petition, slug=slug)
        return render(
            request,
            "petitions/staff_sign_ons.html",
            {
                "petition": petition,
                "pending": petition.sign_ons.filter(
                    status=OrganisationSignOn.Status.PENDING
                ).defer("logo"),
                "decided": petition.sign_ons.exclude(
                    status=OrganisationSignOn.Status.PENDING
                ).defer("logo")[:200],
            },
        )

    def post(self, request, slug: str):
        petition = get_object_or_404(Petition, slug=slug)
        # ASCII digits of a plausible length: isdigit() alone takes "²", and a huge
        # number overflows the database's integer.
        ids = [
            int(v)
            for v in request.POST.getlist("sign_on")
            if v.isascii() and v.isdigit() and len(v) <= 18
        ]
        ids = list(petition.sign_ons.filter(pk__in=ids).values_list("pk", flat=True))
        approve = request.POST.get("decision") == "approve"
        count = services.review_sign_ons(
            sign_on_ids=ids, approve=approve, user=request.user, request=request
        )
        messages.success(
            request,
            (
                _("%(n)d sign-on(s) approved.")
                if approve
                else _("%(n)d sign-on(s) rejected.")
            )
            % {"n": count},
        )
        return redirect("petitions:sign-on-review", slug=slug)


EXPORT_COLUMNS = [
    "signed_at", "confirmed_at", "email", "first_name", "last_name", "zip_code", "city",
    "state", "congressional_district", "comment", "referral_code", "referred_by_code",
    "utm_source", "utm_medium", "utm_campaign", "channel",
]  # fmt: skip


def _export_rows(signatures):
    from supporters.importing import _safe_cell

    yield EXPORT_COLUMNS
    for sig in signatures.order_by("pk").iterator(chunk_size=2000):
        supporter = sig.supporter
        values = [
            sig.created_at.isoformat(),
            sig.confirmed_at.isoformat() if sig.confirmed_at else "",
            supporter.email,
            supporter.first_name,
            supporter.last_name,
            supporter.zip_code,
            supporter.city,
            supporter.state,
            supporter.congressional_district,
            sig.comment,
            sig.referral_code,
            sig.referred_by_code,
            sig.utm_source,
            sig.utm_medium,
            sig.utm_campaign,
            sig.channel,
        ]
        yield [_safe_cell(value) for value in values]


class SignatureExportView(StaffRequiredMixin, View):
    def get(self, request, slug: str):
        petition = get_object_or_404(Petition, slug=slug)
        query = request.GET.get("q", "")[:200]
        qs = selectors.signatures_visible_to(
            request.user, petition=petition, query=query
        )
        pending = selectors.pending_signature_count(petition_id=petition.pk)
        record_audit(
            actor=request.user,
            action=AuditEvent.Action.SIGNATURE_EXPORT,
            obj=petition,
            changes={"query": bool(query), "pending": pending},
            request=request,
        )
        response = streaming_csv_response(
            _export_rows(qs), filename_stem=f"signatures-{petition.slug}"
        )
        # Drained signatures only; the staff page says how many are still on their way.
        response["X-Harbor-Pending-Signatures"] = str(pending)
        return response


@method_decorator(never_cache, name="dispatch")
class DeliveryReportListView(StaffRequiredMixin, View):
    """Delivery PDFs for the target (totals by state and district, signers, comments),
    prepared by a worker; confirmed signatures of the supporters the requester may see."""

    def get(self, request, slug: str):
        petition = get_object_or_404(Petition, slug=slug)
        reports = list(
            selectors.deliveries_visible_to(request.user, petition=petition)[:20]
        )
        return render(
            request,
            "petitions/staff_deliveries.html",
            {
                "petition": petition,
                "reports": reports,
                "in_progress": any(r.status in ("pending", "running") for r in reports),
            },
        )

    def post(self, request, slug: str):
        petition = get_object_or_404(Petition, slug=slug)
        delivery.request_delivery_report(
            petition=petition, user=request.user, request=request
        )
        messages.success(
            request, _("The delivery PDF is being prepared. This page updates itself.")
        )
        return redirect("petitions:deliveries", slug=slug)


class DeliveryReportDownloadView(StaffRequiredMixin, View):
    def get(self, request, slug: str, pk: int):
        petition = get_object_or_404(Petition, slug=slug)
        report = get_object_or_404(
            selectors.deliveries_visible_to(request.user, petition=petition).defer(
                None
            ),
            pk=pk,
            status=DeliveryReport.Status.DONE,
        )
        response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="delivery-{petition.slug}-{report.pk}.pdf"'
        )
        return response
