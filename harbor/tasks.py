"""Project-wide periodic work: the one job sweep, and a ping for cross-process tests."""

from celery import shared_task

from . import jobs


@shared_task(name="harbor.sweep_jobs", queue="default", ignore_result=True)
def sweep_jobs_task() -> None:
    """Recover stale claims and lost messages of every job kind. Safe to repeat and to
    run beside live workers (see harbor.jobs.sweep)."""
    jobs.sweep()


@shared_task(name="harbor.ping", queue="default", ignore_result=True)
def ping_task(token: str) -> None:
    """Record in the cache that a worker ran this task (used by the cross-process tests)."""
    from django.core.cache import cache

    cache.set(f"harbor:ping:{token}", "pong", timeout=600)
