from django.contrib.auth.decorators import user_passes_test
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from campaigns.selectors import live_campaigns
from petitions import selectors as petition_selectors
from supporters import selectors as supporter_selectors

from . import health


class HomeView(View):
    def get(self, request):
        campaigns = list(live_campaigns()[:12])
        by_campaign = petition_selectors.petitions_for_campaigns(
            campaign_ids=[c.pk for c in campaigns]
        )
        for campaign in campaigns:
            campaign.petition_summaries = by_campaign.get(campaign.pk, [])
        return render(request, "home.html", {"campaigns": campaigns})


@method_decorator(never_cache, name="dispatch")
class LiveView(View):
    """Liveness: the process answers. Also the trivial baseline view for benchmarks."""

    def get(self, request):
        return HttpResponse("ok", content_type="text/plain")


@method_decorator(never_cache, name="dispatch")
class HealthView(View):
    def get(self, request):
        checks = {"database": health.check_database(), "broker": health.check_broker()}
        ok = not any(checks.values())
        body = {
            "status": "ok" if ok else "error",
            "checks": {name: reason or "ok" for name, reason in checks.items()},
        }
        return JsonResponse(body, status=200 if ok else 503)


def _is_staff(user):
    return user.is_active and user.is_staff


@method_decorator(user_passes_test(_is_staff), name="dispatch")
class StaffDashboardView(View):
    def get(self, request):
        visible = supporter_selectors.supporters_visible_to(request.user)
        return render(
            request,
            "staff/dashboard.html",
            {
                "supporter_count": visible.count(),
                "emailable_count": visible.emailable().count(),
                "chapters": supporter_selectors.chapters_visible_to(request.user),
                "campaigns": live_campaigns()[:10],
            },
        )
