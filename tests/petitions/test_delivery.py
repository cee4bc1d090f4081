"""The delivery PDF in every script: names shaped and drawn, the text's structure kept."""

import io
import shutil
import subprocess
import unicodedata

import pytest
import uharfbuzz as hb
from django.urls import reverse
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream, NumberObject

from petitions import delivery, services
from petitions.models import DeliveryReport
from petitions.pdf import fallback_faces
from supporters.models import Supporter
from tests.conftest import drain_signatures, require

from .factories import PetitionFactory

SIGNERS = [
    # (first name, last name, city)
    ("李", "小龙", "北京"),
    ("مريم", "العربي", "الرياض"),
    ("דוד", "כהן", "חיפה"),
    ("Анна", "Иванова", "Москва"),
    ("Ελένη", "Παπαδοπούλου", "Αθήνα"),
    # A city without a vowel sign drawn before its consonant: text extraction puts
    # such signs back in the wrong place, however the page draws them.
    ("अनीता", "शर्मा", "पुणे"),
    ("José", "Núñez", "San Antonio"),
]
TEXT = """We ask the **President** to act:

1. Fund the Trafficking Victims Protection Act.
2. Pass Safe Harbor laws in every state.
3. Train every police officer to see a victim.

## Why it matters

Every child deserves safety. كل طفل يستحق الأمان.
"""


def _pdftotext(pdf: bytes, *args: str) -> str:
    require(
        shutil.which("pdftotext") is not None, "pdftotext (poppler-utils) not found"
    )
    done = subprocess.run(
        ["pdftotext", *args, "-", "-"], input=pdf, capture_output=True, check=True
    )
    # pdftotext marks right-to-left runs with embedding controls.
    return done.stdout.decode().replace("\u202b", "").replace("\u202c", "")


def _drawn_glyphs(pdf: bytes) -> list[tuple[str, int]]:
    """(font, glyph id) of every glyph the pages draw, read from the content streams."""
    reader = PdfReader(io.BytesIO(pdf))
    drawn = []
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        font = gid_map = None
        saved = []  # the font is part of the graphics state that q saves and Q restores
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"q":
                saved.append((font, gid_map))
            elif operator == b"Q":
                font, gid_map = saved.pop()
            elif operator == b"Tf":
                font = fonts[operands[0]].get_object()
                cid_font = font["/DescendantFonts"][0].get_object()
                cid_to_gid = cid_font.get("/CIDToGIDMap")
                gid_map = (
                    cid_to_gid.get_object().get_data()
                    if cid_to_gid is not None and cid_to_gid != "/Identity"
                    else None
                )
            elif operator in (b"Tj", b"TJ"):
                strings = operands[0] if operator == b"TJ" else [operands[0]]
                for string in strings:
                    if isinstance(string, NumberObject | float | int):
                        continue
                    raw = (
                        string.original_bytes
                        if hasattr(string, "original_bytes")
                        else bytes(string)
                    )
                    for i in range(0, len(raw), 2):  # Identity-H: two bytes a glyph
                        cid = int.from_bytes(raw[i : i + 2], "big")
                        gid = (
                            int.from_bytes(gid_map[2 * cid : 2 * cid + 2], "big")
                            if gid_map
                            else cid
                        )
                        drawn.append((str(font["/BaseFont"]), gid))
    return drawn


def _outline(glyf, name: str) -> tuple:
    coordinates, _, _ = glyf[name].getCoordinates(glyf)
    return tuple(coordinates)


def _embedded_outlines(pdf: bytes, family: str) -> set[tuple]:
    """The outlines of the glyphs embedded for ``family`` (a subset has no glyph names,
    so glyphs are compared by their outlines)."""
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            if str(font["/BaseFont"]).endswith("+" + family):
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                subset = TTFont(
                    io.BytesIO(descriptor["/FontFile2"].get_object().get_data())
                )
                return {_outline(subset["glyf"], n) for n in subset.getGlyphOrder()}
    raise AssertionError(f"{family} is not embedded")


def _shaped_outlines(text: str, face_name: str) -> set[tuple]:
    """The outlines of the glyphs HarfBuzz picks for ``text`` in a Noto face."""
    (face,) = [f for f in fallback_faces() if f.name == face_name]
    font = hb.Font(hb.Face(hb.Blob.from_file_path(str(face.path))))
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    hb.shape(font, buffer)
    original = TTFont(str(face.path))
    names = original.getGlyphOrder()
    return {_outline(original["glyf"], names[i.codepoint]) for i in buffer.glyph_infos}


