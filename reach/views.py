"""Staff pages of reach: the dashboard (issue #12) and its CSV exports; delivery
packets (request one, watch it being prepared, download its PDF and CSV). Thin:
selector, service, render."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from campaigns.models import Campaign
from harbor.staff import StaffRequiredMixin, streaming_csv_response
from legislators import atlas
from petitions.intake import pending_total
from supporters.importing import _safe_cell

from . import dashboard, rollups, selectors, services
from .forms import DashboardFilterForm
from .models import DeliveryPacket


@method_decorator(never_cache, name="dispatch")
class DeliveryPacketListView(StaffRequiredMixin, View):
    """A campaign's delivery packets for its targeted legislators, prepared by a
    worker from the actions the requester may see."""

    def get(self, request, slug: str):
        campaign = get_object_or_404(Campaign, slug=slug)
        packets = list(
            selectors.packets_visible_to(request.user, campaign=campaign)[:20]
        )
        return render(
            request,
            "reach/staff_packets.html",
            {
                "campaign": campaign,
                "packets": packets,
                "in_progress": any(p.status in ("pending", "running") for p in packets),
            },
        )

    def post(self, request, slug: str):
        campaign = get_object_or_404(Campaign, slug=slug)
        services.request_delivery_packet(
            campaign=campaign, user=request.user, request=request
        )
        messages.success(
            request,
            _("The delivery packet is being prepared."),
        )
        return redirect("reach:packets", slug=slug)


class DeliveryPacketDownloadView(StaffRequiredMixin, View):
    """The PDF or the CSV of a ready packet the user may see; else a 404."""

    formats = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}

    def get(self, request, slug: str, pk: int, fmt: str):
        campaign = get_object_or_404(Campaign, slug=slug)
        packet = get_object_or_404(
            selectors.packets_visible_to(request.user, campaign=campaign).defer(None),
            pk=pk,
            status=DeliveryPacket.Status.DONE,
        )
        body = bytes(packet.pdf if fmt == "pdf" else packet.csv)
        response = HttpResponse(body, content_type=self.formats[fmt])
        response["Content-Disposition"] = (
            f'attachment; filename="packet-{campaign.slug}-{packet.pk}.{fmt}"'
        )
        return response


def _board(request):
    form = DashboardFilterForm(request.GET or None, user=request.user)
    return form, dashboard.dashboard(request.user, form.filters())


@method_decorator(never_cache, name="dispatch")
class ReachDashboardView(StaffRequiredMixin, View):
    """What every campaign achieved (issue #12), overall or for one campaign, for the
    actions the user may see; every chart has its table, every table its CSV."""

    def get(self, request):
        form, board = _board(request)
        run = rollups.last_run()
        query = request.GET.urlencode()
        return render(
            request,
            "reach/dashboard.html",
            {
                "form": form,
                "board": board,
                "charts": dashboard.chart_data(board),
                "viewbox": atlas.viewbox(),
                "stages": list(dashboard.STAGE_LABELS.items()),
                "as_of": run.finished_at if run else None,
                "query": f"?{query}" if query else "",
                "shades": range(1, dashboard.SHADES + 1),
                "default_days": settings.REACH_DEFAULT_DAYS,
                # Signatures are counted once drained (petitions.intake): say how many
                # wait, so a viral hour is not mistaken for a quiet one.
                "pending_signatures": pending_total(),
            },
        )


class ReachExportView(StaffRequiredMixin, View):
    """One table of the dashboard as CSV, with the same filters."""

    def get(self, request, table: str):
        _form, board = _board(request)
        tables = dashboard.csv_tables(board)
        if table not in tables:
            raise Http404
        header, rows = tables[table]
        return streaming_csv_response(
            [header, *([_safe_cell(str(v)) for v in row] for row in rows)],
            filename_stem=f"reach-{table}",
        )
