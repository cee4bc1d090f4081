"""The Celery app. Queues: ``transactional`` (a signer's confirmation must never wait behind
a big alert), ``bulk`` (alert fan-out), ``default`` (imports, syncs, everything else)."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harbor.settings")

app = Celery("harbor")


@signals.worker_init.connect
def _check_settings(**kwargs):
    """A worker sends email with links: it refuses to start without SITE_URL."""
    from harbor.checks import stop_on_errors

    stop_on_errors()


app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

QUEUES = ("transactional", "bulk", "default")

# Options for tasks that are safe to run twice (their rows are harbor.jobs rows with a
# claim): acknowledge after the work, requeue if the worker dies. Retries of transient
# failures go through the job row's backoff, not Celery's.
IDEMPOTENT_TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "ignore_result": True,
}

# Periodic work. Each entry names a task by its stable name; the issue that adds a
# schedule adds it here, with a comment saying why that interval.
app.conf.beat_schedule = {
    # Every kind of job (imports, delivery PDFs, signer emails, later alert chunks): stale
    # claims of dead workers and pending rows whose message was lost are re-queued. Every
    # minute, so recovery takes about HARBOR_JOB_STALE_SECONDS plus a minute at most.
    "harbor-sweep-jobs": {"task": "harbor.sweep_jobs", "schedule": 60},
    # Signatures wait in the intake until drained (petitions.intake). A sign request asks
    # for a drain itself (debounced); this is the backstop for a lost message or a
    # drain that ended just before a row committed: every 5 s, one indexed query that
    # finds nothing when idle.
    "petitions-drain-intake": {"task": "petitions.drain_intake", "schedule": 5},
    # Scheduled action alerts start within a minute of their time (issue #10).
    "alerts-start-due-alerts": {"task": "alerts.start_due_alerts", "schedule": 60},
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
    # Members change after elections, resignations and deaths; upstream files are
    # refreshed a few times a week. Daily; does nothing while no upstream URL is set.
    "legislators-sync-legislators": {
        "task": "legislators.sync_legislators",
        "schedule": 24 * 3600,
    },
    # A letter whose delivery job the sweep failed (its workers kept dying) would stay
    # "on its way" forever: every ten minutes such letters are marked failed.
    "advocacy-settle-failed-letters": {
        "task": "advocacy.settle_failed_letters",
        "schedule": 600,
    },
    # Patch-through calls whose end Twilio never reported: their phone numbers are
    # blanked within PATCH_THROUGH_MAX_CALL_MINUTES plus 15 minutes. Cheap (an indexed
    # query that finds nothing almost always).
    # The retention policy (HARBOR_RETENTION_*): unconfirmed signatures past their days
    # deleted, long-inactive supporters anonymised. Its units are days and years: daily.
    "supporters-apply-retention": {
        "task": "supporters.apply_retention",
        "schedule": 24 * 3600,
    },
    "advocacy-expire-patch-calls": {
        "task": "advocacy.expire_patch_calls",
        "schedule": 15 * 60,
    },
    # The reach dashboard's rollups (issue #12): the last REACH_ROLLUP_RECENT_DAYS
    # days every five minutes, so the figures are at most that old (a refresh of a
    # week takes well under a second at a million supporters); everything, after an
    # exactness check against plain counts, once a day.
    "reach-refresh-rollups": {"task": "reach.refresh_rollups", "schedule": 300},
    "reach-rebuild-rollups": {"task": "reach.rebuild_rollups", "schedule": 24 * 3600},
}
