"""OSDI pagination: ``page`` and ``per_page`` in the query string; ``total_pages``,
``total_records`` and ``_links.next`` / ``previous`` in the answer. A bad parameter is
a 400 with OSDI's error document (``BadParameter``), never a 500."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

DEFAULT_PER_PAGE = 25


def max_per_page() -> int:
    return settings.API_MAX_PER_PAGE


PAGE_PARAMETERS = [
    OpenApiParameter(
        "page",
        OpenApiTypes.INT,
        OpenApiParameter.QUERY,
        description="The page to return, from 1.",
    ),
    OpenApiParameter(
        "per_page",
        OpenApiTypes.INT,
        OpenApiParameter.QUERY,
        description="Records per page (default 25; more than the maximum is the maximum).",
    ),
]


class BadParameter(ValidationError):
    pass


def _positive_int(request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) < 1:
        raise BadParameter(
            f"{name} must be a whole number from 1 (it was {raw[:20]!r})."
        )
    return int(raw)


@dataclass
class Page:
    number: int
    per_page: int
    total_records: int
    rows: list

    @property
    def total_pages(self) -> int:
        return max(1, -(-self.total_records // self.per_page))


def paginate(request, queryset: QuerySet) -> Page:
    """One page of ``queryset``: one COUNT and, if the page exists, one SELECT. A page
    past the last is empty (no query for it)."""
    number = _positive_int(request, "page", 1)
    per_page = min(_positive_int(request, "per_page", DEFAULT_PER_PAGE), max_per_page())
    total = queryset.count()
    page = Page(number=number, per_page=per_page, total_records=total, rows=[])
    if number <= page.total_pages and total:
        start = (number - 1) * per_page
        page.rows = list(queryset[start : start + per_page])
    return page


def page_links(request, page: Page) -> dict:
    """self, next and previous, each the request's own URL with its page changed."""
    base = request.build_absolute_uri(request.path)
    params = {k: v for k, v in request.query_params.items() if k not in ("page",)}

    def at(number: int) -> dict:
        return {"href": f"{base}?{urlencode({**params, 'page': number})}"}

    links = {"self": at(page.number)}
    if page.number < page.total_pages:
        links["next"] = at(page.number + 1)
    if 1 < page.number <= page.total_pages + 1:
        links["previous"] = at(min(page.number - 1, page.total_pages))
    return links
