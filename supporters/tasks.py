"""Celery interfaces to supporter services. Ids in, service call, nothing else."""

from celery import shared_task

from harbor.celery import IDEMPOTENT_TASK_OPTIONS

from . import importing, privacy


@shared_task(name="supporters.run_import", queue="default", **IDEMPOTENT_TASK_OPTIONS)
def run_import_task(import_id: int) -> None:
    """Run one supporter import. Safe on redelivery: only a claimed import runs."""
    importing.run_import(import_id=import_id)


@shared_task(name="supporters.apply_retention", queue="default", ignore_result=True)
def apply_retention_task() -> None:
    """The retention policy, once a day (harbor/celery.py). Safe to repeat."""
    privacy.apply_retention()
