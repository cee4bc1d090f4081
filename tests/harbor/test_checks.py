"""A missing SITE_URL stops start-up instead of sending dead links."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from harbor.checks import check_site_url, stop_on_errors

ROOT = Path(__file__).resolve().parent.parent.parent


def test_missing_site_url_is_an_error_without_debug(settings):
    settings.SITE_URL = ""
    settings.DEBUG = False
    assert [e.id for e in check_site_url()] == ["harbor.E001"]
    with pytest.raises(ImproperlyConfigured, match="SITE_URL"):
        stop_on_errors()
    settings.SITE_URL = "https://act.example.org"
    assert check_site_url() == []


@pytest.mark.parametrize("entry", ["wsgi", "check"])
def test_gunicorn_and_manage_py_refuse_to_start_without_site_url(entry):
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    env |= {"SITE_URL": "", "DEBUG": "false", "HARBOR_ENV_FILE": "/nonexistent"}
    command = (
        [sys.executable, "-c", "import harbor.wsgi"]
        if entry == "wsgi"
        else [sys.executable, "manage.py", "check"]
    )
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "SITE_URL" in result.stderr


def test_dev_run_derives_site_url_from_port():
    text = (ROOT / "dev").read_text()
    run = text[text.index("  run)") : text.index("honcho")]
    assert "export SITE_URL=${SITE_URL:-http://127.0.0.1:$PORT}" in run
    assert run.index("export SITE_URL") < run.index("manage.py migrate")
