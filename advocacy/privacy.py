"""Advocacy's part of a supporter's export and erasure (registered with
``supporters.privacy`` in ``AdvocacyConfig.ready()``): calls and letters as sent, the
letters' sender blocks, patch-through calls."""

from datetime import datetime

from django.db.models import QuerySet

from supporters.models import Supporter

from .models import LetterSender, Outreach, PatchCall

ATTRIBUTION = ("referred_by_code", "utm_source", "utm_medium", "utm_campaign",
               "channel", "state", "congressional_district")  # fmt: skip


def export_outreaches(supporter: Supporter) -> list[dict]:
    """Every call and letter, the letters as sent (subject and body)."""
    rows = supporter.outreaches.select_related(
        "advocacy_campaign__campaign", "legislator"
    ).order_by("pk")
    return [
        {
            "kind": o.kind,
            "campaign": o.advocacy_campaign.campaign.title,
            "legislator": o.legislator.name,
            "method": o.method,
            "outcome": o.outcome,
            "delivery_status": o.delivery_status,
            "subject": o.subject,
            "body": o.body,
            "created_at": o.created_at,
            "delivered_at": o.delivered_at,
            "language": o.language,
            **{field: getattr(o, field) for field in ATTRIBUTION},
        }
        for o in rows
    ]


def export_letter_senders(supporter: Supporter) -> list[dict]:
    return list(
        LetterSender.objects.filter(supporter_id=supporter.pk)
        .order_by("pk")
        .values(
            "prefix",
            "first_name",
            "last_name",
            "street_address",
            "city",
            "state",
            "zip_code",
            "email",
            "created_at",
        )
    )


def _patch_calls(supporter: Supporter) -> QuerySet[PatchCall]:
    sessions = Outreach.objects.filter(supporter_id=supporter.pk).values("session")
    return PatchCall.objects.filter(session__in=sessions)


def export_patch_calls(supporter: Supporter) -> list[dict]:
    return [
        {
            "status": call.status,
            "phone_number": call.phone_number,
            "targets": len(call.legs or []),
            "created_at": call.created_at,
            "ended_at": call.ended_at,
        }
        for call in _patch_calls(supporter).order_by("pk")
    ]


def erase_outreaches(supporter: Supporter) -> int:
    """The calls and letters stay (tallies, reach), without the letters' text; a letter
    still on its way is stopped (its sender block goes: nothing to sign it with)."""
    rows = Outreach.objects.filter(supporter_id=supporter.pk)
    rows.filter(delivery_status=Outreach.Delivery.PENDING).update(
        delivery_status=Outreach.Delivery.FAILED, error="Erased before delivery."
    )
    return rows.update(subject="", body="")


def erase_letter_senders(supporter: Supporter) -> int:
    """Sender blocks deleted, with their delivery jobs (the letters keep their status)."""
    return (
        LetterSender.objects.filter(supporter_id=supporter.pk)
        .delete()[1]
        .get(LetterSender._meta.label, 0)
    )


def erase_patch_calls(supporter: Supporter) -> int:
    """The number called and the rendered scripts (which may name the caller) go."""
    changed = 0
    for call in _patch_calls(supporter):
        legs = [{**leg, "script": ""} for leg in call.legs or []]
        changed += PatchCall.objects.filter(pk=call.pk).update(
            phone_number="", legs=legs
        )
    return changed


def acted_since(since: datetime | None) -> QuerySet:
    rows = Outreach.objects.filter(supporter__isnull=False)
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    return rows.values("supporter_id")
