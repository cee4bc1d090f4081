"""HAL+JSON as OSDI (and Action Network) writes it: absolute links, the ``osdi``
curie, collections with their page fields, and OSDI's error document."""

from django.conf import settings
from django.urls import reverse

OSDI_DOCS = "https://opensupporter.github.io/osdi-docs/{rel}.html"
# Identifiers of Harbor's own records: "harbor:123".
NAMESPACE = "harbor"


def identifier(pk: int) -> str:
    return f"{NAMESPACE}:{pk}"


def curies() -> list[dict]:
    return [{"name": "osdi", "href": OSDI_DOCS, "templated": True}]


def url(request, name: str, **kwargs) -> str:
    return request.build_absolute_uri(reverse(f"api:{name}", kwargs=kwargs or None))


def link(request, name: str, title: str = "", **kwargs) -> dict:
    value = {"href": url(request, name, **kwargs)}
    if title:
        value["title"] = title
    return value


def browser_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def error_document(
    status: int, description: str, *, code: str = "", resource: str = ""
) -> dict:
    """OSDI's error (an atomic request's one resource status) with Action Network's
    ``error`` string beside it, so clients of either read it."""
    return {
        "error": description,
        "request_type": "atomic",
        "response_code": status,
        "resource_status": [
            {
                "resource": resource,
                "response_code": status,
                "errors": [{"code": code or str(status), "description": description}],
            }
        ],
    }
