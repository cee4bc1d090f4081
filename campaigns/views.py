from django.shortcuts import get_object_or_404, render
from django.views import View

from .models import Campaign


class CampaignDetailView(View):
    def get(self, request, slug: str):
        campaign = get_object_or_404(
            Campaign.objects.exclude(status=Campaign.Status.DRAFT).select_related(
                "chapter"
            ),
            slug=slug,
        )
        return render(request, "campaigns/detail.html", {"campaign": campaign})
