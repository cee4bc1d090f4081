"""The web process as deployed: gunicorn with gunicorn.conf.py, on a loopback port."""

import shlex
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _procfile_web_args() -> list[str]:
    """The arguments ./dev run gives gunicorn, with this test's port."""
    (line,) = [
        line
        for line in (ROOT / "Procfile.dev").read_text().splitlines()
        if line.startswith("web:")
    ]
    args = shlex.split(line.removeprefix("web:"))[1:]  # drop .venv/bin/gunicorn
    return [arg.replace("$PORT", "0") for arg in args]


def test_every_start_of_gunicorn_uses_the_shared_config():
    assert "--config gunicorn.conf.py" in (ROOT / "Procfile.dev").read_text()
    assert '"--config", "gunicorn.conf.py"' in (ROOT / "Dockerfile").read_text()
    assert (
        '"--config", "gunicorn.conf.py"' in (ROOT / "bench/bench_sign.py").read_text()
    )


def test_access_log_has_no_client_address_and_no_query_string(tmp_path):
    port = _free_port()
    args = [
        f"127.0.0.1:{port}" if arg.startswith("127.0.0.1:") else arg
        for arg in _procfile_web_args()
    ]
    args[args.index("--workers") + 1] = "1"
    env = {
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": "gunicorn-test-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "HARBOR_VAR_DIR": str(tmp_path),
    }
    server = subprocess.Popen(
        [GUNICORN, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # The master binds before it logs this; a request sent after it waits in the
        # socket's backlog until the worker has loaded the app.
        for line in server.stderr:
            if "Listening at:" in line:
                break
        else:
            raise AssertionError("gunicorn did not start")
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/livez?zip_code=12345&q=ana%40example.org",
            timeout=30,
        ) as response:
            assert response.status == 200
    finally:
        server.send_signal(signal.SIGTERM)  # graceful: the worker finishes its log line
        access_log, _ = server.communicate(timeout=30)
    (line,) = [line for line in access_log.splitlines() if "/livez" in line]
    assert '"GET /livez HTTP/1.1" 200 2 ' in line
    assert "127.0.0.1" not in line
    assert "12345" not in line
    assert "example.org" not in line
    assert "?" not in line
