"""Celery interfaces to legislator services: imports and bill syncs. No logic here."""

from celery import shared_task

from harbor.celery import IDEMPOTENT_TASK_OPTIONS

from . import portraits, refresh, services, sync


@shared_task(
    name="legislators.import_reference_data", queue="default", **IDEMPOTENT_TASK_OPTIONS
)
def import_reference_data_task() -> None:
    """Re-import the shipped Congress, Open States and ZIP data. Safe to repeat."""
    services.import_congress()
    services.import_openstates()
    services.import_zip_crosswalk()


@shared_task(
    name="legislators.sync_federal_bills", queue="default", **IDEMPOTENT_TASK_OPTIONS
)
def sync_federal_bills_task() -> None:
    """Refresh tracked federal bills from Congress.gov (retries are inside the client).
    Safe to repeat."""
    sync.sync_federal_bills()


@shared_task(
    name="legislators.sync_state_bills", queue="default", **IDEMPOTENT_TASK_OPTIONS
)
def sync_state_bills_task() -> None:
    """Refresh tracked state bills from Open States. Safe to repeat."""
    sync.sync_state_bills()


@shared_task(
    name="legislators.sync_legislators", queue="default", **IDEMPOTENT_TASK_OPTIONS
)
def sync_legislators_task() -> None:
    """Refresh legislators from the configured upstream URLs (each part does nothing
    while its URL is unset), then copy new portraits. Safe to repeat."""
    refresh.refresh_congress()
    refresh.refresh_openstates()
    portraits.fetch_portraits()
