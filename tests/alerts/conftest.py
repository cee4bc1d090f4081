"""Fixtures for the alerts app: chapters, leaders, members, legislators, alerts; and for
the send engine: anymail's real Resend backend (Harbor's batch subclass) against a
loopback fake Resend, and members made in bulk."""

import pytest
from django.utils import timezone

from accounts.models import Chapter
from alerts.audience import Filters
from alerts.models import Alert
from legislators.models import Chamber, Legislator, Office
from supporters.models import ChapterMembership, Supporter
from tests.accounts.factories import make_leader
from tests.petitions.factories import CampaignFactory
from tests.supporters.factories import (
    ChapterFactory,
    MembershipFactory,
    SupporterFactory,
)

BODY = """Dear {{ first_name }},

Call your legislators:

{{ legislators }}

[Act now]({{ action_link }})

{{ chapter_name }}
"""


@pytest.fixture(autouse=True)
def _alert_settings(settings):
    settings.SITE_URL = "http://testserver"
    settings.EMAIL_BACKEND = "harbor.mail_backends.FileEmailBackend"
    settings.ALERTS_DAILY_CAP_PER_CHAPTER = 3
    settings.HARBOR_POSTAL_ADDRESS = "Harbor, 1 Example Street, Washington, DC 20001"


@pytest.fixture
def texas(db):
    # Its alert sender is configured (staff set it in the admin): the fixtures' alerts
    # send from it, as a leader's may.
    return ChapterFactory(
        name="Harbor Texas",
        slug="texas",
        state="TX",
        alert_from_email="texas@example.org",
    )


@pytest.fixture
def ohio(db):
    return ChapterFactory(name="Harbor Ohio", slug="ohio", state="OH")


@pytest.fixture
def national(db):
    return ChapterFactory(
        name="Harbor National", slug="national", kind=Chapter.Kind.NATIONAL, state=""
    )


@pytest.fixture
def leader(texas):
    return make_leader(texas, email="leader.tx@example.org")


@pytest.fixture
def campaign(db):
    return CampaignFactory(slug="safe-harbor", title="Safe Harbor")


def member(chapter, **fields):
    supporter = SupporterFactory(**fields)
    MembershipFactory(chapter=chapter, supporter=supporter)
    return supporter


@pytest.fixture
def texans(texas):
    return [
        member(texas, first_name="Ana", congressional_district="TX-25"),
        member(texas, first_name="Ben", congressional_district="TX-07"),
        member(texas, first_name="Chloe", congressional_district="TX-25"),
    ]


@pytest.fixture
def ohioans(ohio):
    return [member(ohio, first_name="Olga", state="OH", zip_code="43215")]


@pytest.fixture
def legislators(db):
    """Texas's senators and the TX-25 representative, with offices and phones."""
    cornyn = Legislator.objects.create(
        bioguide_id="C001056", name="John Cornyn", last_name="Cornyn",
        chamber=Chamber.US_SENATE, state="TX",
    )  # fmt: skip
    Office.objects.create(legislator=cornyn, kind="dc", phone="202-224-2934")
    cruz = Legislator.objects.create(
        bioguide_id="C001098", name="Ted Cruz", last_name="Cruz",
        chamber=Chamber.US_SENATE, state="TX",
    )  # fmt: skip
    Office.objects.create(
        legislator=cruz, kind="district", city="Austin", phone="512-916-5834"
    )
    rep = Legislator.objects.create(
        bioguide_id="W000827", name="Roger Williams", last_name="Williams",
        chamber=Chamber.US_HOUSE, state="TX", district="25",
    )  # fmt: skip
    Office.objects.create(legislator=rep, kind="dc", phone="202-225-9896")
    return [cornyn, cruz, rep]


def sender_for(chapter) -> str:
    """The From address the chapter's alerts may use: its configured sender, else the
    site's default (what a leader may send from; services.check_sender)."""
    from django.conf import settings

    if chapter is not None and chapter.alert_from_email:
        return chapter.alert_from_email
    return settings.ALERTS_FROM_EMAIL


def make_alert(*, chapter, user, campaign=None, body=BODY, **fields) -> Alert:
    defaults = {
        "subject": "{{ first_name }}, act now",
        "preheader": "Two minutes",
        "from_name": "Harbor Texas",
        "from_email": sender_for(chapter),
        "audience": Filters().to_json(),
    }
    defaults.update(fields)
    return Alert.objects.create(
        chapter=chapter, campaign=campaign, body=body, created_by=user, **defaults
    )


# --- the send engine -------------------------------------------------------------------

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
        name=f"{slug.title()} chapter",
        slug=slug,
        kind=Chapter.Kind.STATE,
        state=state,
        # The chapter's alert sender, as sending_alert() uses it.
        alert_from_email="texas@act.example.org",
        alert_reply_to="replies@act.example.org",
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


def sending_alert(chapter: Chapter | None, sender, **fields) -> Alert:
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
def tx_sender(db):
    """A Texas chapter and its leader, for the send engine's tests."""
    chapter = make_chapter("tx")
    return chapter, make_leader(chapter, email="leader-tx@example.org")
