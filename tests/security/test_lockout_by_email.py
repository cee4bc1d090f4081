"""Finding 2 of issue #11: ten submissions of someone's email from any IP blocked that
person from every petition and the newsletter for ten minutes, with a message blaming
"your connection". The per-email limit now counts an email from one connection only."""

import pytest
from django.test import Client
from django.urls import reverse

from petitions.models import Signature
from supporters.models import Supporter
from tests.conftest import drain_signatures
from tests.petitions.conftest import sign_data
from tests.petitions.factories import PetitionFactory

pytestmark = pytest.mark.django_db

VICTIM = "luis@example.org"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.PUBLIC_FORM_RATE_LIMIT_PER_EMAIL = 10
    settings.PUBLIC_FORM_RATE_LIMIT_PER_IP = 1000
    settings.SITE_URL = "http://testserver"
    settings.EMAIL_BACKEND = "harbor.mail_backends.FileEmailBackend"


def _sign(client, petition, email):
    url = reverse("petitions:detail", kwargs={"slug": petition.slug})
    return client.post(url, sign_data(email=email))


def test_a_stranger_flooding_an_email_does_not_lock_its_owner_out():
    stranger = Client(REMOTE_ADDR="203.0.113.66")
    target = PetitionFactory()
    responses = [_sign(stranger, target, VICTIM).status_code for _ in range(12)]
    # The flood itself is stopped, and told so about its own connection.
    assert responses[-1] == 429
    flooded = _sign(stranger, target, VICTIM)
    assert "your connection" in flooded.content.decode()

    owner = Client(REMOTE_ADDR="198.51.100.7")
    other = PetitionFactory()
    assert _sign(owner, other, VICTIM).status_code == 302
    drain_signatures()
    assert Signature.objects.filter(petition=other, supporter__email=VICTIM).exists()
    response = owner.post(
        reverse("supporters:newsletter"),
        {"newsletter-email": VICTIM, "newsletter-consent": "on"},
    )
    assert response.status_code == 302
    assert (
        Supporter.objects.get(email=VICTIM)
        .subscriptions.filter(list="newsletter")
        .exists()
    )
