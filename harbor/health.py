"""Checks of the parts Harbor cannot run without: the database and the broker."""

import logging

from django.db import connection

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
    from harbor.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001 - any failure means "unhealthy"
        logger.warning("healthz broker: %s", type(exc).__name__)
        return type(exc).__name__
    return None
