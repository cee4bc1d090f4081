"""Supporter pages: the public newsletter sign-up; for staff, list and search, CSV import
with progress, CSV export."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from accounts.models import AuditEvent
from accounts.selectors import chapters_visible_to, sees_everything
from accounts.services import record_audit
from harbor import ratelimit
from harbor.net import client_ip
from harbor.staff import StaffRequiredMixin, streaming_csv_response

from . import importing, privacy, selectors, services, unsubscribe
from .forms import (
    EraseSupporterForm,
    NewsletterForm,
    SupporterImportForm,
    SupporterSearchForm,
)
from .models import Supporter, SupporterImport


def _search(request):
    """The search form bound to the query string, and the visible supporters it selects
    (none when the form is invalid: dropping a bad filter would widen the selection)."""
    chapters = chapters_visible_to(request.user)
    form = SupporterSearchForm(request.GET or None, chapters=chapters)
    if form.is_bound and not form.is_valid():
        return form, Supporter.objects.none()
    filters = form.cleaned_data if form.is_bound else {}
    qs = selectors.search_supporters(
        user=request.user,
        query=filters.get("q", ""),
        chapter_id=filters["chapter"].pk if filters.get("chapter") else None,
        state=filters.get("state", ""),
        tag=filters.get("tag", ""),
    )
    return form, qs


class SupporterListView(StaffRequiredMixin, View):
    def get(self, request):
        form, qs = _search(request)
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        return render(
            request,
            "supporters/list.html",
            {"form": form, "page": page, "total": page.paginator.count},
        )


class SupporterExportView(StaffRequiredMixin, View):
    def get(self, request):
        form, qs = _search(request)
        if form.is_bound and not form.is_valid():
            return HttpResponseBadRequest(
                _(
                    "The filters are not valid; fix them on the list page and export again."
                ),
                content_type="text/plain; charset=utf-8",
            )
        record_audit(
            actor=request.user,
            action=AuditEvent.Action.SUPPORTER_EXPORT,
            changes={"filters": {k: v for k, v in request.GET.items() if k != "page"}},
            request=request,
        )
        return streaming_csv_response(
            importing.export_rows(qs), filename_stem="supporters"
        )


def _visible_supporter(request, pk: int) -> Supporter:
    supporter = selectors.supporters_visible_to(request.user).filter(pk=pk).first()
    if supporter is None:
        raise Http404
    return supporter


class SupporterDetailView(StaffRequiredMixin, View):
    """One supporter for staff: profile, chapters, consent history, subscriptions,
    suppression; the JSON export of their data, and erasure for staff admins."""

    def _render(self, request, supporter, form, status=200):
        return render(
            request,
            "supporters/detail.html",
            selectors.supporter_page(user=request.user, supporter=supporter)
            | {"form": form, "may_erase": privacy.may_erase(request.user)},
            status=status,
        )

    def get(self, request, pk: int):
        supporter = _visible_supporter(request, pk)
        return self._render(request, supporter, EraseSupporterForm())


class SupporterDataExportView(StaffRequiredMixin, View):
    """Everything Harbor holds on one supporter, as a JSON download; audited."""

    def get(self, request, pk: int):
        try:
            body = privacy.export_supporter(
                user=request.user, supporter_id=pk, request=request
            )
        except PermissionDenied:
            raise Http404 from None
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="supporter-{pk}-data.json"'
        )
        return response


class SupporterEraseView(SupporterDetailView):
    """POST: erase the supporter (staff admins only; a confirmation box ticked)."""

    def get(self, request, pk: int):
        return redirect("supporters:detail", pk=pk)

    def post(self, request, pk: int):
        supporter = _visible_supporter(request, pk)
        if not privacy.may_erase(request.user):
            raise PermissionDenied(_("Only a staff admin may erase a supporter."))
        form = EraseSupporterForm(request.POST)
        if not form.is_valid():
            return self._render(request, supporter, form, status=400)
        if privacy.erase_supporter(by=request.user, supporter_id=pk, request=request):
            messages.success(
                request,
                _(
                    "The supporter's personal data was erased. Their actions still count."
                ),
            )
        else:
            messages.info(request, _("This supporter was erased already."))
        return redirect("supporters:detail", pk=pk)


class NewsletterSignupView(View):
    """The newsletter sign-up: its own page, and the target of the home page's form."""

    def _render(self, request, form, status=200):
        return render(
            request, "supporters/newsletter.html", {"form": form}, status=status
        )

    def get(self, request):
        return self._render(request, NewsletterForm())

    def post(self, request):
        form = NewsletterForm(request.POST)
        done = _(
            "Thank you for signing up. Watch your inbox for our next action alert."
        )
        if form.is_bot():
            messages.success(request, done)
            return redirect("pages:home")
        if not form.is_valid():
            return self._render(request, form, status=400)
        data = form.cleaned_data
        try:
            ratelimit.check_public_form_limits(
                ip_address=client_ip(request), email=data["email"]
            )
        except ratelimit.RateLimitedError:
            form.add_error(None, _("Too many submissions. Please try again later."))
            return self._render(request, form, status=429)
        services.subscribe_to_newsletter(
            email=data["email"],
            first_name=data["first_name"],
            zip_code=data["zip_code"],
        )
        messages.success(request, done)
        return redirect("pages:home")


