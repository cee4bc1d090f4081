"""Reach's part of an erasure (registered with ``supporters.privacy`` in
``ReachConfig.ready()``): stored delivery packets that listed the person are rendered
again without them."""

from advocacy.models import Outreach
from petitions.models import Signature
from supporters.models import Supporter
from supporters.privacy import render_again

from .models import DeliveryPacket


def erase_from_packets(supporter: Supporter) -> int:
    campaigns = set(
        Signature.objects.filter(supporter_id=supporter.pk).values_list(
            "petition__campaign_id", flat=True
        )
    ) | set(
        Outreach.objects.filter(supporter_id=supporter.pk).values_list(
            "advocacy_campaign__campaign_id", flat=True
        )
    )
    return render_again(
        DeliveryPacket.objects.filter(campaign_id__in=campaigns).exclude(
            status=DeliveryPacket.Status.FAILED
        )
    )
