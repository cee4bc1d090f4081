"""A loopback HTTP server standing in for Congress.gov, Open States and the Census
geocoder: it serves scripted responses per path and records every request.

A response can be cut off mid-body (``cut_after=n``): the server announces the whole
body (Content-Length, or one chunk of its full size with ``chunked=True``), sends its
first ``n`` bytes and closes the connection, as a dropped connection or a failing proxy
does."""

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
        self.routes: dict[str, list[tuple[int, dict, bytes, dict]]] = {}
        self.defaults: dict[str, tuple[int, dict, bytes, dict]] = {}
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
                    status, headers, body, how = queue.pop(0)
                else:
                    status, headers, body, how = fake.defaults.get(
                        parts.path, (404, {}, b'{"error": "not found"}', {})
                    )
                cut_after = how.get("cut_after")
                self.send_response(status)
                self.send_header(
                    "Content-Type", headers.get("Content-Type", "application/json")
                )
                for key, value in headers.items():
                    if key != "Content-Type":
                        self.send_header(key, value)
                if how.get("chunked"):
                    self.send_header("Transfer-Encoding", "chunked")
                else:
                    self.send_header("Content-Length", str(len(body)))
                if cut_after is not None:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                sent = body if cut_after is None else body[:cut_after]
                if how.get("chunked"):
                    self.wfile.write(f"{len(body):x}\r\n".encode() + sent)
                    if cut_after is None:
                        self.wfile.write(b"\r\n0\r\n\r\n")
                else:
                    self.wfile.write(sent)
                self.wfile.flush()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )
        self.thread.start()

    def serve(
        self,
        path: str,
        body,
        status: int = 200,
        headers: dict | None = None,
        *,
        cut_after: int | None = None,
        chunked: bool = False,
    ):
        """Serve this response for every request to ``path``; ``cut_after`` bytes of
        the body, then close, when given."""
        self.defaults[path] = (
            status,
            headers or {},
            _bytes(body),
            {"cut_after": cut_after, "chunked": chunked},
        )

    def script(self, path: str, *responses):
        """Serve these (status, body[, headers[, {"cut_after": n, "chunked": bool}]])
        in order, then the default."""
        for response in responses:
            status, body, *rest = response
            headers = rest[0] if rest else {}
            how = rest[1] if len(rest) > 1 else {}
            self.routes.setdefault(path, []).append(
                (status, headers, _bytes(body), how)
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
