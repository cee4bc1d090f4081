"""A task really crosses into a Celery worker process over the configured broker."""

import pytest
from django.core.cache import cache

from harbor.tasks import ping_task

pytestmark = pytest.mark.worker


def test_queued_task_runs_in_a_worker_process(celery_worker_process, ping_token):
    ping_task.delay(ping_token)

    assert (
        celery_worker_process(lambda: cache.get(f"harbor:ping:{ping_token}")) == "pong"
    )


def test_uploaded_import_is_run_by_the_worker(celery_worker_process, staff_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from supporters.models import Supporter, SupporterImport

    upload = SimpleUploadedFile(
        "p.csv", b"email,first_name,state\nana@example.org,Ana,TX\n"
    )
    staff_client.post("/staff/supporters/import/", {"file": upload})

    done = celery_worker_process(
        lambda: SupporterImport.objects.filter(status__in=["done", "failed"]).first()
    )
    assert done.status == "done"
    assert Supporter.objects.get().first_name == "Ana"
