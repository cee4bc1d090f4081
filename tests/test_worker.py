"""A task really crosses into a Celery worker process over the configured broker."""

import pytest
from django.core.cache import cache

from supporters.tasks import ping_task

pytestmark = pytest.mark.worker


def test_queued_task_runs_in_a_worker_process(celery_worker_process, ping_token):
    ping_task.delay(ping_token)

    assert celery_worker_process(lambda: cache.get(f"harbor:ping:{ping_token}")) == "pong"
