"""?lang= switches the whole site, and the choice carries to the next page."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_lang_in_the_query_sticks_for_the_header_and_later_pages(client):
    first = client.get(reverse("pages:home"), {"lang": "es"})
    html = first.content.decode()
    assert 'lang="es"' in html
    assert "Campañas" in html  # the header's links
    assert first.cookies["django_language"].value == "es"
    later = client.get(reverse("legislators:lookup"))  # no ?lang= on the link
    assert 'lang="es"' in later.content.decode()
    back = client.get(reverse("pages:home"), {"lang": "en"})
    assert 'lang="en"' in back.content.decode()


@pytest.mark.django_db
def test_an_unknown_lang_changes_nothing(client):
    response = client.get(reverse("pages:home"), {"lang": "xx"})
    assert 'lang="en"' in response.content.decode()
    assert "django_language" not in response.cookies
