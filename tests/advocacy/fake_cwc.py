"""A loopback fake of the Communicating with Congress (CWC) message endpoint.

It answers ``POST /v2/message?apikey=…`` as CWC does: 401 for a wrong key, 400 with an
``<Errors>`` list when the body does not match the CWC 2.0 schema (the same file Harbor
validates against, ``advocacy/cwc/cwc-2.0.xsd``), 200 otherwise. It records every
request (parsed XML included) and can be told to fail the next calls with a status.
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from lxml import etree

from advocacy.cwc import SCHEMA_PATH


class FakeCwc:
    def __init__(self, *, api_key: str = "cwc-test-key") -> None:
        self.api_key = api_key
        self.requests: list[dict] = []
        self.accepted: list[etree._Element] = []
        self.fail_next: list[int] = []
        self._lock = threading.Lock()
        schema = etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                url = urlsplit(self.path)
                key = parse_qs(url.query).get("apikey", [""])[0]
                with fake._lock:
                    record = {
                        "path": url.path,
                        "apikey": key,
                        "content_type": self.headers.get("Content-Type", ""),
                        "body": body,
                    }
                    fake.requests.append(record)
                    status = fake.fail_next.pop(0) if fake.fail_next else 200
                if url.path != "/v2/message":
                    return self._reply(404, "<Errors><Error>Not found</Error></Errors>")
                if key != fake.api_key:
                    return self._reply(401, "<Errors><Error>Bad key</Error></Errors>")
                if status != 200:
                    return self._reply(status, "<Errors><Error>fake</Error></Errors>")
                try:
                    doc = etree.fromstring(body)
                except etree.XMLSyntaxError:
                    return self._reply(400, "<Errors><Error>Not XML</Error></Errors>")
                if not schema.validate(doc):
                    errors = "".join(
                        f"<Error>{e.message}</Error>" for e in schema.error_log
                    )
                    return self._reply(400, f"<Errors>{errors}</Errors>")
                with fake._lock:
                    fake.accepted.append(doc)
                return self._reply(200, "<Success>Message accepted</Success>")

            def _reply(self, status, text):
                raw = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"
        self.url = f"{self.base_url}/v2/message"
        self._thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )

    def __enter__(self) -> "FakeCwc":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
