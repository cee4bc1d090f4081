"""Loopback fakes of ESP APIs, for anymail's real backends (the edge of the internet).

``FakePostmark`` answers ``POST /email`` and ``POST /email/batch`` as Postmark does (one result per
message, with MessageID and To), records every request, and can be told to fail the next
calls with a status code (429, 500) or to mark addresses inactive.
"""

import hashlib
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakePostmark:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.fail_next: list[int] = []
        self.inactive: set[str] = set()
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with fake._lock:
                    fake.requests.append(
                        {
                            "path": self.path,
                            "token": self.headers.get("X-Postmark-Server-Token"),
                            "json": json.loads(body or b"null"),
                        }
                    )
                    status = fake.fail_next.pop(0) if fake.fail_next else 200
                if status != 200:
                    return self._reply(
                        status, {"ErrorCode": 100, "Message": "fake failure"}
                    )
                payload = fake.requests[-1]["json"]
                messages = payload if isinstance(payload, list) else [payload]
                return self._reply(200, [fake._result(m) for m in messages])

            def _reply(self, status, data):
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        self._thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )

    def _result(self, message: dict) -> dict:
        to = message.get("To", "")
        inactive = [addr for addr in self.inactive if addr in to.lower()]
        if inactive:
            # What Postmark says when it accepts a message but drops inactive recipients.
            return {
                "ErrorCode": 0,
                "Message": "Message OK, but will not deliver to these inactive addresses: "
                f"{', '.join(inactive)}. Inactive recipients are ones that have generated "
                "a hard bounce or a spam complaint.",
                "MessageID": str(uuid.uuid4()),
                "To": to,
            }
        return {
            "ErrorCode": 0,
            "Message": "OK",
            "MessageID": str(uuid.uuid4()),
            "SubmittedAt": "2026-11-23T00:00:00Z",
            "To": to,
        }

    @property
    def messages(self) -> list[dict]:
        out = []
        for request in self.requests:
            payload = request["json"]
            out.extend(payload if isinstance(payload, list) else [payload])
        return out

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class FakeResend:
    """A loopback fake of Resend's email API, for anymail's real Resend backend.

    ``POST /emails`` and ``POST /emails/batch`` (at most 100 messages) answer as Resend
    does (``{"id"}``, ``{"data": [{"id"}, ...]}`` in request order). The ``Idempotency-Key``
    header is honoured as Resend documents it: a key seen in the last 24 hours with the
    same body returns the first response and sends nothing new; with a different body,
    409 ``invalid_idempotent_request``; while the first request with that key is still
    being handled, 409 ``concurrent_idempotent_requests``. Only accepted (2xx) requests
    keep their key, so a failed call may be repeated with it.

    ``accepted`` lists every message the fake accepted (sent), in order: ``to``, and with
    ``keep_bodies`` (the default) ``subject``, ``text``, ``html``, ``headers``, ``from``,
    ``reply_to``. ``fail_next`` makes the next calls answer that status; ``delay`` slows
    each answer (after accepting), which widens the window a killed worker can fall into.
    """

    KEY_TTL_SECONDS = 24 * 3600
    BATCH_LIMIT = 100

    def __init__(self, *, api_key: str = "re_test", keep_bodies: bool = True) -> None:
        self.api_key = api_key
        self.keep_bodies = keep_bodies
        self.accepted: list[dict] = []
        self.calls = 0
        self.replays = 0
        self.conflicts = 0
        self.fail_next: list[int] = []
        self.delay = 0.0
        self._keys: dict[str, tuple[float, str, int, bytes]] = {}
        self._in_flight: set[str] = set()
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as requests' session expects

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status, raw = fake._handle(
                    self.path,
                    self.headers.get("Authorization", ""),
                    self.headers.get("Idempotency-Key"),
                    body,
                )
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # A client killed mid-answer (the fault test) is expected: no traceback.
        self.server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        self._thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )

    @staticmethod
    def _error(status: int, name: str, message: str) -> tuple[int, bytes]:
        data = {"statusCode": status, "name": name, "message": message}
        return status, json.dumps(data).encode()

    def _handle(self, path, auth, key, body) -> tuple[int, bytes]:
        if path not in ("/emails", "/emails/batch"):
            return self._error(
                404, "not_found", "The requested endpoint does not exist."
            )
        if auth != f"Bearer {self.api_key}":
            return self._error(401, "missing_api_key", "Missing API key.")
        digest = hashlib.sha256(body).hexdigest()
        now = time.monotonic()
        with self._lock:
            self.calls += 1
            if self.fail_next:
                return self._error(self.fail_next.pop(0), "fake_failure", "Told to.")
            if key:
                seen = self._keys.get(key)
                if seen and now - seen[0] < self.KEY_TTL_SECONDS:
                    if seen[1] != digest:
                        self.conflicts += 1
                        return self._error(
                            409,
                            "invalid_idempotent_request",
                            "Same idempotency key used with a different request payload.",
                        )
                    self.replays += 1
                    return seen[2], seen[3]
                if key in self._in_flight:
                    self.conflicts += 1
                    return self._error(
                        409,
                        "concurrent_idempotent_requests",
                        "Same idempotency key used while the first request is in progress.",
                    )
                self._in_flight.add(key)
        try:
            payload = json.loads(body or b"null")
            batch = path == "/emails/batch"
            messages = payload if batch else [payload]
            if batch and (not isinstance(payload, list) or not payload):
                return self._error(422, "validation_error", "Expected a list.")
            if len(messages) > self.BATCH_LIMIT:
                return self._error(
                    422, "validation_error", "Too many emails: at most 100 per batch."
                )
            ids = [str(uuid.uuid4()) for _ in messages]
            kept = [self._record(m, i) for m, i in zip(messages, ids, strict=True)]
            raw = json.dumps(
                {"data": [{"id": i} for i in ids]} if batch else {"id": ids[0]}
            ).encode()
            with self._lock:
                self.accepted.extend(kept)
                if key:
                    self._keys[key] = (now, digest, 200, raw)
        finally:
            if key:
                with self._lock:
                    self._in_flight.discard(key)
        if self.delay:
            time.sleep(self.delay)
        return 200, raw

    def _record(self, message: dict, message_id: str) -> dict:
        to = message.get("to") or []
        kept = {"id": message_id, "to": to[0] if len(to) == 1 else to}
        if self.keep_bodies:
            for name in ("from", "reply_to", "subject", "text", "html", "headers"):
                kept[name] = message.get(name)
        return kept

    @property
    def sent_to(self) -> list[str]:
        """Every accepted message's address, once per message (repeats show)."""
        with self._lock:
            return [m["to"] for m in self.accepted]

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
