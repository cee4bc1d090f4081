"""Staff pages for supporters: list and search, CSV import with progress, CSV export."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from harbor.staff import StaffRequiredMixin, streaming_csv_response

from . import importing, selectors
from .forms import SupporterImportForm, SupporterSearchForm
from .models import Supporter, SupporterImport


def _search(request):
    """The search form bound to the query string, and the visible supporters it selects
    (none when the form is invalid: dropping a bad filter would widen the selection)."""
    chapters = selectors.chapters_visible_to(request.user)
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
        return streaming_csv_response(
            importing.export_rows(qs), filename_stem="supporters"
        )


def _import_form(request, *args):
    return SupporterImportForm(
        *args,
        chapters=selectors.chapters_visible_to(request.user),
        chapter_required=not selectors.can_see_all_supporters(request.user),
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
        if not selectors.can_see_all_supporters(request.user):
            qs = qs.filter(created_by=request.user)
        supporter_import = get_object_or_404(qs, pk=pk)
        return render(
            request,
            "supporters/import_detail.html",
            {
                "import": supporter_import,
                # New/updated counts would tell a chapter leader which emails exist.
                "show_counts": selectors.can_see_all_supporters(request.user),
            },
        )
