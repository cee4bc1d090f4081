"""Start-up checks of settings that would otherwise fail silently later."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

TAG = "harbor"


@checks.register(TAG)
def check_site_url(app_configs=None, **kwargs):
    """Every link in every email is built on SITE_URL: without it a double opt-in
    signature could never be confirmed. ``./dev run`` sets it from PORT."""
    if settings.SITE_URL:
        return []
    if settings.DEBUG:
        return [
            checks.Warning(
                "SITE_URL is not set: email links will be relative.", id="harbor.W001"
            )
        ]
    return [
        checks.Error(
            "SITE_URL is not set: links in emails would be dead.",
            hint="Set SITE_URL to the public address, e.g. https://act.example.org.",
            id="harbor.E001",
        )
    ]


@checks.register(TAG)
def check_webhook_secret(app_configs=None, **kwargs):
    """With a real ESP, its tracking webhooks (/anymail/<esp>/tracking/) suppress and
    unsubscribe addresses: without ANYMAIL_WEBHOOK_SECRET anyone could post them."""
    try:
        backend = import_string(settings.EMAIL_BACKEND)
    except ImportError:
        return []
    # anymail's ESP backends and Harbor's subclasses of them; not the file or test ones.
    if getattr(backend, "esp_name", None) in (None, "File", "Test"):
        return []
    if settings.ANYMAIL.get("WEBHOOK_SECRET"):
        return []
    return [
        checks.Warning(
            "ANYMAIL_WEBHOOK_SECRET is not set: the ESP's tracking webhooks accept "
            "events from anyone.",
            hint="Set ANYMAIL_WEBHOOK_SECRET to 'user:long-random-password' and put it "
            "in the webhook URL you give the ESP.",
            id="harbor.W002",
        )
    ]


def stop_on_errors() -> None:
    """Run Harbor's own checks and stop start-up on an error (gunicorn and Celery
    workers do not run Django's system checks by themselves)."""
    errors = [e for e in checks.run_checks(tags=[TAG]) if e.is_serious()]
    if errors:
        raise ImproperlyConfigured("; ".join(f"{e.id}: {e.msg}" for e in errors))
