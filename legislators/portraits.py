"""Copies of legislators' portraits in MEDIA storage, so that no page loads an image
from another host (a supporter's browser never tells a legislature's web server who is
looking at the call page).

``fetch_portraits`` downloads ``Legislator.photo_url`` when a prefix in
``LEGISLATORS_PORTRAIT_URL_PREFIXES`` allows it, refuses anything larger than
``LEGISLATORS_PORTRAIT_MAX_BYTES`` or that is not a JPEG, PNG, GIF or WebP image (by its
Content-Type and by its first bytes), and stores it as ``portraits/<id>.<ext>``. A
failed download keeps the portrait already stored. Pages show the portrait, or initials
when there is none (``templates/legislators/_portrait.html``).
"""

import logging
import re
from typing import Any

import requests
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import QuerySet

from .downloads import DownloadError, fetch_bytes
from .models import Legislator, SyncRun

logger = logging.getLogger(__name__)

# Media type → (file extension, the bytes such a file starts with).
IMAGE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "image/jpeg": ("jpg", (b"\xff\xd8\xff",)),
    "image/png": ("png", (b"\x89PNG\r\n\x1a\n",)),
    "image/gif": ("gif", (b"GIF87a", b"GIF89a")),
    "image/webp": ("webp", (b"RIFF",)),
}
PORTRAIT_NAME_RE = re.compile(r"^[A-Za-z0-9-]{1,80}\.(jpg|png|gif|webp)$")


def portrait_fetch_allowed(url: str) -> bool:
    """Whether ``url`` may be fetched: http(s), starting with an allowed prefix."""
    prefixes = [p for p in settings.LEGISLATORS_PORTRAIT_URL_PREFIXES if p]
    return url.lower().startswith(("http://", "https://")) and any(
        url.startswith(prefix) for prefix in prefixes
    )


def image_extension(content_type: str, body: bytes) -> str:
    """The file extension for an image body, or raise DownloadError when the
    Content-Type is not an accepted image type or the bytes are not that type."""
    kind = IMAGE_TYPES.get(content_type)
    if kind is None:
        raise DownloadError(f"{content_type or 'no content type'} is not an image")
    extension, magics = kind
    if not body.startswith(magics) or (extension == "webp" and body[8:12] != b"WEBP"):
        raise DownloadError(f"the body is not a {content_type} image")
    return extension


def _file_stem(legislator: Legislator) -> str:
    if legislator.bioguide_id:
        return legislator.bioguide_id
    # "ocd-person/<uuid>" → "<uuid>"
    return (legislator.openstates_id or str(legislator.pk)).rsplit("/", 1)[-1]


def store_portrait(
    legislator: Legislator, *, url: str, session: requests.Session | None = None
) -> str:
    """Download ``url`` and store it as ``legislator``'s portrait; return the stored
    name. Raises DownloadError, keeping the old portrait. Safe to repeat."""
    download = fetch_bytes(
        url,
        max_bytes=settings.LEGISLATORS_PORTRAIT_MAX_BYTES,
        is_allowed=portrait_fetch_allowed,
        timeout=settings.LEGISLATORS_HTTP_TIMEOUT,
        session=session,
    )
    extension = image_extension(download.content_type, download.body)
    name = f"portraits/{_file_stem(legislator)}.{extension}"
    old = legislator.portrait.name
    if default_storage.exists(name):
        default_storage.delete(name)
    stored = default_storage.save(name, ContentFile(download.body))
    Legislator.objects.filter(pk=legislator.pk).update(
        portrait=stored, portrait_source_url=url
    )
    if old and old != stored and default_storage.exists(old):
        default_storage.delete(old)
    legislator.portrait.name, legislator.portrait_source_url = stored, url
    return stored


def fetch_portraits(
    *,
    legislators: QuerySet[Legislator] | None = None,
    force: bool = False,
    session: requests.Session | None = None,
) -> dict[str, Any]:
    """Copy the portraits of current legislators whose ``photo_url`` is allowed and
    not yet copied (or changed since; every one with ``force``). One download per
    legislator, outside any transaction; a failure is counted and logged by id and the
    run goes on. Records a ``SyncRun``. Safe to repeat: an unchanged URL is skipped."""
    queryset = legislators if legislators is not None else Legislator.objects.all()
    session = session or requests.Session()
    summary: dict[str, Any] = {
        "fetched": 0,
        "unchanged": 0,
        "not_allowed": 0,
        "failed": 0,
    }
    errors: list[str] = []
    for legislator in (
        queryset.filter(is_current=True).exclude(photo_url="").order_by("pk")
    ):
        url = legislator.photo_url
        if not portrait_fetch_allowed(url):
            summary["not_allowed"] += 1
            continue
        if (
            not force
            and legislator.portrait
            and legislator.portrait_source_url == url
            and default_storage.exists(legislator.portrait.name or "")
        ):
            summary["unchanged"] += 1
            continue
        try:
            store_portrait(legislator, url=url, session=session)
        except DownloadError as exc:
            summary["failed"] += 1
            logger.warning("portrait of legislator %s: %s", legislator.pk, exc)
            if len(errors) < 20:
                errors.append(f"legislator {legislator.pk}: {exc}")
        else:
            summary["fetched"] += 1
    SyncRun.objects.create(
        kind="fetch_portraits",
        summary=summary,
        ok=summary["failed"] == 0,
        message="\n".join(errors)[:2000],
    )
    logger.info("portraits %s", summary)
    return summary
