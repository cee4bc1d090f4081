"""A loopback fake of Postmark's email API, for anymail's real Postmark backend.

It answers ``POST /email`` and ``POST /email/batch`` as Postmark does (one result per
message, with MessageID and To), records every request, and can be told to fail the next
calls with a status code (429, 500) or to mark addresses inactive.
"""

import json
import threading
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
