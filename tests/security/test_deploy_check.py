"""Finding 4 of issue #11: `check --deploy` warned W004 (HSTS) and W008 (HTTPS redirect)
with every documented TLS variable on. With production settings it now prints none."""

import os
import secrets
import subprocess
import sys

from tests.conftest import ROOT

# What .env.example documents for production (and .ci/run uses), TLS variables all on.
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SITE_URL": "https://act.example.org",
    "ALLOWED_HOSTS": "act.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://act.example.org",
    "BEHIND_TLS_PROXY": "true",
    "SECURE_COOKIES": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "SECURE_SSL_REDIRECT": "true",
    "HARBOR_POSTAL_ADDRESS": "Harbor Network, 1 Example Street, Washington, DC 20001",
}


def _check_deploy(env_overrides):
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env = {
        **keep,
        "HARBOR_ENV_FILE": os.devnull,  # no developer .env
        "SECRET_KEY": secrets.token_urlsafe(60),
        **env_overrides,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_prints_no_warning_with_production_settings():
    result = _check_deploy(PRODUCTION_ENV)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output
    assert "identified no issues" in output


def test_check_deploy_still_warns_without_the_tls_variables():
    tls = {k for k in PRODUCTION_ENV if k.startswith("SECURE_")}
    result = _check_deploy({k: v for k, v in PRODUCTION_ENV.items() if k not in tls})
    assert result.returncode != 0
    assert "security.W004" in result.stderr
    assert "security.W008" in result.stderr
