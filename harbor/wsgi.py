"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harbor.settings")
application = get_wsgi_application()

from harbor.checks import stop_on_errors  # noqa: E402 - needs Django set up

stop_on_errors()
