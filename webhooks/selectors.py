"""Reads for the webhook staff pages, all through ``accounts.selectors.visible_to``:
national staff see every endpoint, a chapter leader their chapters' endpoints (never a
national one), anyone else none."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from accounts.selectors import AnyUser, visible_to

from .models import WebhookDelivery, WebhookEndpoint


def endpoints_visible_to(user: AnyUser) -> QuerySet[WebhookEndpoint]:
    return visible_to(
        user,
        WebhookEndpoint.objects.select_related("chapter").order_by(
            "-created_at", "-pk"
        ),
        chapter_path="chapter",
    )


def status_counts(endpoint_ids: list[int]) -> dict[int, dict[str, int]]:
    """Deliveries per endpoint and status (every status, and "waiting": pending or
    running), one grouped query."""
    counts: dict[int, dict[str, int]] = {
        pk: dict.fromkeys(WebhookDelivery.Status.values, 0) for pk in endpoint_ids
    }
    rows = (
        WebhookDelivery.objects.filter(endpoint_id__in=endpoint_ids)
        .values_list("endpoint_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for endpoint_id, status, n in rows:
        counts[endpoint_id][status] = n
    for c in counts.values():
        c["waiting"] = c["pending"] + c["running"]
    return counts


def deliveries_of(
    endpoint: WebhookEndpoint, *, status: str = ""
) -> QuerySet[WebhookDelivery]:
    """An endpoint's deliveries, newest first, without their documents (the page shows
    no personal data)."""
    qs = WebhookDelivery.objects.filter(endpoint=endpoint).defer("payload")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")
