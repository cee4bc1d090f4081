"""Pages that compose several apps: the home page, a campaign's page, the staff dashboard.
Each view asks the apps' selectors for its parts; nothing here writes."""

from django.shortcuts import render
from django.views import View

from accounts.selectors import chapters_visible_to
from advocacy import selectors as advocacy_selectors
from campaigns import selectors as campaign_selectors
from harbor.staff import StaffRequiredMixin
from petitions import selectors as petition_selectors
from supporters import selectors as supporter_selectors
from supporters.forms import NewsletterForm


class HomeView(View):
    def get(self, request):
        campaigns = list(campaign_selectors.live_campaigns()[:12])
        by_campaign = petition_selectors.petitions_for_campaigns(
            campaign_ids=[c.pk for c in campaigns]
        )
        for campaign in campaigns:
            campaign.petition_summaries = by_campaign.get(campaign.pk, [])
        return render(
            request,
            "pages/home.html",
            {"campaigns": campaigns, "newsletter_form": NewsletterForm()},
        )


class CampaignDetailView(View):
    """The public face of a campaign: story, video, bills and its actions with counters."""

    def get(self, request, slug: str):
        campaign = campaign_selectors.public_campaign_or_404(slug=slug)
        return render(
            request,
            "pages/campaign.html",
            {
                "campaign": campaign,
                "bill_links": campaign_selectors.bill_links(campaign=campaign),
                "petitions": petition_selectors.campaign_petitions(campaign=campaign),
                "advocacy_actions": advocacy_selectors.campaign_actions(
                    campaign=campaign
                ),
            },
        )


class StaffDashboardView(StaffRequiredMixin, View):
    def get(self, request):
        visible = supporter_selectors.supporters_visible_to(request.user)
        return render(
            request,
            "pages/staff_dashboard.html",
            {
                "supporter_count": visible.count(),
                "emailable_count": visible.emailable().count(),
                "chapters": chapters_visible_to(request.user),
                "campaigns": campaign_selectors.live_campaigns()[:10],
            },
        )
