import contextlib

import pytest
from django.core.cache import cache

from .factories import PetitionFactory


@pytest.fixture(autouse=True)
def _petition_settings(settings):
    # Counts are read fresh unless a test is about the cache; the cache table outlives
    # transactional tests, so it starts empty.
    settings.PETITIONS_COUNT_CACHE_SECONDS = 0
    settings.PUBLIC_FORM_RATE_LIMIT_PER_IP = 1000
    settings.SITE_URL = "http://testserver"
    # Django's test setup swaps in locmem mail; the ESP-like file backend reports status.
    settings.EMAIL_BACKEND = "harbor.mail_backends.FileEmailBackend"
    # Tests without database access have nothing cached.
    with contextlib.suppress(Exception):
        cache.clear()


@pytest.fixture
def petition(db):
    return PetitionFactory()


def sign_data(**overrides) -> dict:
    data = {
        "first_name": "Ana",
        "last_name": "Garcia",
        "email": "ana@example.org",
        "zip_code": "78701",
        "phone": "",
        "comment": "",
        "wants_email": "on",
        "is_public": "on",
        "website_url": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def drain_on_sign(monkeypatch):
    """Drain the intake as each signature is written, as the worker does moments later:
    for tests about what follows a signature (its page, its email, its export), not
    about the intake itself."""
    from petitions import intake

    request_drain = intake.request_drain

    def drain_now():
        request_drain()
        intake.drain_intake()

    monkeypatch.setattr(intake, "request_drain", drain_now)
