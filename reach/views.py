"""Staff pages for delivery packets: request one, watch it being prepared, download
its PDF and CSV. Thin: selector, service, render."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from campaigns.models import Campaign
from harbor.staff import StaffRequiredMixin

from . import selectors, services
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
