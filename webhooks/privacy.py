"""Outgoing webhooks' part of a supporter's erasure (registered with
``supporters.privacy`` in ``WebhooksConfig.ready()``): a delivery not yet made of one of
the person's records is not made (skipped), and every delivery's copy of their data is
emptied. Deliveries already made left Harbor; the receiver's copy is the receiver's."""

from django.db.models import Q

from advocacy.models import Outreach
from petitions.models import Signature
from supporters.models import Supporter

from .models import WebhookDelivery


def _deliveries_of(supporter: Supporter):
    return WebhookDelivery.objects.filter(
        Q(object_type="supporters.supporter", object_id=supporter.pk)
        | Q(
            object_type="petitions.signature",
            object_id__in=Signature.objects.filter(supporter_id=supporter.pk).values(
                "pk"
            ),
        )
        | Q(
            object_type="advocacy.outreach",
            object_id__in=Outreach.objects.filter(supporter_id=supporter.pk).values(
                "pk"
            ),
        )
    )


def erase_deliveries(supporter: Supporter) -> int:
    deliveries = _deliveries_of(supporter)
    waiting = deliveries.filter(
        status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.FAILED]
    ).update(status=WebhookDelivery.Status.SKIPPED, payload={}, claim_token=None)
    return waiting + deliveries.exclude(payload={}).update(payload={})