def _import_form(request, *args):
    return SupporterImportForm(
        *args,
        chapters=chapters_visible_to(request.user),
        chapter_required=not sees_everything(request.user),
    )


class SupporterImportCreateView(StaffRequiredMixin, View):
    def get(self, request):
        form = _import_form(request)
        imports = SupporterImport.objects.filter(created_by=request.user).defer(
            "content"
        )[:10]
        return render(
            request, "supporters/import.html", {"form": form, "imports": imports}
        )

    def post(self, request):
        form = _import_form(request, request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                supporter_import = importing.create_import(
                    file_name=upload.name,
                    content=upload.read(),
                    chapter=form.cleaned_data["chapter"],
                    tag=form.cleaned_data["tag"],
                    user=request.user,
                )
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                messages.success(request, _("File received. The import is queued."))
                return redirect("supporters:import-detail", pk=supporter_import.pk)
        imports = SupporterImport.objects.filter(created_by=request.user).defer(
            "content"
        )[:10]
        return render(
            request,
            "supporters/import.html",
            {"form": form, "imports": imports},
            status=400,
        )


class SupporterImportDetailView(StaffRequiredMixin, View):
    def get(self, request, pk: int):
        qs = SupporterImport.objects.defer("content")
        if not sees_everything(request.user):
            qs = qs.filter(created_by=request.user)
        supporter_import = get_object_or_404(qs, pk=pk)
        return render(
            request,
            "supporters/import_detail.html",
            {
                "import": supporter_import,
                # New/updated counts would tell a chapter leader which emails exist.
                "show_counts": sees_everything(request.user),
            },
        )


# The signed token in the URL is the authority (unguessable, one supporter, one topic);
# a CSRF token would add nothing and RFC 8058's one-click POST carries no cookie.
@method_decorator(csrf_exempt, name="dispatch")
class UnsubscribeView(View):
    """No login. GET asks for one click (a link scanner's GET unsubscribes no one); POST
    unsubscribes: the page's button, or a mailbox's RFC 8058 one-click POST
    (``List-Unsubscribe=One-Click``), which gets a plain 200 at once."""

    template_name = "supporters/unsubscribe.html"

    def get(self, request, token: str):
        if unsubscribe.read_token(token) is None:
            return render(request, self.template_name, {"invalid": True}, status=400)
        return render(request, self.template_name, {"token": token})

    def post(self, request, token: str):
        parsed = unsubscribe.read_token(token)
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        if parsed is None:
            if one_click:
                return HttpResponseBadRequest(
                    "Not a valid unsubscribe link.", content_type="text/plain"
                )
            return render(request, self.template_name, {"invalid": True}, status=400)
        services.unsubscribe_with_token(
            token=parsed, method="one_click" if one_click else "unsubscribe_page"
        )
        if one_click:
            return HttpResponse("Unsubscribed.", content_type="text/plain")
        return render(request, self.template_name, {"done": True})
