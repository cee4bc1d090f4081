from pathlib import Path

import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "es" / "LC_MESSAGES"


def test_spanish_catalog_is_compiled_and_has_no_fuzzy_entries():
    po = (LOCALE / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po
    assert (LOCALE / "django.mo").stat().st_size > 1000


@pytest.mark.parametrize(
    ("english", "spanish"),
    [
        ("Sign the petition", "Firma la petición"),
        ("Thank you for signing!", "¡Gracias por firmar!"),
        ("Confirm my signature", "Confirmar mi firma"),
        ("You already signed this petition", "Ya firmaste esta petición"),
        (
            "Together we can end child trafficking.",
            "Juntos podemos acabar con la trata infantil.",
        ),
        (
            "This text contains invisible characters that change its direction. "
            "Please type it again without them.",
            "Este texto contiene caracteres invisibles que cambian su dirección. "
            "Escríbelo de nuevo sin ellos.",
        ),
        (
            "Some characters of this text could not be read. Please type it again.",
            "No se pudieron leer algunos caracteres de este texto. Escríbelo de nuevo.",
        ),
    ],
)
def test_public_strings_are_translated_to_spanish(english, spanish):
    with translation.override("es"):
        assert translation.gettext(english) == spanish
