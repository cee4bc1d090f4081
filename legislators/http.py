"""A small JSON-over-HTTP client for the upstream APIs (Congress.gov, Open States, the
Census geocoder): timeouts, bounded retries with back-off on 429 (honouring
Retry-After), 5xx, connection errors and responses cut off in transit, and errors that
say which request failed without logging the API key."""

import json
import logging
import random
import time
from collections.abc import Callable
from typing import Any

import requests

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """Base class; ``transient`` says whether a later retry may succeed."""

    transient = False


class TransientApiError(ApiError):
    transient = True


class PermanentApiError(ApiError):
    pass


class MalformedPayload(PermanentApiError):
    pass


# Failures of the connection rather than of the request, worth another attempt: a
# timeout, a refused or reset connection, and a response cut off mid-body (urllib3's
# ProtocolError around http.client's IncompleteRead, a broken chunk: requests raises
# ChunkedEncodingError; a truncated compressed body: ContentDecodingError).
TRANSIENT_REQUEST_ERRORS = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)

_JSON_WORDS = ("true", "false", "null")


def is_cut_off_json(exc: ValueError) -> bool:
    """Whether a body that failed to decode is a JSON document that stops early, as
    when a proxy or a dropped connection truncates a response whose length it then
    reports correctly, rather than something that is not JSON at all (an HTML error
    page)."""
    if not isinstance(exc, json.JSONDecodeError):
        return False
    doc = exc.doc or ""
    if doc.lstrip()[:1] not in ("{", "["):
        return False
    if exc.msg.startswith("Unterminated string"):
        return True  # the decoder reached the end looking for the closing quote
    rest = doc[exc.pos :].strip()
    return rest == "" or any(word.startswith(rest) for word in _JSON_WORDS)


class ApiClient:
    def __init__(
        self,
        *,
        base_url: str,
        headers: dict[str, str] | None = None,
        timeout: float = 10.0,
        max_attempts: int = 4,
        backoff: float = 1.0,
        max_wait: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_attempts = max(1, max_attempts)
        self.backoff = backoff
        self.max_wait = max_wait
        self.sleep = sleep
        self.session = session or requests.Session()
        self.session.headers.update({"Accept": "application/json", **(headers or {})})

    def _wait(self, attempt: int, retry_after: str | None) -> float:
        if retry_after:
            try:
                return min(self.max_wait, max(0.0, float(retry_after)))
            except ValueError:
                pass  # an HTTP date: fall back to exponential back-off
        jitter = 1 + random.random() / 4  # noqa: S311 - jitter, not security
        return min(self.max_wait, self.backoff * 2 ** (attempt - 1) * jitter)

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> dict:
        """GET ``base_url + path`` and return the decoded JSON object.

        Retries 429, 5xx, timeouts, connection errors and responses cut off mid-body
        up to ``max_attempts`` times; raises TransientApiError when they run out,
        PermanentApiError on other 4xx (401/403: the API key is wrong) and on a request
        that cannot be made (a bad URL), MalformedPayload when the body is not a JSON
        object."""
        url = f"{self.base_url}/{path.lstrip('/')}"
        last = ""
        for attempt in range(1, self.max_attempts + 1):
            retry_after = None
            try:
                response = self.session.get(url, params=params, timeout=self.timeout)
            except TRANSIENT_REQUEST_ERRORS as exc:
                last = f"{type(exc).__name__}"
            except requests.RequestException as exc:
                # The exception's text holds the URL; its type is enough.
                raise PermanentApiError(f"GET {path}: {type(exc).__name__}") from None
            else:
                status = response.status_code
                if status == 429 or status >= 500:
                    last = f"HTTP {status}"
                    retry_after = response.headers.get("Retry-After")
                elif status in (401, 403):
                    raise PermanentApiError(
                        f"GET {path}: HTTP {status}: check the API key"
                    )
                elif status >= 400:
                    raise PermanentApiError(f"GET {path}: HTTP {status}")
                else:
                    try:
                        data = response.json()
                    except ValueError as exc:
                        if not is_cut_off_json(exc):
                            raise MalformedPayload(
                                f"GET {path}: the body is not JSON"
                            ) from None
                        last = "JSON body cut off"
                    else:
                        if not isinstance(data, dict):
                            raise MalformedPayload(
                                f"GET {path}: expected a JSON object"
                            )
                        return data
            if attempt < self.max_attempts:
                wait = self._wait(attempt, retry_after)
                logger.warning(
                    "GET %s failed (%s), attempt %d of %d; retrying in %.1fs",
                    path,
                    last,
                    attempt,
                    self.max_attempts,
                    wait,
                )
                self.sleep(wait)
        logger.error(
            "GET %s failed after %d attempts (%s)", path, self.max_attempts, last
        )
        raise TransientApiError(
            f"GET {path}: {last} after {self.max_attempts} attempts"
        )
