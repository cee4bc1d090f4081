"""Settings, the home page, login, health checks."""

import os
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def run_settings(env_overrides: dict, code: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "DEBUG",
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "REDIS_URL",
            "EMAIL_BACKEND",
        }
    }
    env.update(env_overrides)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings; {code}",
        ],
        cwd=ROOT,
        env={
            **env,
            "DJANGO_SETTINGS_MODULE": "harbor.settings",
            "HARBOR_VAR_DIR": str(ROOT / "var"),
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_missing_secret_key_stops_startup(tmp_path):
    result = run_settings(
        {
            "HARBOR_VAR_DIR": str(tmp_path),
            "HARBOR_ENV_FILE": str(tmp_path / "none.env"),
        },
        "print(settings.SECRET_KEY)",
    )
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_defaults_are_the_embedded_setup_with_debug_off():
    result = run_settings(
        {"SECRET_KEY": "k"},
        "print(settings.DEBUG, settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL, settings.EMAIL_BACKEND)",
    )
    assert result.stdout.split() == [
        "False",
        "django.db.backends.sqlite3",
        "filesystem://",
        "harbor.mail_backends.FileEmailBackend",
    ]


def test_production_settings_come_from_the_environment():
    result = run_settings(
        {
            "SECRET_KEY": "k",
            "DATABASE_URL": "postgres://u:p@db.internal:5432/harbor",
            "CELERY_BROKER_URL": "redis://cache.internal:6379/0",
            "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
            "POSTMARK_SERVER_TOKEN": "tok",
            "ALLOWED_HOSTS": "act.example.org,www.example.org",
        },
        "d=settings.DATABASES['default']; print(d['ENGINE'], d['HOST'], settings.CELERY_BROKER_URL, "
        "settings.ANYMAIL['POSTMARK_SERVER_TOKEN'], ','.join(settings.ALLOWED_HOSTS), "
        "settings.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'])",
    )
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "db.internal",
        "redis://cache.internal:6379/0",
        "tok",
        "act.example.org,www.example.org",
        "21600",
    ]


def test_home_page_lists_live_campaigns(client, db):
    from campaigns.models import Campaign

    Campaign.objects.create(
        title="Generation Freedom", slug="gf", status="live", story="**Act** now"
    )
    Campaign.objects.create(title="Secret draft", slug="draft", status="draft")
    page = client.get(reverse("pages:home")).content.decode()
    assert "Generation Freedom" in page
    assert "Secret draft" not in page
    detail = client.get("/campaigns/gf/").content.decode()
    assert "<strong>Act</strong>" in detail
    assert client.get("/campaigns/draft/").status_code == 404


def test_campaign_story_markdown_cannot_inject_script(client, db):
    from campaigns.models import Campaign

    Campaign.objects.create(
        title="T",
        slug="t",
        status="live",
        story="<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
    )
    page = client.get("/campaigns/t/").content.decode()
    assert "<script>alert" not in page
    assert "javascript:" not in page
    assert "onerror" not in page


def test_login_reaches_the_staff_dashboard(client, staff_user):
    response = client.post(
        reverse("login"),
        {"username": "staffer@example.org", "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200


def test_bad_login_shows_an_error_and_logs_in_nobody(client, staff_user):
    response = client.post(
        reverse("login"), {"username": "staffer@example.org", "password": "wrong"}
    )
    assert response.status_code == 200
    assert "Please enter a correct email and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_healthz_checks_database_and_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok"},
    }


def test_healthz_fails_when_the_broker_is_unreachable(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] != "ok"


def test_task_names_are_pinned():
    from harbor.celery import app

    app.loader.import_default_modules()
    assert {
        "supporters.run_import",
        "harbor.sweep_jobs",
        "harbor.ping",
        "petitions.send_signature_email",
        "petitions.render_delivery_report",
    } <= set(app.tasks)
    # Every periodic entry names a registered task.
    assert {entry["task"] for entry in app.conf.beat_schedule.values()} <= set(
        app.tasks
    )
