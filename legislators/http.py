"""A small JSON-over-HTTP client for the upstream APIs (Congress.gov, Open States, the
Census geocoder): timeouts, bounded retries with back-off on 429 (honouring
Retry-After), 5xx and connection errors, and errors that say which request failed
without logging the API key."""

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

        Retries 429, 5xx, timeouts and connection errors up to ``max_attempts`` times;
        raises TransientApiError when they run out, PermanentApiError on other 4xx
        (401/403: the API key is wrong), MalformedPayload when the body is not a JSON
        object."""
        url = f"{self.base_url}/{path.lstrip('/')}"
        last = ""
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = self.session.get(url, params=params, timeout=self.timeout)
            except (requests.Timeout, requests.ConnectionError) as exc:
                last = f"{type(exc).__name__}"
                retry_after = None
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
                    except ValueError:
                        raise MalformedPayload(
                            f"GET {path}: the body is not JSON"
                        ) from None
                    if not isinstance(data, dict):
                        raise MalformedPayload(f"GET {path}: expected a JSON object")
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
