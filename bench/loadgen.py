"""A small, reusable HTTP load generator for Harbor's benchmarks (module and CLI).

It only ever targets this machine (127.0.0.0/8, localhost, ::1) and stops at whichever
comes first: the request count or the wall-time bound. Each of ``concurrency`` threads
keeps its own cookies and, for Django forms, fetches a CSRF token and cookie first.

    from bench.loadgen import run
    result = run("http://127.0.0.1:8000/livez", concurrency=32, requests=2000, seconds=30)
    print(result.summary())

CLI:
    python bench/loadgen.py http://127.0.0.1:8000/livez -c 32 -n 2000 -t 30
    python bench/loadgen.py http://127.0.0.1:8000/petitions/x/ -X POST --csrf \\
        -f first_name=Ana -f last_name=Garcia -f 'email=load-{i}@example.org' -f zip_code=78701

``{i}`` in a form value is replaced by the request's sequence number, so each request can
carry its own body (distinct emails).
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

LOCAL_NAMES = {"localhost"}
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class NotLocalError(ValueError):
    """The target is not on this machine."""


def check_local(url: str) -> tuple[str, int, str]:
    """Return (host, port, path) of a loopback URL; raise NotLocalError for anything else."""
    parts = urlsplit(url)
    if parts.scheme != "http":
        raise NotLocalError(f"only http:// on this machine is allowed, not {url!r}")
    host = parts.hostname or ""
    if host not in LOCAL_NAMES:
        try:
            if not ipaddress.ip_address(host).is_loopback:
                raise NotLocalError(f"{host} is not a loopback address")
        except ValueError:
            raise NotLocalError(
                f"{host!r} is not localhost or a loopback address"
            ) from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return host, parts.port or 80, path


@dataclass
class Result:
    label: str
    latencies: list[float] = field(default_factory=list)  # seconds, one per response
    statuses: Counter = field(
        default_factory=Counter
    )  # status code (or error name) -> n
    elapsed: float = 0.0
    ok_statuses: tuple[int, ...] = (200, 302)

    @property
    def count(self) -> int:
        return sum(self.statuses.values())

    @property
    def ok(self) -> int:
        return sum(n for code, n in self.statuses.items() if code in self.ok_statuses)

    @property
    def throughput(self) -> float:
        """Successful responses per second of wall time."""
        return self.ok / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        """Latency percentile in milliseconds (nearest rank)."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank] * 1000

    def as_dict(self) -> dict:
        return {
            "label": self.label,
            "requests": self.count,
            "ok": self.ok,
            "elapsed_s": round(self.elapsed, 2),
            "throughput_rps": round(self.throughput, 1),
            "p50_ms": round(self.percentile(50), 1),
            "p95_ms": round(self.percentile(95), 1),
            "p99_ms": round(self.percentile(99), 1),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items(), key=str)},
        }

    def summary(self) -> str:
        d = self.as_dict()
        return (
            f"{d['label']}: {d['ok']}/{d['requests']} ok in {d['elapsed_s']}s, "
            f"{d['throughput_rps']}/s, p50 {d['p50_ms']} ms, p95 {d['p95_ms']} ms, "
            f"p99 {d['p99_ms']} ms, statuses {d['statuses']}"
        )


class _Client:
    """One thread's connection state: host, cookies, and a CSRF token when needed."""

    def __init__(self, host: str, port: int, timeout: float):
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies: dict[str, str] = {}
        self.csrf_token = ""

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            all_headers = {"Host": f"{self.host}:{self.port}", "Connection": "close"}
            if self.cookies:
                all_headers["Cookie"] = "; ".join(
                    f"{k}={v}" for k, v in self.cookies.items()
                )
            all_headers.update(headers or {})
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            data = response.read()
            for header in response.msg.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(header)
                for key, morsel in cookie.items():
                    self.cookies[key] = morsel.value
            return response.status, data
        finally:
            conn.close()

    def fetch_csrf(self, path: str) -> None:
        _status, data = self.request("GET", path)
        match = CSRF_INPUT.search(data)
        self.csrf_token = (
            match.group(1).decode() if match else self.cookies.get("csrftoken", "")
        )


