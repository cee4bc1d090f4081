"""PDF pages in every script a signer may type: fpdf2 lays out the text, HarfBuzz
(uharfbuzz) shapes it (Arabic joined, Devanagari conjuncts, right-to-left runs in visual
order), and Debian's Noto fonts draw it. The document embeds only the faces its text
uses, subset to the glyphs used.

Fonts: fonts-noto-core and fonts-noto-cjk, installed by .ci/run, the Dockerfile and
./dev. Their paths are Debian's, the same on every machine the project runs on.
"""

import functools
import logging
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from fontTools.ttLib import TTCollection, TTFont
from fpdf import FPDF
from fpdf.bidi import auto_detect_base_direction
from fpdf.enums import TextDirection
from fpdf.fonts import FontFace, TextStyle, TTFFont

from harbor.markdown import render_markdown

# fontTools logs every table of every font it subsets at INFO: a worker's log would be
# mostly that.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/share/fonts/opentype/noto"),
)
DEBIAN_PACKAGES = "fonts-noto-core fonts-noto-cjk"
BASE = "NotoSans"  # Latin, Greek, Cyrillic, Vietnamese: most signers
# Simplified Chinese forms (face 2 of the collection); the face has kana and hangul too.
CJK_FILE, CJK_FACE = "NotoSansCJK-Regular.ttc", 2
# Faces of a script that draw it differently, not more of it.
SKIP_WORDS = ("Display", "Mono", "UI", "Unjoined", "Looped")
# Below this every script Noto Sans draws needs no shaping (Latin to Armenian).
COMPLEX_FROM = 0x0590
# Drawn for a character no installed font has (an emoji, a script not installed), so
# that no page shows a .notdef box.
MISSING = "?"


HEADING_SIZES = {"h1": 16, "h2": 14, "h3": 12, "h4": 11}  # points


def _heading_style(size: float) -> TextStyle:
    return TextStyle(
        font_family=BASE, font_style="B", font_size_pt=size, color="#1b2430",
        t_margin=3, b_margin=1,
    )  # fmt: skip


class MissingFontsError(ImproperlyConfigured):
    """The Noto fonts are not installed."""


@dataclass(frozen=True)
class Face:
    name: str
    path: Path
    index: int
    cmap: frozenset[int]


def _face(path: Path, index: int = 0) -> Face:
    if path.suffix == ".ttc":
        font = TTCollection(str(path), lazy=True).fonts[index]
    else:
        font = TTFont(str(path), lazy=True)
    name = path.stem.replace("-Regular", "") + (f"{index}" if index else "")
    return Face(name, path, index, frozenset(font.getBestCmap()))


def base_font(style: str = "Regular") -> Path:
    """The Noto Sans file of ``style``; MissingFontsError if it is not installed."""
    for directory in FONT_DIRS:
        if (directory / f"{BASE}-{style}.ttf").exists():
            return directory / f"{BASE}-{style}.ttf"
    raise MissingFontsError(
        f"{BASE}-{style}.ttf is not installed in {FONT_DIRS[0]}: PDFs need Debian's "
        f"{DEBIAN_PACKAGES} (apt-get install {DEBIAN_PACKAGES})."
    )


@functools.cache
def fallback_faces() -> tuple[Face, ...]:
    """Every installed Noto face that may stand in for a character Noto Sans lacks: CJK
    first, then the other Noto Sans faces, then the rest (Serif-only scripts), each
    group by name. Read once per process (character maps only, well under a second)."""
    base_font()
    paths = sorted(
        p
        for d in FONT_DIRS
        for p in d.glob("Noto*-Regular.ttf")
        if p.name != f"{BASE}-Regular.ttf" and not any(w in p.name for w in SKIP_WORDS)
    )
    sans = [p for p in paths if p.name.startswith("NotoSans")]
    rest = [p for p in paths if not p.name.startswith("NotoSans")]
    cjk = [d / CJK_FILE for d in FONT_DIRS if (d / CJK_FILE).exists()]
    if not cjk:
        raise MissingFontsError(
            f"{CJK_FILE} is not installed: apt-get install {DEBIAN_PACKAGES}."
        )
    return (_face(cjk[0], CJK_FACE), *map(_face, sans), *map(_face, rest))


