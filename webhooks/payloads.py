"""What a webhook says about a new record: OSDI-flavoured HAL documents (as Action
Network's webhooks are), with Harbor identifiers ``harbor:<id>`` and links into the OSDI
API at ``/api/v1/``.

Personal data is kept to what a receiving CRM needs to match and file the record: the
person's name, email address with its subscription status, ZIP code and state. Never a
street address, phone number, IP hash, letter body or anything a supporter typed for an
office. A receiver that needs more asks the API, with a token of its own scope.

Each builder reads all the records of one announcement in one query.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models

from advocacy.models import AdvocacyCampaign, Outreach
from petitions.models import Signature
from supporters.models import Supporter
from supporters.selectors import SUPPORTER_CHAPTER_PATH

from .models import Event

Document = dict[str, Any]


def api_url(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/api/v1/{path}/"


def _link(path: str) -> dict[str, str]:
    return {"href": api_url(path)}


def _date(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def person(supporter: Supporter) -> Document:
    """An OSDI person: the few fields a CRM needs to match and file them."""
    subscribed = (
        supporter.email_opt_in
        and supporter.unsubscribed_at is None
        and supporter.suppressed_at is None
    )
    return {
        "identifiers": [f"harbor:{supporter.pk}"],
        "created_date": _date(supporter.created_at),
        "given_name": supporter.first_name,
        "family_name": supporter.last_name,
        "email_addresses": [
            {
                "address": supporter.email,
                "primary": True,
                "status": "subscribed" if subscribed else "unsubscribed",
            }
        ],
        "postal_addresses": [
            {
                "primary": True,
                "postal_code": supporter.zip_code,
                "region": supporter.state,
                "country": "US",
            }
        ],
        "_links": {"self": _link(f"people/{supporter.pk}")},
    }


def _referrer(action) -> Document:
    return {
        "referrer": action.referred_by_code,
        "source": action.utm_source,
        "medium": action.utm_medium,
        "campaign": action.utm_campaign,
        "channel": action.channel,
        "chapter": action.chapter.slug if action.chapter_id else "",
    }


def _supporters(pks: list[int]) -> dict[int, Document]:
    return {
        s.pk: {"osdi:person": person(s)} for s in Supporter.objects.filter(pk__in=pks)
    }


def _signatures(pks: list[int]) -> dict[int, Document]:
    rows = Signature.objects.filter(pk__in=pks).select_related(
        "supporter", "petition", "chapter"
    )
    out: dict[int, Document] = {}
    for sig in rows:
        petition = sig.petition
        out[sig.pk] = {
            "osdi:signature": {
                "identifiers": [f"harbor:{sig.pk}"],
                "created_date": _date(sig.created_at),
                "comments": sig.comment,
                # Double opt-in: an unconfirmed signer has not proved the address is
                # theirs yet; a receiver must not mail them on this signature alone.
                "harbor:confirmed": sig.confirmed_at is not None,
                "harbor:referrer_data": _referrer(sig),
                "_links": {
                    "self": _link(f"petitions/{petition.pk}/signatures/{sig.pk}"),
                    "osdi:petition": _link(f"petitions/{petition.pk}"),
                    "osdi:person": _link(f"people/{sig.supporter_id}"),
                },
                "_embedded": {
                    "osdi:person": person(sig.supporter),
                    "osdi:petition": {
                        "identifiers": [f"harbor:{petition.pk}"],
                        "title": petition.title,
                    },
                },
            }
        }
    return out


def _outreaches(pks: list[int]) -> dict[int, Document]:
    rows = Outreach.objects.filter(pk__in=pks).select_related(
        "supporter", "legislator", "advocacy_campaign__campaign", "chapter"
    )
    out: dict[int, Document] = {}
    for o in rows:
        action = o.advocacy_campaign
        legislator = o.legislator
        links = {
            "self": _link(f"advocacy_campaigns/{action.pk}/outreaches/{o.pk}"),
            "osdi:advocacy_campaign": _link(f"advocacy_campaigns/{action.pk}"),
        }
        embedded: Document = {
            "osdi:advocacy_campaign": {
                "identifiers": [f"harbor:{action.pk}"],
                "title": action.campaign.title,
            }
        }
        if o.supporter_id:
            links["osdi:person"] = _link(f"people/{o.supporter_id}")
            embedded["osdi:person"] = person(o.supporter)  # type: ignore[arg-type]
        out[o.pk] = {
            "osdi:outreach": {
                "identifiers": [f"harbor:{o.pk}"],
                "created_date": _date(o.created_at),
                "type": "phone" if o.kind == AdvocacyCampaign.Kind.CALL else "email",
                "harbor:outcome": o.outcome,
                "harbor:delivery_status": o.delivery_status,
                "targets": [
                    {
                        "title": legislator.get_chamber_display(),
                        "given_name": legislator.first_name,
                        "family_name": legislator.last_name,
                        "harbor:bioguide_id": legislator.bioguide_id or "",
                        "harbor:openstates_id": legislator.openstates_id or "",
                        "region": legislator.state,
                    }
                ],
                "harbor:referrer_data": _referrer(o),
                "_links": links,
                "_embedded": embedded,
            }
        }
    return out


@dataclass(frozen=True)
class Source:
    """A kind of record that webhooks announce: its event, the path from it to a chapter
    (for a chapter's endpoint, through ``visible_to``) and its document builder."""

    model: type[models.Model]
    event: str
    # The same path the staff pages listing these rows use: the signers' list reaches
    # a chapter through the supporter's memberships (petitions.selectors), the calls
    # and letters through the chapter credited (advocacy.selectors).
    chapter_path: str
    build: Callable[[list[int]], dict[int, Document]]


SOURCES: dict[str, Source] = {
    s.model._meta.label_lower: s
    for s in (
        Source(Supporter, Event.SUPPORTER_CREATED, SUPPORTER_CHAPTER_PATH, _supporters),
        Source(
            Signature,
            Event.SIGNATURE_CREATED,
            f"supporter__{SUPPORTER_CHAPTER_PATH}",
            _signatures,
        ),
        Source(Outreach, Event.OUTREACH_CREATED, "chapter", _outreaches),
    )
}


def source_for(model: type[models.Model]) -> Source | None:
    return SOURCES.get(model._meta.label_lower)


def body_for(*, event: str, key: str, payload: Document) -> bytes:
    """The exact bytes POSTed: the same for every attempt of one delivery."""

    document = {"event": event, "idempotency_key": key, **payload}
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def chunks(pks: Iterable[int], size: int) -> Iterable[list[int]]:
    batch: list[int] = []
    for pk in pks:
        batch.append(pk)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
