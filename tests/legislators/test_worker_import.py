"""The reference-data import runs in a real Celery worker process."""

import pytest

from legislators.models import Legislator, SyncRun, ZipDistrict
from legislators.tasks import import_reference_data_task

pytestmark = pytest.mark.worker


def test_import_task_runs_in_a_worker_and_can_run_again(celery_worker_process):
    import_reference_data_task.delay()
    celery_worker_process(
        lambda: SyncRun.objects.filter(kind="import_zip_crosswalk").exists(),
        timeout=120,
    )
    assert Legislator.objects.filter(bioguide_id__isnull=False).count() == 537
    assert ZipDistrict.objects.count() == 42033
    import_reference_data_task.delay()
    celery_worker_process(
        lambda: SyncRun.objects.filter(kind="import_zip_crosswalk").count() == 2,
        timeout=120,
    )
    assert (
        SyncRun.objects.filter(kind="import_congress").latest("pk").summary["created"]
        == 0
    )
