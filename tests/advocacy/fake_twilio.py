"""A loopback fake of Twilio's REST API (the part Harbor uses), for the real ``twilio``
library's ``Client``.

It answers ``POST /2010-04-01/Accounts/<AccountSid>/Calls.json`` as Twilio does: HTTP
Basic auth with the account SID and auth token (else 401 and error 20003), a form body
with ``To``, ``From`` and ``Url`` (else 400 and error 21201/21205), a ``To`` that is not
a callable number (malformed, +1 555..., or in ``refused``) refused with error 21211,
and otherwise 201 and the new call resource as JSON (``sid`` ``CA`` + 32 hex digits,
``status`` ``queued``). Every request is recorded; ``fail_next`` makes the next calls answer with an error status (500, 503).
"""

import base64
import json
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

_CALLS_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC[0-9a-f]{32})/Calls\.json$")
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")


class FakeTwilio:
    def __init__(self, *, account_sid: str, auth_token: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.requests: list[dict] = []
        self.fail_next: list[int] = []
        # Numbers Twilio answers 21211 for (besides malformed ones and +1 555...).
        self.refused: set[str] = set()
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                form = {
                    key: values if len(values) > 1 else values[0]
                    for key, values in parse_qs(body.decode()).items()
                }
                with fake._lock:
                    fake.requests.append(
                        {
                            "path": self.path,
                            "auth": self.headers.get("Authorization", ""),
                            "content_type": self.headers.get("Content-Type", ""),
                            "form": form,
                        }
                    )
                    forced = fake.fail_next.pop(0) if fake.fail_next else None
                status, payload = fake._answer(self.path, self.headers, form, forced)
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )

    @staticmethod
    def _error(status: int, code: int, message: str) -> tuple[int, dict]:
        return status, {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }

    def _answer(self, path, headers, form, forced) -> tuple[int, dict]:
        match = _CALLS_PATH.match(path)
        if not match:
            return self._error(404, 20404, "The requested resource was not found")
        expected = base64.b64encode(
            f"{self.account_sid}:{self.auth_token}".encode()
        ).decode()
        if (
            headers.get("Authorization") != f"Basic {expected}"
            or match["sid"] != self.account_sid
        ):
            return self._error(401, 20003, "Authenticate")
        if forced:
            return self._error(forced, 20500, "An internal server error has occurred")
        for field, code in (("To", 21201), ("From", 21213), ("Url", 21205)):
            if not form.get(field):
                return self._error(400, code, f"No '{field}' number is specified")
        to = form["To"]
        if not _E164.match(to) or to.startswith("+1555") or to in self.refused:
            return self._error(
                400, 21211, f"Invalid 'To' Phone Number: {form['To'][:20]}"
            )
        sid = "CA" + uuid.uuid4().hex
        return 201, {
            "sid": sid,
            "account_sid": self.account_sid,
            "to": form["To"],
            "from": form["From"],
            "status": "queued",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "date_created": "Tue, 01 Dec 2026 12:00:00 +0000",
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Calls/{sid}.json",
        }

    @property
    def calls(self) -> list[dict]:
        """The form bodies of the call-create requests, in order."""
        return [r["form"] for r in self.requests if _CALLS_PATH.match(r["path"] or "")]

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
