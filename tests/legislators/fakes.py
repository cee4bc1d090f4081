"""A loopback HTTP server standing in for Congress.gov, Open States and the Census
geocoder: it serves scripted responses per path and records every request."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


class FakeApi:
    def __init__(self):
        self.routes: dict[str, list[tuple[int, dict, bytes]]] = {}
        self.defaults: dict[str, tuple[int, dict, bytes]] = {}
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                fake.requests.append(
                    {
                        "path": parts.path,
                        "query": parse_qs(parts.query),
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                    }
                )
                queue = fake.routes.get(parts.path)
                if queue:
                    status, headers, body = queue.pop(0)
                else:
                    status, headers, body = fake.defaults.get(
                        parts.path, (404, {}, b'{"error": "not found"}')
                    )
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def serve(self, path: str, body, status: int = 200, headers: dict | None = None):
        """Serve this response for every request to ``path``."""
        self.defaults[path] = (status, headers or {}, _bytes(body))

    def script(self, path: str, *responses):
        """Serve these (status, body[, headers]) in order, then the default."""
        for response in responses:
            status, body, *rest = response
            self.routes.setdefault(path, []).append(
                (status, rest[0] if rest else {}, _bytes(body))
            )

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r["path"] == path)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _bytes(body) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body).encode()
