"""Public pages (find your legislators, bills, the Safe Harbor map and state pages) and
staff pages to edit bills and Safe Harbor records with their history."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import (
    PermissionRequiredMixin,
)
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import Chapter
from accounts.selectors import history_of
from harbor.staff import StaffRequiredMixin
from harbor.states import STATES

from . import atlas, geocoder, portraits, selectors, services
from .forms import BillForm, LookupForm, SafeHarborForm
from .models import Bill, SafeHarborLaw, SyncRun


class StaffPermissionRequiredMixin(StaffRequiredMixin, PermissionRequiredMixin):
    """Staff, and the model permission for the edit: being staff alone (a chapter
    leader) does not allow editing bills or any state's Safe Harbor record."""


class PageLanguageMixin:
    """A public page in the language ``?lang=`` names (one of LANGUAGES), else the one
    LocaleMiddleware chose from the browser; ``lang_context`` lets its links and forms
    keep ``?lang=``."""

    lang_param = ""

    def dispatch(self, request, *args, **kwargs):
        wanted = request.GET.get("lang", "")
        if wanted not in dict(settings.LANGUAGES):
            return super().dispatch(request, *args, **kwargs)
        self.lang_param = wanted
        with translation.override(wanted):
            return super().dispatch(request, *args, **kwargs)

    def lang_context(self) -> dict[str, str]:
        return {
            "lang_param": self.lang_param,
            "lang_query": f"?lang={self.lang_param}" if self.lang_param else "",
        }


LOOKUP_FIELDS = ("zip_code", "address", "district")


class LegislatorLookupView(PageLanguageMixin, View):
    def get(self, request):
        geocoding = geocoder.is_enabled()
        # ?lang= alone is the empty form, not a lookup without a ZIP code.
        asked = any(name in request.GET for name in LOOKUP_FIELDS)
        form = LookupForm(request.GET if asked else None, geocoding=geocoding)
        result = None
        if form.is_bound and form.is_valid():
            result = selectors.representation_for(
                zip_code=form.cleaned_data["zip_code"],
                address=form.cleaned_data.get("address")
                or request.GET.get("address", "").strip(),
                district=form.cleaned_data["district"],
            )
            if result is None:
                form.add_error(
                    "zip_code",
                    _(
                        "We could not find ZIP code %(zip)s. Check it, or try a "
                        "nearby ZIP code."
                    )
                    % {"zip": form.cleaned_data["zip_code"]},
                )
        status = 400 if form.is_bound and form.errors else 200
        return render(
            request,
            "legislators/lookup.html",
            {
                "form": form,
                "result": result,
                "geocoding": geocoding,
                **self.lang_context(),
            },
            status=status,
        )


class BillListView(PageLanguageMixin, View):
    def get(self, request):
        return render(
            request,
            "legislators/bill_list.html",
            {"bills": selectors.tracked_bills(), **self.lang_context()},
        )


class BillDetailView(PageLanguageMixin, View):
    def get(self, request, pk: int):
        try:
            bill = selectors.bill_detail(pk)
        except Bill.DoesNotExist:
            raise Http404 from None
        return render(
            request,
            "legislators/bill_detail.html",
            {"bill": bill, **self.lang_context()},
        )


class SafeHarborMapView(PageLanguageMixin, View):
    def get(self, request):
        return render(
            request,
            "legislators/safe_harbor_map.html",
            {
                "map": selectors.safe_harbor_map(),
                "viewbox": atlas.viewbox(),
                "statuses": SafeHarborLaw.Status,
                **self.lang_context(),
            },
        )


class SafeHarborStateView(PageLanguageMixin, View):
    def get(self, request, state: str):
        code = state.upper()
        if code not in STATES:
            raise Http404
        law = SafeHarborLaw.objects.filter(state=code).first()
        return render(
            request,
            "legislators/safe_harbor_state.html",
            {
                "code": code,
                "state_name": STATES[code],
                "law": law,
                "components": [
                    (
                        SafeHarborLaw._meta.get_field(f).verbose_name,
                        getattr(law, f"get_{f}_display")(),
                    )
                    for f in SafeHarborLaw.COMPONENTS
                ]
                if law
                else [],
                "bills": selectors.bills_for_state(code),
                "chapter": Chapter.objects.filter(
                    kind=Chapter.Kind.STATE, state=code
                ).first(),
                **self.lang_context(),
            },
        )


