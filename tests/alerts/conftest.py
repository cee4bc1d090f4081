"""Fixtures for the alert send engine: anymail's real Resend backend (Harbor's batch
subclass) against a loopback fake Resend, and alerts with a chapter, a leader and
members made in bulk."""

import pytest
from django.utils import timezone

from accounts.models import Chapter
from alerts.models import Alert
from supporters.models import ChapterMembership, Supporter
from tests.accounts.factories import make_leader

RESEND_BACKEND = "harbor.mail_backends.ResendBatchBackend"


@pytest.fixture
def fake_resend(settings):
    """anymail's Resend backend (in this process), pointed at a loopback fake Resend."""
    from tests.fake_esp import FakeResend

    with FakeResend() as fake:
        settings.EMAIL_BACKEND = RESEND_BACKEND
        settings.ANYMAIL = {"RESEND_API_KEY": fake.api_key, "RESEND_API_URL": fake.url}
        yield fake


def worker_env_for(fake, monkeypatch, **extra: str) -> None:
    """Point a worker process started after this at ``fake`` (start_worker copies the
    environment)."""
    monkeypatch.setenv("EMAIL_BACKEND", RESEND_BACKEND)
    monkeypatch.setenv("RESEND_API_KEY", fake.api_key)
    monkeypatch.setenv("RESEND_API_URL", fake.url)
    for name, value in extra.items():
        monkeypatch.setenv(name, value)


def make_chapter(slug: str, state: str = "TX") -> Chapter:
    return Chapter.objects.create(
        name=f"{slug.title()} chapter", slug=slug, kind=Chapter.Kind.STATE, state=state
    )


def add_members(chapter: Chapter, count: int, *, prefix: str) -> list[int]:
    """``count`` opted-in supporters of ``chapter`` in bulk; returns their ids."""
    now = timezone.now()
    Supporter.objects.bulk_create(
        [
            Supporter(
                email=f"{prefix}{i}@example.org",
                first_name=f"P{i}",
                state=chapter.state,
                zip_code="78701",
                email_opt_in=True,
                opt_in_at=now,
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    ids = list(
        Supporter.objects.filter(email__startswith=prefix).values_list("pk", flat=True)
    )
    ChapterMembership.objects.bulk_create(
        [ChapterMembership(chapter=chapter, supporter_id=pk) for pk in ids],
        batch_size=2000,
    )
    return ids


def make_alert(chapter: Chapter | None, sender, **fields) -> Alert:
    values = {
        "subject": "Call {{ first_name }} today",
        "body": "Hello {{ first_name }},\n\nCall your legislators:\n\n{{ legislators }}\n",
        "from_name": "Texas chapter",
        "from_email": "texas@act.example.org",
        "reply_to": "replies@act.example.org",
        "created_by": sender,
        "confirmed_count": 0,
        **fields,
    }
    return Alert.objects.create(chapter=chapter, **values)


@pytest.fixture
def texas(db):
    chapter = make_chapter("texas")
    return chapter, make_leader(chapter, email="leader-tx@example.org")