class UnicodePdf(FPDF):
    """An FPDF whose text methods (``text_cell``, ``paragraph``, ``markdown``) take any
    Unicode text.

    Each string is prepared first: the fallback face of each character Noto Sans
    lacks is registered (only faces the document uses are embedded), control
    characters become spaces, and ``MISSING`` stands for a character no installed font
    has. Text that Noto Sans draws alone, with no shaping (most names), takes a fast
    path that skips fpdf2's fallback and HarfBuzz machinery, several times cheaper per
    cell on a 100,000-signer list; only the rest is shaped.
    """

    def __init__(self, *, title: str, footer_text: str = ""):
        super().__init__(format="letter", unit="mm")
        for style, name in (("", "Regular"), ("B", "Bold"), ("I", "Italic")):
            self.add_font(BASE, style=style, fname=base_font(name))
        self.add_font(BASE, style="BI", fname=base_font("BoldItalic"))
        base = self.fonts[BASE.lower()]
        if not isinstance(base, TTFFont):  # a core font of the same name; never here
            raise MissingFontsError(f"{BASE} did not load as a TrueType font.")
        self._base_cmap = frozenset(base.cmap)
        self._faces = fallback_faces()
        self._face_of: dict[str, Face | None] = {}
        self._registered: list[str] = []
        self._shaping = False
        # fpdf2 records the page's font once, but a fallback face set inside one text
        # object carries over to the next in the PDF: after one, the font is stated
        # again, so that the next glyphs are drawn in the face they were subset from.
        self._font_in_doubt = False
        self.set_title(title)
        self.set_author("Harbor")
        self.set_margins(19, 16, 19)
        self.set_auto_page_break(True, margin=16)
        self.set_font(BASE, size=10)
        self._footer_text, _ = self.prepare_text(footer_text)

    # --- text ---------------------------------------------------------------------

    def _fallback_for(self, char: str) -> Face | None:
        if char not in self._face_of:
            code = ord(char)
            face = next((f for f in self._faces if code in f.cmap), None)
            self._face_of[char] = face
            if face is not None and face.name not in self._registered:
                self.add_font(
                    face.name, fname=face.path, collection_font_number=face.index
                )
                self._registered.append(face.name)
                # Bold headings in another script take its regular face.
                self.set_fallback_fonts(self._registered, exact_match=False)
        return self._face_of[char]

    def prepare_text(
        self, value: object, *, multiline: bool = False
    ) -> tuple[str, bool]:
        """``value`` as text every character of which a registered face draws, and
        whether Noto Sans draws it alone with no shaping (the fast path)."""
        text = unicodedata.normalize("NFC", "" if value is None else str(value))
        if text.isascii() and text.isprintable():
            return text, True
        simple = True
        chars = []
        for char in text:
            code = ord(char)
            category = unicodedata.category(char)
            if category == "Cc":
                char = char if multiline and char == "\n" else " "
            elif code not in self._base_cmap:
                simple = False
                if self._fallback_for(char) is None:
                    # Joiners and selectors change shapes, draw nothing of their own.
                    char = "" if category in ("Cf", "Mn") else MISSING
            if code >= COMPLEX_FROM or category == "Mn":
                simple = False
            chars.append(char)
        return "".join(chars), simple

    def _set_shaping(self, on: bool) -> None:
        if self._shaping != on:
            self.set_text_shaping(on)
            self._shaping = on

    def _before_shaped_text(self, simple: bool) -> None:
        """Set shaping for text and re-state the font before fpdf2 draws it."""
        self._set_shaping(not simple)
        self.current_font_is_set_on_page = False
        self._font_in_doubt = True

    def _fit(self, text: str, room: float) -> str:
        width = self.get_string_width(text)
        if width <= room:
            return text
        # Cut in proportion, then a character at a time (text widths are not linear).
        text = text[: max(0, int(len(text) * room / width) - 1)]
        while text and self.get_string_width(text + "…") > room:
            text = text[:-1]
        return text + "…" if text else ""

    def text_cell(
        self, width: float, height: float, value: object, *, border: str = ""
    ) -> None:
        """One cell of one line at the current position, then move right past it;
        text that does not fit is cut with an ellipsis."""
        text, simple = self.prepare_text(value)
        self._set_shaping(not simple)
        # A glyph is at most about 1 em wide: only longer text can overflow.
        if len(text) * self.font_size > width - 2 * self.c_margin:
            text = self._fit(text, width - 2 * self.c_margin)
        if simple and not border:
            if self._font_in_doubt:
                self.current_font_is_set_on_page = False
                self._font_in_doubt = False
            # Where cell() would put the baseline of one line of text.
            self.text(
                self.x + self.c_margin,
                self.y + 0.5 * height + 0.3 * self.font_size,
                text,
            )
            self.x += width
        else:
            self._before_shaped_text(simple)
            self.cell(width, height, text, border=border)

    def paragraph(self, value: object, *, height: float = 5) -> None:
        """Wrapped text across the page's width, ragged on the side it starts from
        (the right for a comment in Arabic or Hebrew)."""
        text, simple = self.prepare_text(value, multiline=True)
        rtl = auto_detect_base_direction(text) == TextDirection.RTL
        self._before_shaped_text(simple)
        self.multi_cell(0, height, text, align="R" if rtl else "L")
        self.ln(1)

    def markdown(self, source: str) -> None:
        """Markdown written by staff, with its structure: headings, numbered and bulleted
        lists, paragraphs, emphasis, links, quotes (sanitized by ``harbor.markdown``)."""
        text, simple = self.prepare_text(source, multiline=True)
        self._before_shaped_text(simple)
        self.write_html(
            render_markdown(text),
            font_family=BASE,
            li_prefix_color=(0, 0, 0),
            tag_styles={
                "a": FontFace(color="#0b5cad", emphasis="UNDERLINE"),
                "code": FontFace(family=BASE),
                "pre": TextStyle(font_family=BASE, t_margin=3),
                "blockquote": TextStyle(color="#333333", l_margin=6, t_margin=3),
                **{tag: _heading_style(size) for tag, size in HEADING_SIZES.items()},
            },
            warn_on_tags_not_matching=False,
        )

    def footer(self) -> None:
        # Drawn by add_page, which may come in the middle of a paragraph: put the
        # shaping back as the paragraph had it (add_page restores the font itself).
        shaping = self._shaping
        self.set_y(-12)
        self.set_font(BASE, size=8)
        text = f"{self._footer_text} · {self.page_no()}"
        self._before_shaped_text(simple=False)
        self.cell(0, 5, text, align="C")
        if self._shaping != shaping:
            self.set_text_shaping(shaping)
            self._shaping = shaping
