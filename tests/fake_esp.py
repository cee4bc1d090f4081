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


# --- ESPs that merge on the fly: one content per call, each recipient's values ----------


def _addr(value) -> str | None:
    """An address object of a JSON API ({"email", "name"}) as "Name <email>"."""
    if not isinstance(value, dict):
        return value
    from email.utils import formataddr

    return formataddr((value.get("name") or "", value["email"]))


class _FakeApi:
    """A loopback HTTP server that hands each POST to ``handle(path, headers, body)``
    and records the messages it accepted (after substitution) in ``accepted``: ``to``,
    ``from``, ``reply_to``, ``subject``, ``text``, ``html``, ``headers``.
    ``fail_next`` makes the next calls answer that status."""

    def __init__(self, *, api_key: str) -> None:
        self.api_key = api_key
        self.accepted: list[dict] = []
        self.calls = 0
        self.replays = 0
        self.fail_next: list[int] = []
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with fake._lock:
                    fake.calls += 1
                    failing = fake.fail_next.pop(0) if fake.fail_next else 0
                if failing:
                    status, raw, extra = failing, b'{"message": "fake failure"}', {}
                else:
                    status, raw, extra = fake.handle(self.path, self.headers, body)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        self._thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )

    def handle(self, path, headers, body) -> tuple[int, bytes, dict]:
        raise NotImplementedError

    @staticmethod
    def substitute(text, values: dict, pattern) -> str:
        """Replace each placeholder ``pattern`` finds by its value, in one pass (a value
        that contains a placeholder is never filled again); unknown ones stay."""
        if not isinstance(text, str):
            return text
        return pattern.sub(lambda m: values.get(m.group(1), m.group(0)), text)

    @property
    def sent_to(self) -> list[str]:
        with self._lock:
            return [m["to"] for m in self.accepted]

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class FakeSendGrid(_FakeApi):
    """SendGrid's v3 ``POST /v3/mail/send``: ``personalizations`` (at most 1,000 a
    request), each with its own ``to``, ``headers``, ``custom_args`` and legacy
    ``substitutions``: each key replaced, as a literal string, by its value in the
    subject and the content of that personalization's message. Answers 202 with no
    body and an ``X-Message-Id``. No idempotency key."""

    LIMIT = 1000

    def __init__(self, *, api_key: str = "SG.test") -> None:
        super().__init__(api_key=api_key)

    def handle(self, path, headers, body):
        if path != "/v3/mail/send":
            return 404, b'{"errors": [{"message": "not found"}]}', {}
        if headers.get("Authorization") != f"Bearer {self.api_key}":
            return 401, b'{"errors": [{"message": "unauthorized"}]}', {}
        data = json.loads(body or b"null")
        people = data.get("personalizations") or []
        if not people or len(people) > self.LIMIT:
            msg = b'{"errors": [{"message": "personalizations: 1 to 1000"}]}'
            return 400, msg, {}
        content = {c["type"]: c["value"] for c in data.get("content", [])}
        kept = []
        import re

        for person in people:
            subs = person.get("substitutions") or {}
            if any(not isinstance(v, str) for v in subs.values()):
                return 400, b'{"errors": [{"message": "substitutions: strings"}]}', {}
            pattern = (
                re.compile(
                    "("
                    + "|".join(
                        re.escape(k) for k in sorted(subs, key=len, reverse=True)
                    )
                    + ")"
                )
                if subs
                else None
            )

            def fill(text, subs=subs, pattern=pattern):
                return self.substitute(text, subs, pattern) if pattern else text

            for to in person["to"]:
                kept.append(
                    {
                        "to": to["email"],
                        "from": _addr(data.get("from")),
                        "reply_to": _addr(
                            data.get("reply_to")
                            or (data.get("reply_to_list") or [None])[0]
                        ),
                        "subject": fill(person.get("subject", data.get("subject"))),
                        "text": fill(content.get("text/plain")),
                        "html": fill(content.get("text/html")),
                        "headers": {
                            **(data.get("headers") or {}),
                            **(person.get("headers") or {}),
                        },
                        "custom_args": person.get("custom_args") or {},
                    }
                )
        with self._lock:
            self.requests.append(data)
            self.accepted.extend(kept)
        return 202, b"", {"X-Message-Id": uuid.uuid4().hex}


