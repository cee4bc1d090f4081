from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from alerts.audience import count_in_words

LOCALE = (
    Path(__file__).resolve().parents[2] / "alerts" / "locale" / "es" / "LC_MESSAGES"
)


def test_the_alerts_catalog_is_complete_and_compiled():
    po = (LOCALE / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po
    # Every msgstr is filled but the header's.
    assert po.count('msgstr ""\n') == 1
    assert (LOCALE / "django.mo").stat().st_size > 1000


def test_count_in_words_in_spanish(texas):
    with translation.override("es"):
        assert count_in_words(1, texas) == "1 persona en Harbor Texas"
        assert translation.gettext("Alerts") == "Alertas"


@pytest.mark.django_db
def test_the_compose_page_in_spanish(client, leader, texas):
    client.force_login(leader)
    page = client.get(reverse("alerts:compose") + "?lang=es").content.decode()
    assert "Escribir una alerta" in page
    assert "Campos de combinación" in page
