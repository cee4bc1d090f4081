"""A real Celery worker process delivers letters: by email through anymail's real
Postmark backend to the loopback fake ESP, and to a loopback fake CWC."""

import pytest

from advocacy.models import Outreach
from tests.advocacy.fake_cwc import FakeCwc
from tests.fake_esp import FakePostmark

from .letters_setup import configure_cwc, cwc_env
from .test_letters import form_data, letter_page, write_url


@pytest.fixture
def letter_worker_env(monkeypatch, settings):
    """The fakes, with this process and (through the environment) the worker process
    that ``celery_worker_process`` starts next configured for them."""
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
        yield esp, cwc


@pytest.mark.worker
def test_a_real_worker_delivers_letters_by_email_and_cwc(
    letter_worker_env, celery_worker_process, client, texas_letter, congress_letter
):
    esp, cwc = letter_worker_env
    wait_for = celery_worker_process
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