@pytest.fixture
def petition_signed_in_every_script(db):
    petition = PetitionFactory(title="Generation Freedom", text=TEXT)
    for i, (first, last, _city) in enumerate(SIGNERS):
        services.sign_petition(
            petition=petition, email=f"s{i}@example.org", first_name=first,
            last_name=last, zip_code="78701",
            comment="لن نتوقف حتى يتحرر كل طفل." if i == 1 else "",
        )  # fmt: skip
    drain_signatures()
    for i, (_first, _last, city) in enumerate(SIGNERS):
        Supporter.objects.filter(email=f"s{i}@example.org").update(city=city)
    return petition


@pytest.mark.filterwarnings("error:.*missing the following glyphs")  # from fpdf2
def test_delivery_pdf_draws_every_script_and_keeps_the_list(
    staff_client, petition_signed_in_every_script
):
    petition = petition_signed_in_every_script
    staff_client.post(reverse("petitions:deliveries", kwargs={"slug": petition.slug}))
    report = DeliveryReport.objects.get()
    delivery.render_delivery_report(report_id=report.pk)  # as the worker does
    pdf = staff_client.get(
        reverse(
            "petitions:delivery-pdf", kwargs={"slug": petition.slug, "pk": report.pk}
        )
    ).content

    text = _pdftotext(pdf)
    for first, last, city in SIGNERS:
        assert f"{first} {last}" in text
        assert city in text
    assert "لن نتوقف حتى يتحرر كل طفل" in text
    layout = _pdftotext(pdf, "-layout")
    for number, words in enumerate(["Fund the", "Pass Safe Harbor", "Train every"], 1):
        assert f"{number}. {words}" in layout
    assert "Why it matters" in text
    assert "**" not in text
    assert "##" not in text

    drawn = _drawn_glyphs(pdf)
    assert drawn
    assert [font for font, gid in drawn if gid == 0] == []  # no .notdef box
    fonts = {font.split("+")[-1] for font, _ in drawn}
    assert {"NotoSansArabic", "NotoSansHebrew", "NotoSansCJKSC"} <= fonts
    assert {"NotoSansDevanagari", "NotoSans"} <= fonts


def test_arabic_is_joined_and_devanagari_shaped(petition_signed_in_every_script):
    pdf = delivery.render_delivery_pdf(
        petition=petition_signed_in_every_script,
        signatures=petition_signed_in_every_script.signatures.all(),
    )
    joined = _shaped_outlines("مريم", "NotoSansArabic")
    isolated = set().union(*(_shaped_outlines(c, "NotoSansArabic") for c in "مريم"))
    assert joined - isolated  # initial, medial and final forms, not isolated letters
    assert joined <= _embedded_outlines(pdf, "NotoSansArabic")
    conjuncts = _shaped_outlines("शर्मा", "NotoSansDevanagari")  # a reph above the ma
    letters = set().union(*(_shaped_outlines(c, "NotoSansDevanagari") for c in "शर्मा"))
    assert conjuncts - letters
    assert conjuncts <= _embedded_outlines(pdf, "NotoSansDevanagari")


def test_right_to_left_words_are_laid_out_right_to_left(
    petition_signed_in_every_script,
):
    pdf = delivery.render_delivery_pdf(
        petition=petition_signed_in_every_script,
        signatures=petition_signed_in_every_script.signatures.all(),
    )
    boxes = _pdftotext(pdf, "-bbox")

    def x_of(word: str) -> float:
        # Words come in the order their glyphs are drawn: right-to-left ones reversed.
        rtl = unicodedata.bidirectional(word[0]) in ("R", "AL")
        drawn = word[::-1] if rtl else word
        start = boxes.index(f">{drawn}</word>")
        tag = boxes.rindex("<word", 0, start)
        return float(boxes[tag:start].split('xMin="')[1].split('"')[0])

    # The first word of a right-to-left name is its rightmost.
    assert x_of("مريم") > x_of("العربي")
    assert x_of("דוד") > x_of("כהן")
    assert x_of("Анна") < x_of("Иванова")


def test_a_character_no_font_has_is_a_question_mark_not_a_box(db):
    petition = PetitionFactory()
    services.sign_petition(
        petition=petition, email="e@example.org", first_name="Zoë 🦄", last_name="Li",
        zip_code="78701",
    )  # fmt: skip
    drain_signatures()
    pdf = delivery.render_delivery_pdf(
        petition=petition, signatures=petition.signatures.all()
    )
    assert "Zoë ? Li" in _pdftotext(pdf)
    assert [gid for _, gid in _drawn_glyphs(pdf) if gid == 0] == []
