"""Reading rendered pages in tests: the ids an HTML page defines and the ids its ARIA
attributes point at."""

from html.parser import HTMLParser

ID_REFERENCES = ("aria-describedby", "aria-labelledby", "aria-controls", "for")


class _IdParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.references: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            elif name in ID_REFERENCES and value is not None:
                for target in value.split() or [""]:
                    self.references.append((tag, name, target))


def dangling_id_references(html: str) -> list[tuple[str, str, str]]:
    """``(tag, attribute, id)`` for every aria-describedby, aria-labelledby,
    aria-controls or label ``for`` that names an id the page does not define."""
    parser = _IdParser()
    parser.feed(html)
    return [ref for ref in parser.references if ref[2] not in parser.ids]


def id_references(html: str) -> list[tuple[str, str, str]]:
    parser = _IdParser()
    parser.feed(html)
    return parser.references
