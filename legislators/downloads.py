"""Bounded downloads of upstream files (portraits, refreshed data files): a timeout, a
size limit read as the body arrives, redirects followed only to URLs the caller
allows, and errors that name the problem without the body."""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin

import requests

MAX_REDIRECTS = 3


class DownloadError(Exception):
    """A download that failed or was refused; the message says why."""


@dataclass(frozen=True)
class Download:
    url: str  # after redirects
    content_type: str  # the media type, lower case, without parameters
    body: bytes


def fetch_bytes(
    url: str,
    *,
    max_bytes: int,
    is_allowed: Callable[[str], bool],
    timeout: float,
    session: requests.Session | None = None,
) -> Download:
    """GET ``url`` and return its body, refusing more than ``max_bytes`` (announced or
    received), a status other than 200, and a redirect to a URL ``is_allowed`` refuses.
    Raises DownloadError. Makes a network call: never call it inside a transaction."""
    session = session or requests.Session()
    for _hop in range(MAX_REDIRECTS + 1):
        if not is_allowed(url):
            raise DownloadError(f"{url[:200]} is not an allowed source")
        try:
            response = session.get(
                url, timeout=timeout, stream=True, allow_redirects=False
            )
        except requests.RequestException as exc:
            raise DownloadError(f"{type(exc).__name__} fetching {url[:200]}") from None
        with response:
            if response.is_redirect:
                url = urljoin(url, response.headers.get("Location", ""))
                continue
            if response.status_code != 200:
                raise DownloadError(f"HTTP {response.status_code} from {url[:200]}")
            announced = response.headers.get("Content-Length", "")
            if announced.isdigit() and int(announced) > max_bytes:
                raise DownloadError(f"{url[:200]} is larger than {max_bytes} bytes")
            chunks, size = [], 0
            try:
                for chunk in response.iter_content(chunk_size=64 * 1024):
                    size += len(chunk)
                    if size > max_bytes:
                        raise DownloadError(
                            f"{url[:200]} is larger than {max_bytes} bytes"
                        )
                    chunks.append(chunk)
            except requests.RequestException as exc:
                raise DownloadError(
                    f"{type(exc).__name__} reading {url[:200]} (cut off?)"
                ) from None
            content_type = (
                response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            )
            return Download(url=url, content_type=content_type, body=b"".join(chunks))
    raise DownloadError(f"more than {MAX_REDIRECTS} redirects from {url[:200]}")
