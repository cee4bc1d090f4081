import uuid

import pytest
from django.utils import timezone

from accounts.models import Chapter
from petitions.models import Signature
from supporters.models import ChapterMembership
from tests.petitions.factories import PetitionFactory, SupporterFactory
from webhooks.models import WebhookEndpoint

from .receiver import Receiver

ALL_EVENTS = ["supporter.created", "signature.created", "outreach.created"]


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


@pytest.fixture
def chapters(db):
    texas = Chapter.objects.create(name="Texas", slug="tx", kind="state", state="TX")
    california = Chapter.objects.create(
        name="California", slug="ca", kind="state", state="CA"
    )
    return texas, california


def make_endpoint(url: str, *, chapter=None, events=None, **fields) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        url=url, chapter=chapter, events=events or ["signature.created"], **fields
    )


def member(chapter, **fields):
    supporter = SupporterFactory(**fields)
    ChapterMembership.objects.create(supporter=supporter, chapter=chapter)
    return supporter


def sign(supporter, petition=None, **fields) -> Signature:
    return Signature.objects.create(
        petition=petition or PetitionFactory(),
        supporter=supporter,
        referral_code=uuid.uuid4().hex[:16],
        confirmed_at=timezone.now(),
        **fields,
    )
