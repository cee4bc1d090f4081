"""Reads of campaigns."""

from django.db.models import QuerySet

from .models import Campaign


def live_campaigns() -> QuerySet[Campaign]:
    """Live campaigns, newest first, with their chapter."""
    return Campaign.objects.live().select_related("chapter").order_by("-created_at")
