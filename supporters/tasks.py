"""Celery interfaces to supporter services. Ids in, service call, nothing else."""

from celery import shared_task

from harbor.celery import IDEMPOTENT_TASK_OPTIONS

from . import importing


@shared_task(name="supporters.run_import", queue="default", **IDEMPOTENT_TASK_OPTIONS)
def run_import_task(import_id: int) -> None:
    """Run one supporter import. Safe on redelivery: only a claimed import runs."""
    importing.run_import(import_id=import_id)
