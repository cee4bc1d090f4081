"""Checks of the parts Harbor cannot run without: the database and the broker."""

import logging

from django.conf import settings
from django.db import connection
from kombu import Connection

logger = logging.getLogger(__name__)


def check_database() -> str | None:
    """Return None if the database answers, else a short reason."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "unhealthy"
        logger.warning("healthz database: %s", type(exc).__name__)
        return type(exc).__name__
    return None


def check_broker() -> str | None:
    """Return None if the Celery broker accepts a connection, else a short reason."""
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            connect_timeout=2,
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001 - any failure means "unhealthy"
        logger.warning("healthz broker: %s", type(exc).__name__)
        return type(exc).__name__
    return None
