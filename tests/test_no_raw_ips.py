"""IPs only as keyed hashes (issue #11, item 1): no model of Harbor's has an IP address
field, and after every public form, a staff login (right and wrong) and a staff export
from a known address, that address is nowhere in the database."""

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from accounts.models import AuditEvent, Role
from harbor.models import RateLimitCounter
from harbor.net import hash_ip
from petitions.models import Signature
from tests.accounts.factories import PASSWORD, make_user
from tests.conftest import drain_signatures
from tests.petitions.factories import PetitionFactory

IP = "203.0.113.77"
HARBOR_APPS = {
    "harbor", "accounts", "supporters", "legislators", "campaigns", "petitions",
    "advocacy", "alerts", "reach", "pages", "api", "webhooks",
}  # fmt: skip


def test_no_model_of_harbors_stores_an_ip_address_field():
    for model in apps.get_models():
        if model._meta.app_label not in HARBOR_APPS:
            continue
        for field in model._meta.concrete_fields:
            assert not isinstance(field, models.GenericIPAddressField), field
            if "ip" in field.name.split("_"):
                assert field.name.endswith("_hash"), field


def _text_values():
    """Every text and JSON value of every table (a small test database)."""
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(
                f,
                models.CharField
                | models.TextField
                | models.JSONField
                | models.GenericIPAddressField,
            )
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            for value in row:
                yield model, str(value)


@pytest.mark.django_db
def test_a_client_address_is_stored_only_as_its_keyed_hash(client, settings):
    settings.HARBOR_TRUSTED_PROXIES = ["10.0.0.0/8"]  # the peer is our proxy
    headers = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": f"1.2.3.4, {IP}"}
    petition = PetitionFactory()
    client.post(
        petition.get_absolute_url(),
        {"first_name": "Ana", "last_name": "G", "email": "ana@example.org",
         "zip_code": "78701", "is_public": "on"},
        **headers,
    )  # fmt: skip
    client.post(
        reverse("supporters:newsletter"),
        {"newsletter-email": "neo@example.org", "newsletter-consent": "on"},
        **headers,
    )
    client.post(
        reverse("petitions:sign-ons", kwargs={"slug": petition.slug}),
        {"name": "Org", "kind": "nonprofit", "contact_name": "Lee",
         "contact_email": "lee@example.org"},
        **headers,
    )  # fmt: skip
    staff = make_user("staff@example.org", role=Role.STAFF_ADMIN)
    client.post(
        "/accounts/login/",
        {"username": staff.email, "password": "wrong"},
        **headers,
    )
    client.post(
        "/accounts/login/",
        {"username": staff.email, "password": PASSWORD},
        **headers,
    )
    client.force_login(staff)
    b"".join(client.get(reverse("supporters:export"), **headers).streaming_content)

    drain_signatures()  # the intake row becomes the signature, its hash carried over
    signature = Signature.objects.get()
    assert signature.ip_hash == hash_ip(IP)
    assert AuditEvent.objects.filter(ip_hash=hash_ip(IP)).exists()
    if not settings.REDIS_URL:
        assert RateLimitCounter.objects.exists()  # the database counter: keys hashed
    for model, value in _text_values():
        assert IP not in value, model
        assert "10.0.0.1" not in value, model
