"""Bad input of every kind gets a clear 4xx (or a pretend success), never a 500."""

import pytest
from django.urls import reverse

from petitions.models import Signature

from .conftest import sign_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("drain_on_sign")]

BAD_INPUTS = [
    {},
    {"email": ""},
    {"email": "a" * 300 + "@example.org"},
    {"email": "ana@exämple.org"},
    {"email": "<script>@example.org"},
    {"email": "ana@example.org\r\nBcc: x@example.org"},
    {"zip_code": "\uff17\uff18\uff17\uff10\uff11"},  # fullwidth digits
    {"zip_code": "\u0667\u0668\u0667\u0660\u0661"},  # Arabic-Indic digits
    {"zip_code": "<b>1</b>"},
    {"phone": "+1 (555) 0100 ext <script>"},
    {"phone": "9" * 30},
    {"first_name": "😀" * 50, "last_name": "Ω"},
    {"first_name": "\u202eevil", "comment": "\u0000"},
    {"comment": "x" * 1001},
    {"comment": "<iframe src=javascript:alert(1)>"},
    {"wants_email": "maybe", "is_public": "yes"},
    {"ref": "../../etc", "utm_source": "\x00"},
    {"utm_campaign": "é" * 500},
]


@pytest.mark.parametrize("overrides", BAD_INPUTS)
def test_bad_input_never_gives_a_500(client, petition, overrides):
    url = reverse("petitions:detail", kwargs={"slug": petition.slug})
    data = sign_data(**overrides) if overrides else {}
    response = client.post(url + "?lang=xx&ref=%00", data)
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert not Signature.objects.exists()
        assert "errorlist" in response.content.decode()


def test_repeated_fields_and_multipart_bodies_are_handled(client, petition):
    url = reverse("petitions:detail", kwargs={"slug": petition.slug})
    response = client.post(
        url, {**sign_data(), "email": ["a@example.org", "b@example.org"]}
    )
    assert response.status_code == 302
    assert Signature.objects.count() == 1


def test_oversized_body_is_refused_cleanly(client, petition, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    url = reverse("petitions:detail", kwargs={"slug": petition.slug})
    response = client.post(url, sign_data(comment="x" * 100_000))
    assert response.status_code == 400
    assert not Signature.objects.exists()


def test_fullwidth_zip_digits_are_stored_as_ascii(client, petition):
    url = reverse("petitions:detail", kwargs={"slug": petition.slug})
    client.post(url, sign_data(zip_code="\uff17\uff18\uff17\uff10\uff11"))
    assert Signature.objects.get().supporter.zip_code == "78701"
