"""The staff dashboard leads to the action alerts: a chapter leader sees where to write
one without knowing the menu."""

import pytest

from tests.accounts.factories import make_leader

pytestmark = pytest.mark.django_db


def test_a_chapter_leader_finds_write_an_alert_on_the_dashboard(client, texas):
    client.force_login(make_leader(texas))
    text = client.get("/staff/").content.decode()
    assert "Action alerts" in text
    assert 'href="/staff/alerts/new/"' in text
    assert 'href="/staff/alerts/"' in text
    # The link works for them.
    assert client.get("/staff/alerts/new/").status_code == 200


def test_in_spanish(client, texas):
    client.force_login(make_leader(texas))
    text = client.get("/staff/?lang=es").content.decode()
    assert "Alertas de acción" in text
    assert "Escribir una alerta" in text
    assert "Ver las alertas" in text