class FakeMailgun(_FakeApi):
    """Mailgun's ``POST /v3/<domain>/messages`` (form fields, urlencoded or multipart):
    one message per ``to`` address (at most 1,000 a call) when ``recipient-variables``
    is given, each with ``%recipient.KEY%`` replaced by that recipient's value in the
    subject, bodies and ``h:`` headers. Answers ``{"id", "message": "Queued. Thank
    you."}`` (one id for the call). No idempotency key."""

    LIMIT = 1000

    def __init__(self, *, api_key: str = "key-test") -> None:
        super().__init__(api_key=api_key)

    @staticmethod
    def _fields(headers, body) -> list[tuple[str, str]]:
        from email.parser import BytesParser
        from email.policy import HTTP
        from urllib.parse import parse_qsl

        kind = headers.get("Content-Type", "")
        if kind.startswith("multipart/form-data"):
            parsed = BytesParser(policy=HTTP).parsebytes(
                f"Content-Type: {kind}\r\n\r\n".encode() + body
            )
            out = []
            for part in parsed.iter_parts():
                name = part.get_param("name", header="content-disposition")
                out.append((name, part.get_content()))
            return out
        return parse_qsl(body.decode(), keep_blank_values=True)

    def handle(self, path, headers, body):
        import base64
        import re

        parts = path.strip("/").split("/")
        if len(parts) != 3 or parts[0] != "v3" or parts[2] != "messages":
            return 404, b'{"message": "not found"}', {}
        expected = "Basic " + base64.b64encode(f"api:{self.api_key}".encode()).decode()
        if headers.get("Authorization") != expected:
            return 401, b'{"message": "Forbidden"}', {}
        fields = self._fields(headers, body)
        one = {}
        to_list = []
        for name, value in fields:
            if name == "to":
                to_list.append(value)
            else:
                one[name] = value
        if not to_list or len(to_list) > self.LIMIT:
            return 400, b'{"message": "to: 1 to 1000 recipients"}', {}
        variables = json.loads(one.get("recipient-variables") or "{}")
        pattern = re.compile(r"%recipient\.([^%]+)%")
        kept = []
        from email.utils import parseaddr

        for to in to_list:
            address = parseaddr(to)[1]
            values = {k: str(v) for k, v in (variables.get(address) or {}).items()}
            kept.append(
                {
                    "to": address,
                    "from": one.get("from"),
                    "reply_to": self.substitute(one.get("h:Reply-To"), values, pattern),
                    "subject": self.substitute(one.get("subject"), values, pattern),
                    "text": self.substitute(one.get("text"), values, pattern),
                    "html": self.substitute(one.get("html"), values, pattern),
                    "headers": {
                        k[2:]: self.substitute(v, values, pattern)
                        for k, v in one.items()
                        if k.startswith("h:")
                    },
                }
            )
        with self._lock:
            self.requests.append({"fields": fields})
            self.accepted.extend(kept)
        message_id = f"<{uuid.uuid4().hex}@{parts[1]}>"
        raw = json.dumps({"id": message_id, "message": "Queued. Thank you."})
        return 200, raw.encode(), {}


class FakeBrevo(_FakeApi):
    """Brevo's ``POST /v3/smtp/email`` with ``messageVersions`` (at most 1,000 a call):
    one message per version, the version's ``params`` over the global ``params`` filled
    into ``{{ params.KEY }}`` in the subject and contents; Brevo's template language
    escapes every variable's HTML unless it is inside ``{% autoescape off %}``. The
    ``idempotencyKey`` in the request's ``headers`` (a UUID) is honoured as Brevo
    documents it: a request with a key seen in the last 30 minutes is processed only
    once; the fake answers the repeat with the first response and sends nothing new
    (what Brevo's answer to a repeat looks like is not documented). Answers 201 with
    ``{"messageIds": [...]}`` in version order."""

    LIMIT = 1000
    KEY_TTL_SECONDS = 30 * 60

    def __init__(self, *, api_key: str = "xkeysib-test") -> None:
        super().__init__(api_key=api_key)
        self._keys: dict[str, tuple[float, bytes]] = {}
        self._serial = threading.Lock()  # a key is checked and kept in one step

    def handle(self, path, headers, body):
        with self._serial:
            return self._handle(path, headers, body)

    def render(self, text, params: dict):
        import html
        import re

        if not isinstance(text, str):
            return text
        variable = re.compile(r"\{\{\s*params\.([A-Za-z0-9_]+)\s*\}\}")

        def fill(chunk: str, escape: bool) -> str:
            def one(m):
                value = str(params.get(m.group(1), ""))
                return html.escape(value) if escape else value

            return variable.sub(one, chunk)

        out = []
        rest = text
        block = re.compile(
            r"\{%\s*autoescape off\s*%\}(.*?)\{%\s*endautoescape\s*%\}", re.DOTALL
        )
        while True:
            m = block.search(rest)
            if m is None:
                out.append(fill(rest, True))
                return "".join(out)
            out.append(fill(rest[: m.start()], True))
            out.append(fill(m.group(1), False))
            rest = rest[m.end() :]

    def _handle(self, path, headers, body):
        if path != "/v3/smtp/email":
            return 404, b'{"code": "not_found"}', {}
        if headers.get("api-key") != self.api_key:
            return 401, b'{"code": "unauthorized", "message": "Key not found"}', {}
        data = json.loads(body or b"null")
        top_headers = data.get("headers") or {}
        key = top_headers.get("idempotencyKey")
        now = time.monotonic()
        if key is not None:
            try:
                uuid.UUID(str(key))
            except ValueError:
                return 400, b'{"code": "invalid_parameter"}', {}
            with self._lock:
                seen = self._keys.get(key)
                if seen and now - seen[0] < self.KEY_TTL_SECONDS:
                    self.replays += 1
                    return 201, seen[1], {}
        versions = data.get("messageVersions") or [{"to": data.get("to") or []}]
        if len(versions) > self.LIMIT:
            return 400, b'{"code": "invalid_parameter", "message": "1000"}', {}
        kept, ids = [], []
        for version in versions:
            params = {**(data.get("params") or {}), **(version.get("params") or {})}
            for to in version["to"]:
                ids.append(f"<{uuid.uuid4().hex}@smtp-relay.mailin.fr>")
                kept.append(
                    {
                        "to": to["email"],
                        "from": _addr(data.get("sender")),
                        "reply_to": _addr(data.get("replyTo")),
                        "subject": self.render(
                            version.get("subject", data.get("subject")), params
                        ),
                        "text": self.render(
                            version.get("textContent", data.get("textContent")), params
                        ),
                        "html": self.render(
                            version.get("htmlContent", data.get("htmlContent")), params
                        ),
                        "headers": {**top_headers, **(version.get("headers") or {})},
                    }
                )
        raw = json.dumps(
            {"messageIds": ids}
            if data.get("messageVersions")
            else {"messageId": ids[0]}
        ).encode()
        with self._lock:
            self.requests.append(data)
            self.accepted.extend(kept)
            if key is not None:
                self._keys[key] = (now, raw)
        return 201, raw, {}
