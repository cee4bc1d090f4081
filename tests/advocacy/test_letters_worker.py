"""A real Celery worker process delivers letters: by email through anymail's real
Postmark backend to the loopback fake ESP, and to a loopback fake CWC."""

import pytest

from advocacy.models import Outreach
from tests.advocacy.fake_cwc import FakeCwc
from tests.conftest import purge_broker, start_worker, stop_worker, wait_until
from tests.fake_esp import FakePostmark

from .letters_setup import configure_cwc, cwc_env
from .test_letters import form_data, letter_page, write_url


@pytest.fixture
def letter_worker(transactional_db, tmp_path, monkeypatch, settings):
    """The fakes, this process and a worker process configured alike."""
    with FakePostmark() as esp, FakeCwc() as cwc:
        configure_cwc(settings, cwc)
        settings.SITE_URL = "http://testserver"
        env = {
            **cwc_env(cwc),
            "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
            "POSTMARK_SERVER_TOKEN": "test-token",
            "POSTMARK_API_URL": esp.url,
            "SITE_URL": "http://testserver",
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
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
            yield wait_for, esp, cwc
        finally:
            stop_worker(proc)


@pytest.mark.worker
def test_a_real_worker_delivers_letters_by_email_and_cwc(
    client, letter_worker, texas_letter, congress_letter
):
    wait_for, esp, cwc = letter_worker
    for action in (texas_letter, congress_letter):
        page = letter_page(client, action)
        assert client.post(write_url(page), form_data(page)).status_code == 303

    def settled():
        pending = Outreach.objects.filter(delivery_status="pending").exists()
        return not pending and list(Outreach.objects.order_by("pk"))

    letters = wait_for(settled)
    statuses = sorted(o.delivery_status for o in letters)
    assert statuses == ["delivered"] * 3 + ["no_route", "sent"]
    (message,) = esp.messages
    assert message["ReplyTo"] == "ana@example.org"
    assert len(cwc.accepted) == 3
