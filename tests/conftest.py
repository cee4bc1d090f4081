"""Shared fixtures: staff users, a real Celery worker process, a real browser.

HARBOR_REQUIRE_ALL=1 (set by .ci/run) turns a missing browser or service into a failure
instead of a skip, so CI can never pass by skipping.
"""

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("HARBOR_CHROMIUM", "/usr/bin/chromium")


def require(condition: bool, reason: str) -> None:
    """Skip when a part is missing on a developer machine; fail in CI."""
    if condition:
        return
    if os.environ.get("HARBOR_REQUIRE_ALL") == "1":
        pytest.fail(f"required part missing: {reason}", pytrace=False)
    pytest.skip(reason)


def jobs_queued(callbacks) -> list:
    """The on-commit callbacks that queue work, without ``harbor.events``' announcements
    (every new supporter and action announces itself after commit)."""
    return [c for c in callbacks if getattr(c, "__module__", "") != "harbor.events"]


@pytest.fixture
def staff_user(db):
    """A staff admin (every permission, every chapter, manages roles)."""
    from accounts.models import Role
    from tests.accounts.factories import make_user

    return make_user("staffer@example.org", role=Role.STAFF_ADMIN)


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def database_url_for_subprocess() -> str:
    """A DATABASE_URL that points another process at the test database."""
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s["HOST"] or "localhost"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{s['NAME']}"


def purge_broker() -> None:
    from harbor.celery import app

    with app.connection_for_write() as conn:
        for queue in ("transactional", "bulk", "default"):
            try:
                conn.default_channel.queue_purge(queue)
            except Exception:  # noqa: BLE001, S112 - a queue that does not exist yet is empty
                continue


def start_worker(log_path: Path) -> subprocess.Popen:
    """A real ``celery worker`` process on the configured broker, using the test
    database, logging to ``log_path``."""
    env = {**os.environ, "DATABASE_URL": database_url_for_subprocess()}
    log = log_path.open("a")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "harbor",
            "worker",
            "--pool",
            "solo",
            "--queues",
            "transactional,bulk,default",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def stop_worker(proc: subprocess.Popen) -> None:
    """Stop at once (SIGKILL): the test has seen the effect it waited for, so nothing
    is left to finish, and Celery's warm or cold shutdown costs over 4 s each time. A
    message left unacknowledged is purged by the next worker fixture."""
    if proc.poll() is None:
        proc.kill()
    proc.wait()


def wait_until(predicate, *, timeout: float, log_path: Path, interval: float = 0.1):
    """Poll ``predicate`` until it returns something true; fail with the worker log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(
        "the worker did not finish in time; its log:\n" + log_path.read_text()
    )


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path):
    """A real worker process. Yields ``wait_for(predicate, timeout)``, which polls until
    the worker's effect is visible."""
    purge_broker()
    log_path = tmp_path / "worker.log"
    proc = start_worker(log_path)

    def wait_for(predicate, timeout: float = 60.0):
        return wait_until(
            lambda: predicate() or (proc.poll() is not None and None),
            timeout=timeout,
            log_path=log_path,
        )

    try:
        yield wait_for
    finally:
        stop_worker(proc)


@pytest.fixture
def ping_token():
    token = uuid.uuid4().hex
    yield token
    cache.delete(f"harbor:ping:{token}")


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright."""
    require(
        shutil.which(CHROMIUM) is not None or Path(CHROMIUM).exists(),
        f"chromium not found at {CHROMIUM}",
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _no_required_second_factor(settings):
    """Staff admins log in with force_login throughout the suite: the enrolment that
    HARBOR_REQUIRE_2FA demands is off here and on in tests/security/test_two_factor.py."""
    settings.HARBOR_REQUIRE_2FA = False


@pytest.fixture(autouse=True)
def _mail_dir(settings, tmp_path):
    settings.HARBOR_MAIL_DIR = tmp_path / "mail"


@pytest.fixture
def fake_postmark(settings):
    """anymail's real Postmark backend, pointed at a loopback fake Postmark API."""
    from tests.fake_esp import FakePostmark

    with FakePostmark() as fake:
        settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
        settings.ANYMAIL = {
            "POSTMARK_SERVER_TOKEN": "test-token",
            "POSTMARK_API_URL": fake.url,
        }
        yield fake


@pytest.fixture(autouse=True)
def _default_language():
    """A request's language stays active in its thread after the test client returns
    (as in any Django process, where the next request activates its own): reset it so
    that a Spanish page in one test never makes the next test's messages Spanish."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters kept in Redis outlive a test (those in the database are rolled
    back with it): each test starts with none, as on SQLite. Each test process has its own
    Redis database (harbor/settings.py), so this never touches another process's keys."""
    from django.conf import settings

    if settings.REDIS_URL:
        from harbor import ratelimit

        client = ratelimit._redis()
        keys = list(client.scan_iter(match="harbor:ratelimit:*", count=1000))
        if keys:
            client.delete(*keys)


def drain_signatures() -> int:
    """Run the signature intake drain here and now, as a worker would (every signature
    is an intake row until drained: petitions.intake). Returns the signatures written."""
    from petitions.intake import drain_intake

    return drain_intake()
