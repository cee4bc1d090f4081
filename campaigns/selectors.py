"""Reads of campaigns and what they own (bill links)."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import Campaign, CampaignBill


def live_campaigns() -> QuerySet[Campaign]:
    """Live campaigns, newest first, with their chapter."""
    return Campaign.objects.live().select_related("chapter").order_by("-created_at")


def public_campaign_or_404(*, slug: str) -> Campaign:
    """A live or closed campaign (never a draft), with its chapter; Http404 otherwise."""
    return get_object_or_404(
        Campaign.objects.exclude(status=Campaign.Status.DRAFT).select_related(
            "chapter"
        ),
        slug=slug,
    )


def bill_links(*, campaign: Campaign) -> list[CampaignBill]:
    """The campaign's bill links with their bills, in the order staff added them."""
    return list(
        CampaignBill.objects.filter(campaign=campaign)
        .select_related("bill")
        .order_by("pk")
    )


def live_campaigns_for_bill(*, bill_id: int) -> list[Campaign]:
    """Live campaigns linked to one bill (its public page)."""
    return list(
        live_campaigns().filter(bill_links__bill_id=bill_id).order_by("-created_at")
    )


def live_campaigns_for_state(*, state: str) -> QuerySet[Campaign]:
    """Live campaigns about ``state``, with their chapter."""
    return live_campaigns().filter(state=state)
