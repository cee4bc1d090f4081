"""The public legislator pages in Spanish (?lang=es, or the browser's language), with
dates in the page's language."""

import pytest
from django.urls import reverse

from legislators import services
from legislators.models import Bill

pytestmark = pytest.mark.django_db
LOOKUP = reverse("legislators:lookup")


def spanish(client, url, params=None):
    response = client.get(url, {**(params or {}), "lang": "es"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="es">' in html
    return html


def test_the_lookup_form_in_spanish_keeps_the_language_when_submitted(client):
    html = spanish(client, LOOKUP)
    assert "<h1>Encuentra a tus legisladores</h1>" in html
    assert "Buscar a mis legisladores" in html
    assert '<input type="hidden" name="lang" value="es">' in html
    assert "errorlist" not in html  # ?lang= alone is not an empty lookup


def test_lookup_results_in_spanish(client, districts, settings):
    settings.CENSUS_GEOCODER_URL = ""
    html = spanish(client, LOOKUP, {"zip_code": "78701"})
    assert "Legisladores del código postal 78701" in html
    assert "Senado de EE. UU. · TX" in html
    assert '<span class="member-title">Senador(a)</span>' in html
    assert '<span class="member-title">Representante</span>' in html
    assert "(Oficina en Austin)" in html
    assert "(Oficina en Washington, DC)" in html
    assert "Demócrata" in html
    assert "Find your legislators" not in html


def test_a_split_zip_in_spanish_offers_its_districts(client, districts, settings):
    settings.CENSUS_GEOCODER_URL = ""
    html = spanish(client, LOOKUP, {"zip_code": "35062", "address": "1 Main St"})
    assert "No pudimos usar tu dirección" in html
    assert "Tu código postal está dividido entre 3 distritos del Congreso." in html
    assert "¿En qué distrito del Congreso vives?" in html
    choice = html[html.index("district-choice") :]
    assert '<input type="hidden" name="lang" value="es">' in choice
    html = spanish(client, LOOKUP, {"zip_code": "35062", "district": "AL-06"})
    assert "Elegiste el distrito AL-06." in html
    assert 'href="?zip_code=35062&amp;lang=es">Elegir otro distrito</a>' in html


def test_dc_in_spanish_has_no_senators_and_a_delegate(client, districts):
    html = spanish(client, LOOKUP, {"zip_code": "20001"})
    assert "no tiene senadores en el Senado de EE. UU." in html
    assert '<span class="member-title">Delegado(a)</span>' in html


def test_the_safe_harbor_map_in_spanish(client):
    services.import_safe_harbor()
    html = spanish(client, reverse("legislators:map"))
    assert "<h1>Leyes Safe Harbor por estado</h1>" in html
    assert "Qué miden los colores" in html
    for words in ("Esfuerzos notables", "Algún progreso", "Poco progreso"):
        assert f"<strong>{words}</strong>" in html
    assert "Las fuentes van de 2008 a 2025." in html
    assert "<title>Ohio: Poco progreso</title>" in html
    assert 'href="/safe-harbor/ny/?lang=es"' in html
    assert "Low progress" not in html


def test_a_state_page_in_spanish(client):
    services.import_safe_harbor()
    html = spanish(client, reverse("legislators:state", kwargs={"state": "ny"}))
    assert "Safe Harbor en New York" in html
    assert "Algún progreso" in html
    assert "Según New York Social Services Law §§447-a, 447-b, 2008." in html
    assert "Servicios especializados financiados" in html
    assert 'href="/safe-harbor/?lang=es">Todos los estados</a>' in html
    assert 'href="/legislators/?lang=es">Encuentra a tus legisladores</a>' in html


def test_bill_pages_in_spanish_with_spanish_dates(client):
    services.import_tvpa_bills()
    bill = Bill.objects.get(session="118", identifier="H.R. 5856")
    html = spanish(client, reverse("legislators:bills"))
    assert "<h1>Proyectos de ley que seguimos</h1>" in html
    assert f'href="{bill.get_absolute_url()}?lang=es"' in html
    assert "Congreso" in html
    html = spanish(client, bill.get_absolute_url())
    assert "Aprobado en una cámara" in html
    assert "Cronología" in html
    assert '13 de febrero de 2024</time> · <span class="muted">Cámara</span>' in html
    assert "Feb. 13, 2024" not in html


def test_english_stays_the_default_and_the_browser_language_is_honoured(client):
    services.import_tvpa_bills()
    bill = Bill.objects.get(session="118", identifier="H.R. 5856")
    html = client.get(bill.get_absolute_url()).content.decode()
    assert "Feb. 13, 2024" in html
    assert "Timeline" in html
    html = client.get(
        bill.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "13 de febrero de 2024" in html
    html = client.get(
        bill.get_absolute_url(), {"lang": "en"}, HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "Feb. 13, 2024" in html