# --- Staff ----------------------------------------------------------------------------


def _history(obj):
    return history_of(obj)


class StaffBillListView(StaffRequiredMixin, View):
    def get(self, request):
        return render(
            request,
            "legislators/staff_bills.html",
            {
                "bills": Bill.objects.order_by(
                    "jurisdiction", "-session", "identifier"
                ),
                "laws": SafeHarborLaw.objects.order_by("state"),
                "laws_needing_review": selectors.safe_harbor_records_needing_review(),
                "runs": SyncRun.objects.all()[:10],
                "sync_enabled": {
                    "Congress.gov": bool(settings.CONGRESS_API_KEY),
                    "Open States": bool(settings.OPENSTATES_API_KEY),
                },
            },
        )


class StaffBillEditView(StaffPermissionRequiredMixin, View):
    def get_permission_required(self):
        if self.kwargs.get("pk") is None:
            return ["legislators.add_bill"]
        return ["legislators.change_bill"]

    def _bill(self, pk):
        return get_object_or_404(Bill, pk=pk) if pk else None

    def get(self, request, pk: int | None = None):
        bill = self._bill(pk)
        return render(
            request,
            "legislators/staff_bill_form.html",
            {
                "form": BillForm(instance=bill),
                "bill": bill,
                "history": _history(bill) if bill else [],
            },
        )

    def post(self, request, pk: int | None = None):
        bill = self._bill(pk)
        form = BillForm(request.POST, instance=bill)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.save_bill(
                    user=request.user,
                    bill_id=bill.pk if bill else None,
                    source_urls=data["source_urls_text"],
                    **{f: data[f] for f in BillForm.Meta.fields},
                )
            except ValidationError as exc:
                # A duplicate the form could not see: a simultaneous request added it.
                form.add_error(None, exc)
            else:
                messages.success(request, _("The bill was saved."))
                return redirect("legislators:staff-bill-edit", pk=saved.pk)
        return render(
            request,
            "legislators/staff_bill_form.html",
            {"form": form, "bill": bill, "history": _history(bill) if bill else []},
            status=400,
        )


class StaffSafeHarborEditView(StaffPermissionRequiredMixin, View):
    permission_required = "legislators.change_safeharborlaw"

    def get(self, request, state: str):
        law = get_object_or_404(SafeHarborLaw, state=state.upper())
        return render(
            request,
            "legislators/staff_safe_harbor_form.html",
            {
                "form": SafeHarborForm(instance=law),
                "law": law,
                "history": _history(law),
            },
        )

    def post(self, request, state: str):
        law = get_object_or_404(SafeHarborLaw, state=state.upper())
        form = SafeHarborForm(
            request.POST, instance=SafeHarborLaw.objects.get(pk=law.pk)
        )
        if form.is_valid():
            services.update_safe_harbor(
                law_id=law.pk, user=request.user, **form.cleaned_data
            )
            messages.success(request, _("The Safe Harbor record was saved."))
            return redirect(
                "legislators:staff-safe-harbor-edit", state=law.state.lower()
            )
        return render(
            request,
            "legislators/staff_safe_harbor_form.html",
            {"form": form, "law": law, "history": _history(law)},
            status=400,
        )


class PortraitFileView(View):
    """A stored portrait (``legislators.portraits``), served by Harbor itself so that
    ``./dev run`` and a single-host deployment need no separate media server. Only names
    of the form ``portraits`` stores; anything else is a 404."""

    def get(self, request, name: str):
        if not portraits.PORTRAIT_NAME_RE.match(name):
            raise Http404
        path = f"portraits/{name}"
        if not default_storage.exists(path):
            raise Http404
        extension = name.rsplit(".", 1)[1]
        content_type = next(
            media
            for media, (ext, _magic) in portraits.IMAGE_TYPES.items()
            if ext == extension
        )
        response = FileResponse(
            default_storage.open(path, "rb"), content_type=content_type
        )
        response["Cache-Control"] = "public, max-age=86400"
        return response
