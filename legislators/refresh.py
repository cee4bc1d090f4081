"""Refresh legislators from upstream: congress-legislators and Open States people, in the
formats Harbor ships under ``legislators/data`` (see its README), from the URLs in
``LEGISLATORS_CONGRESS_CURRENT_URL``, ``LEGISLATORS_CONGRESS_OFFICES_URL`` and
``LEGISLATORS_OPENSTATES_ARCHIVE_URL`` (a ``.tar.gz`` of the openstates/people
repository).

Each part downloads everything first (outside any transaction, size-limited), then
validates it: the shipped parsers check the format and every required field, and the
counts must not collapse (each scope keeps at least ``LEGISLATORS_SYNC_MIN_RATIO`` of
the legislators current today, and Open States must still cover every state it covered).
Only then are the legislators written, with the importers of the shipped files, in one
transaction with the ``SyncRun`` that records it. Anything refused is recorded in a
failed ``SyncRun`` and leaves the data as it was. Safe to repeat: the importers update in
place.
"""

import io
import logging
import re
import tarfile
import tempfile
import zlib
from pathlib import Path
from typing import Any

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from harbor.states import STATES

from . import importers, services
from .downloads import DownloadError, fetch_bytes
from .models import FEDERAL_CHAMBERS, Chamber, Legislator, SyncRun

logger = logging.getLogger(__name__)

# <any top folder>/data/<st>/legislature/<file>.yml, or without the top folder.
_OPENSTATES_MEMBER = re.compile(
    r"^(?:[^/]+/)?data/([a-z]{2})/legislature/([A-Za-z0-9._'-]{1,200}\.yml)$"
)
MAX_ARCHIVE_FILES = 50_000


class RefreshRefused(Exception):
    """Upstream data that was not applied; the message says why."""


# What bad upstream data raises: recorded as a failed run, nothing changed. Anything
# else (the database going away) is raised.
REFUSALS = (
    DownloadError,
    importers.DataFileError,
    RefreshRefused,
    UnicodeDecodeError,
)


def _download(url: str, session: requests.Session | None) -> bytes:
    # The URLs are configuration, and upstream hosts redirect (GitHub's archives go to
    # codeload.github.com): any http(s) target is followed, up to a few hops.
    return fetch_bytes(
        url,
        max_bytes=settings.LEGISLATORS_SYNC_MAX_BYTES,
        is_allowed=lambda target: target.startswith(("https://", "http://")),
        timeout=max(settings.LEGISLATORS_HTTP_TIMEOUT, 60.0),
        session=session,
    ).body


def _check_count(*, what: str, new: int, current: int) -> None:
    ratio = settings.LEGISLATORS_SYNC_MIN_RATIO
    if new == 0:
        raise RefreshRefused(f"{what}: the upstream file holds no current legislators")
    if new < current * ratio:
        raise RefreshRefused(
            f"{what}: {new} current legislators upstream against {current} today "
            f"(below {ratio:.0%}); refusing a collapsing file"
        )


def _record_failure(kind: str, exc: Exception) -> dict[str, Any]:
    message = str(exc)[:2000]
    SyncRun.objects.create(kind=kind, ok=False, summary={}, message=message)
    logger.error("%s refused: %s", kind, message)
    return {"ok": False, "error": message}


