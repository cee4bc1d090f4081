from django.shortcuts import get_object_or_404, render
from django.views import View

from petitions import selectors as petition_selectors
from petitions.models import CampaignVideo

from .models import Campaign


class CampaignDetailView(View):
    """The public face of a campaign: story, video, bills and its actions with counters."""

    def get(self, request, slug: str):
        campaign = get_object_or_404(
            Campaign.objects.exclude(status=Campaign.Status.DRAFT).select_related(
                "chapter"
            ),
            slug=slug,
        )
        return render(
            request,
            "campaigns/detail.html",
            {
                "campaign": campaign,
                "video": CampaignVideo.objects.filter(campaign=campaign).first(),
                "petitions": petition_selectors.campaign_petitions(campaign=campaign),
            },
        )
