"""The Celery app. Queues: ``transactional`` (a signer's confirmation must never wait behind
a big alert), ``bulk`` (alert fan-out), ``default`` (imports, syncs, everything else)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harbor.settings")

app = Celery("harbor")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

QUEUES = ("transactional", "bulk", "default")

# Options for tasks that are safe to run twice (their rows carry a unique key and a status):
# acknowledge after the work, requeue if the worker dies, retry only transient failures.
IDEMPOTENT_TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "ignore_result": True,
}
SEND_TASK_OPTIONS = {
    **IDEMPOTENT_TASK_OPTIONS,
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}

# Periodic work. Each entry names a task by its stable name; the issue that adds a
# schedule adds it here, with a comment saying why that interval.
app.conf.beat_schedule = {
    # Recovers supporter imports whose worker died mid-run (see supporters.services).
    "supporters-recover-stuck-imports": {
        "task": "supporters.recover_stuck_imports",
        "schedule": 15 * 60,
    },
    # Bills move at most a few times a day; upstream APIs limit requests (api.data.gov:
    # 5,000/hour), so twice a day is plenty. Disabled while the API keys are unset.
    "legislators-sync-federal-bills": {
        "task": "legislators.sync_federal_bills",
        "schedule": 12 * 3600,
    },
    "legislators-sync-state-bills": {
        "task": "legislators.sync_state_bills",
        "schedule": 12 * 3600,
    },
    # A signer's email left pending (broker down at commit) or claimed by a worker that
    # died: every 5 minutes, so a thank-you or confirmation is never late by much more.
    "petitions-requeue-stuck-signature-emails": {
        "task": "petitions.requeue_stuck_signature_emails",
        "schedule": 5 * 60,
    },
}