def refresh_congress(
    *, session: requests.Session | None = None
) -> dict[str, Any] | None:
    """Refresh members of Congress and their offices from the configured URLs; None
    when they are not configured. Returns ``{"ok": True, ...counts}`` or
    ``{"ok": False, "error": ...}`` (nothing changed)."""
    current_url = settings.LEGISLATORS_CONGRESS_CURRENT_URL
    offices_url = settings.LEGISLATORS_CONGRESS_OFFICES_URL
    if not current_url and not offices_url:
        return None
    kind = "sync_congress"
    try:
        if not (current_url and offices_url):
            raise RefreshRefused(
                "both LEGISLATORS_CONGRESS_CURRENT_URL and "
                "LEGISLATORS_CONGRESS_OFFICES_URL are needed (offices are replaced "
                "with the members)"
            )
        with tempfile.TemporaryDirectory(prefix="harbor-congress-") as folder:
            current_path = Path(folder) / "legislators-current.yaml"
            offices_path = Path(folder) / "legislators-district-offices.yaml"
            current_path.write_bytes(_download(current_url, session))
            offices_path.write_bytes(_download(offices_url, session))
            people = importers.parse_congress_current(current_path)
            importers.parse_congress_offices(offices_path)
            for chamber, label in (
                (Chamber.US_SENATE, "US Senate"),
                (Chamber.US_HOUSE, "US House"),
            ):
                _check_count(
                    what=label,
                    new=sum(1 for p in people if p["chamber"] == chamber),
                    current=Legislator.objects.current()
                    .filter(chamber=chamber)
                    .count(),
                )
            with transaction.atomic():
                summary = services.import_congress(
                    current_path=current_path, offices_path=offices_path
                )
                SyncRun.objects.create(
                    kind=kind,
                    summary=summary,
                    message=f"from {current_url[:300]} and {offices_url[:300]}",
                )
    except REFUSALS as exc:
        return _record_failure(kind, exc)
    logger.info("%s %s", kind, summary)
    return {"ok": True, **summary}


def _unpack_openstates(archive: bytes, folder: Path) -> int:
    """Write the ``data/<st>/legislature/*.yml`` members of a .tar.gz into ``folder``
    in the upstream layout; return how many. Nothing else in the archive is read, and
    no member's own path is used to write (so ``../`` and links cannot escape)."""
    count = 0
    size = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
            for member in tar:
                match = _OPENSTATES_MEMBER.match(member.name)
                if not match or not member.isreg():
                    continue
                state, name = match[1], match[2]
                if state.upper() not in STATES:
                    continue
                count += 1
                size += member.size
                if (
                    count > MAX_ARCHIVE_FILES
                    or size > settings.LEGISLATORS_SYNC_MAX_BYTES
                ):
                    raise RefreshRefused("the Open States archive is too large")
                source = tar.extractfile(member)
                if source is None:
                    continue
                target = folder / "data" / state / "legislature" / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(source.read())
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise RefreshRefused(
            f"the Open States archive is not a complete .tar.gz ({type(exc).__name__})"
        ) from None
    return count


def refresh_openstates(
    *, session: requests.Session | None = None, today=None
) -> dict[str, Any] | None:
    """Refresh state legislators from the configured Open States people archive; None
    when it is not configured. Every state that has current legislators today must be
    in the archive with at least LEGISLATORS_SYNC_MIN_RATIO of them. Returns
    ``{"ok": True, ...counts}`` or ``{"ok": False, "error": ...}`` (nothing changed)."""
    url = settings.LEGISLATORS_OPENSTATES_ARCHIVE_URL
    if not url:
        return None
    kind = "sync_openstates"
    today = today or timezone.localdate()
    try:
        with tempfile.TemporaryDirectory(prefix="harbor-openstates-") as folder:
            root = Path(folder)
            if _unpack_openstates(_download(url, session), root) == 0:
                raise RefreshRefused("the Open States archive holds no legislators")
            files = importers.openstates_files(root)
            new_counts: dict[str, int] = {}
            for state, paths in files.items():
                for path in paths:
                    if importers.parse_openstates_person(
                        path, state=state, today=today
                    ):
                        new_counts[state] = new_counts.get(state, 0) + 1
            current_counts: dict[str, int] = {}
            for state in (
                Legislator.objects.current()
                .exclude(chamber__in=FEDERAL_CHAMBERS)
                .values_list("state", flat=True)
            ):
                current_counts[state] = current_counts.get(state, 0) + 1
            missing = sorted(set(current_counts) - set(files))
            if missing:
                raise RefreshRefused(
                    "the Open States archive lacks states Harbor has: "
                    + ", ".join(missing)
                )
            for state, current in sorted(current_counts.items()):
                _check_count(
                    what=f"Open States {state}",
                    new=new_counts.get(state, 0),
                    current=current,
                )
            with transaction.atomic():
                summary = services.import_openstates(root=root, today=today)
                SyncRun.objects.create(
                    kind=kind, summary=summary, message=f"from {url[:300]}"
                )
    except REFUSALS as exc:
        return _record_failure(kind, exc)
    logger.info("%s %s", kind, summary)
    return {"ok": True, **summary}