def run(
    url: str,
    *,
    method: str = "GET",
    concurrency: int = 32,
    requests: int = 1000,
    seconds: float = 60.0,
    form: Callable[[int], dict] | None = None,
    csrf: bool = False,
    csrf_url: str | None = None,
    ok_statuses: tuple[int, ...] = (200, 302),
    timeout: float = 30.0,
    label: str = "",
    path_for: Callable[[int], str] | None = None,
    fresh: bool = False,
) -> Result:
    """Send up to ``requests`` requests (stopping after ``seconds``) with ``concurrency``
    threads and return the timings. ``form(i)`` gives request i's form fields for a POST.
    With ``csrf``, each thread first GETs ``csrf_url`` (default: ``url``) for a token.
    ``path_for(i)``, if given, is request i's path on ``url``'s host (a page with
    distinct addresses: random ZIP codes, tokens). ``fresh`` (with ``csrf``): every
    request is a new visitor, who first GETs the form page with no cookies, then POSTs;
    the latency and throughput are then those of the whole visit."""
    if concurrency < 1 or requests < 1 or seconds <= 0:
        raise ValueError("concurrency, requests and seconds must be positive")
    host, port, path = check_local(url)
    csrf_path = check_local(csrf_url)[2] if csrf_url else path
    result = Result(label=label or f"{method} {path}", ok_statuses=ok_statuses)
    lock = threading.Lock()
    next_index = iter(range(requests))
    clients = [_Client(host, port, timeout) for _ in range(concurrency)]
    if csrf and not fresh:
        for client in clients:
            client.fetch_csrf(csrf_path)
    start_barrier = threading.Barrier(concurrency + 1)
    deadline_box: list[float] = []

    def worker(client: _Client) -> None:
        start_barrier.wait()
        deadline = deadline_box[0]
        while True:
            with lock:
                i = next(next_index, None)
            if i is None or time.monotonic() >= deadline:
                return
            body, headers = None, {}
            if method == "POST":
                fields = dict(form(i) if form else {})
                if csrf:
                    fields["csrfmiddlewaretoken"] = client.csrf_token
                    headers["Referer"] = url
                body = urlencode(fields).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            started = time.perf_counter()
            try:
                if fresh and csrf:
                    client.cookies.clear()
                    client.fetch_csrf(csrf_path)
                    fields["csrfmiddlewaretoken"] = client.csrf_token
                    body = urlencode(fields).encode()
                status, _data = client.request(
                    method, path_for(i) if path_for else path, body, headers
                )
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
            latency = time.perf_counter() - started
            with lock:
                result.statuses[status] += 1
                result.latencies.append(latency)

    threads = [threading.Thread(target=worker, args=(c,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    deadline_box.append(time.monotonic() + seconds)
    started = time.perf_counter()
    start_barrier.wait()
    for thread in threads:
        thread.join(timeout=seconds + timeout + 5)
    result.elapsed = time.perf_counter() - started
    return result


def _parse_form(pairs: list[str]) -> Callable[[int], dict]:
    template = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        template[key] = value
    return lambda i: {k: v.replace("{i}", str(i)) for k, v in template.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("-X", "--method", default="GET", choices=["GET", "POST"])
    parser.add_argument("-c", "--concurrency", type=int, default=32)
    parser.add_argument("-n", "--requests", type=int, default=1000)
    parser.add_argument("-t", "--seconds", type=float, default=60.0)
    parser.add_argument(
        "-f", "--form", action="append", default=[], metavar="KEY=VALUE"
    )
    parser.add_argument(
        "--csrf", action="store_true", help="fetch a Django CSRF token first"
    )
    args = parser.parse_args(argv)
    result = run(
        args.url,
        method=args.method,
        concurrency=args.concurrency,
        requests=args.requests,
        seconds=args.seconds,
        form=_parse_form(args.form) if args.form else None,
        csrf=args.csrf,
    )
    print(result.summary())
    return 0 if result.ok == result.count else 1


if __name__ == "__main__":
    raise SystemExit(main())
