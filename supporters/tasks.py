"""Celery interfaces to supporter services. Ids in, service call, nothing else."""

from celery import shared_task

from harbor.celery import IDEMPOTENT_TASK_OPTIONS

from . import importing


@shared_task(name="supporters.run_import", queue="default", **IDEMPOTENT_TASK_OPTIONS)
def run_import_task(import_id: int) -> None:
    """Run one supporter import. Safe on redelivery: only a claimed import runs."""
    importing.run_import(import_id=import_id)


@shared_task(
    name="supporters.recover_stuck_imports", queue="default", ignore_result=True
)
def recover_stuck_imports_task() -> None:
    """Re-queue imports whose worker died. Safe to repeat."""
    importing.recover_stuck_imports()


@shared_task(name="harbor.ping", queue="default", ignore_result=True)
def ping_task(token: str) -> None:
    """Record in the cache that a worker ran this task (used by the cross-process tests)."""
    from django.core.cache import cache

    cache.set(f"harbor:ping:{token}", "pong", timeout=600)
