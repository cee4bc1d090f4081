"""The one job mechanism: a row per unit of queued work, claimed by a Celery task.

Every kind of queued work (a supporter import, a delivery PDF, a signer's email, later an
alert chunk) is a model that inherits ``Job``. A task is given the row's id; it ``claim``s
the row (a conditional UPDATE: pending and due, or running with a stale claim), does the
work, and ends with ``finish`` or ``fail``. Those two, and ``heartbeat``, are fenced by
the claim token: a worker whose claim went stale and was taken over by another cannot
overwrite its successor's result, whatever it does late.

One beat task (``harbor.sweep_jobs``, every minute) walks every concrete ``Job`` model:
stale claims go back to pending (or to failed after ``max_attempts``), and pending rows
that are due are enqueued again. So a message lost with the broker, a worker SIGKILLed
mid-run or a task out of retries is recovered within a couple of minutes, for every kind
at once. Idempotency comes from the rows, never from the broker: a redelivered message
finds nothing to claim.

Works the same on SQLite and PostgreSQL: the only guard is the conditional UPDATE.
"""

import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import TimestampedModel

logger = logging.getLogger(__name__)


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a worker")
    RUNNING = "running", _("In progress")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Not done: nothing to do")
    FAILED = "failed", _("Failed")


FINISHED = (JobStatus.DONE, JobStatus.SKIPPED, JobStatus.FAILED)


class Job(TimestampedModel):
    """Abstract base of every queued unit of work.

    A subclass names the task that works one row (``job_task_name``, called with the
    row's pk) and its queue; it may tighten ``max_attempts`` and ``stale_after_seconds``.
    Long jobs call ``heartbeat`` as they go, so a live claim never looks stale."""

    Status = JobStatus

    status = models.CharField(
        max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    # Set by each claim; finishing writes must carry it. Null while nobody holds it.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # A class name and status code, never an ESP's message text (it may quote an address).
    last_error = models.CharField(max_length=300, blank=True)
    # A pending row is not claimed before this (retry backoff); null means now.
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    job_task_name: ClassVar[str] = ""
    job_queue: ClassVar[str] = "default"
    max_attempts: ClassVar[int] = 5
    # None: settings.HARBOR_JOB_STALE_SECONDS.
    stale_after_seconds: ClassVar[int | None] = None
    # A kind's own words for a status ("Rejected", "Ready"); the generic label otherwise.
    STATUS_TEXT: ClassVar[dict[str, Any]] = {}

    class Meta:
        abstract = True
        indexes = [
            models.Index(fields=["status", "claimed_at"], name="%(class)s_claim")
        ]

    @property
    def status_text(self) -> str:
        return str(self.STATUS_TEXT.get(self.status, self.get_status_display()))

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @classmethod
    def stale_after(cls) -> timedelta:
        seconds = cls.stale_after_seconds or settings.HARBOR_JOB_STALE_SECONDS
        return timedelta(seconds=seconds)


@dataclass(frozen=True)
class Claim:
    """Proof that this worker holds ``model`` row ``pk`` until it finishes or goes stale."""

    model: type[Job]
    pk: int
    token: uuid.UUID
    attempt: int

    def mine(self) -> models.QuerySet:
        """The row, only while this claim still holds it (for fenced progress writes)."""
        return self.model._default_manager.filter(
            pk=self.pk, claim_token=self.token, status=JobStatus.RUNNING
        )


def _claimable(model: type[Job], now) -> Q:
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return (Q(status=JobStatus.PENDING) & due) | Q(
        status=JobStatus.RUNNING, claimed_at__lt=now - model.stale_after()
    )


def claim(model: type[Job], pk: int) -> Claim | None:
    """Claim row ``pk`` of ``model`` if it is pending and due, or running with a stale
    claim (its worker died). Returns the claim, or None when another worker holds it, it
    is finished, not yet due, or gone. Safe to repeat and to race: one caller wins."""
    now = timezone.now()
    token = uuid.uuid4()
    won = (
        model._default_manager.filter(_claimable(model, now), pk=pk)
        .filter(attempts__lt=model.max_attempts)
        .update(
            status=JobStatus.RUNNING,
            claim_token=token,
            claimed_at=now,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    )
    if not won:
        return None
    attempt = model._default_manager.filter(pk=pk).values_list("attempts", flat=True)
    return Claim(model=model, pk=pk, token=token, attempt=attempt.first() or 1)


def heartbeat(claim_: Claim, **fields: Any) -> bool:
    """Refresh the claim (and write progress ``fields``) while it is still ours. Returns
    False when the claim was taken over: the caller should stop."""
    now = timezone.now()
    return bool(claim_.mine().update(claimed_at=now, updated_at=now, **fields))


def finish(claim_: Claim, *, status: str = JobStatus.DONE, **fields: Any) -> bool:
    """Record the result (``fields``) and end the job as ``status`` (done or skipped),
    only if the claim is still ours. Returns False, changing nothing, otherwise."""
    if status not in (JobStatus.DONE, JobStatus.SKIPPED):
        raise ValueError(f"finish() ends a job as done or skipped, not {status}")
    now = timezone.now()
    done = claim_.mine().update(
        status=status,
        claim_token=None,
        finished_at=now,
        updated_at=now,
        last_error="",
        **fields,
    )
    if not done:
        logger.warning(
            "%s=%s finished by a stale claim: ignored", _label(claim_), claim_.pk
        )
    return bool(done)


def fail(
    claim_: Claim,
    *,
    error: str,
    retry_in: timedelta | None = None,
    **fields: Any,
) -> bool:
    """End this attempt with ``error``, only if the claim is still ours. With
    ``retry_in`` (a transient failure) the row goes back to pending, due after that
    delay, unless it has used up ``max_attempts``; without it the job has failed for
    good. Returns False, changing nothing, if the claim was taken over."""
    now = timezone.now()
    retry = retry_in is not None and claim_.attempt < claim_.model.max_attempts
    updates: dict[str, Any] = {
        "claim_token": None,
        "updated_at": now,
        "last_error": error[:300],
        **fields,
    }
    if retry and retry_in is not None:
        updates |= {"status": JobStatus.PENDING, "next_attempt_at": now + retry_in}
    else:
        updates |= {"status": JobStatus.FAILED, "finished_at": now}
    changed = bool(claim_.mine().update(**updates))
    if changed and retry and retry_in is not None:
        _send(claim_.model, claim_.pk, countdown=retry_in.total_seconds())
    return changed


def backoff(attempt: int) -> timedelta:
    """The delay before retrying a transient failure (``fail(retry_in=...)``):
    exponential with jitter, about 10 s, 20 s, 40 s … capped at 10 minutes."""
    base = min(600, 10 * 2 ** max(0, attempt - 1))
    return timedelta(seconds=base / 2 + secrets.randbelow(max(1, base // 2) + 1))


def enqueue_on_commit(model: type[Job], pk: int) -> None:
    """Send the job's task for row ``pk`` once the current transaction commits (at once
    outside one). A message lost here is recovered by the sweep."""
    transaction.on_commit(lambda: _send(model, pk))


def _send(model: type[Job], pk: int, *, countdown: float | None = None) -> None:
    from .celery import app

    try:
        app.send_task(
            model.job_task_name, args=[pk], queue=model.job_queue, countdown=countdown
        )
    except Exception:
        logger.exception("could not enqueue %s=%s; the sweep will", _label(model), pk)


def _label(model_or_claim: Any) -> str:
    model = getattr(model_or_claim, "model", model_or_claim)
    return model._meta.label_lower


def job_models() -> list[type[Job]]:
    """Every concrete job kind in the project."""
    return [m for m in apps.get_models() if issubclass(m, Job) and not m._meta.abstract]


def sweep(*, limit: int = 1000) -> dict[str, int]:
    """Recover every kind of job: stale claims (their worker died) go back to pending,
    or to failed once they used ``max_attempts``; pending rows that are due and have
    waited a while (their message was lost, or retries ran out) are enqueued again.
    Safe to repeat and to run beside live workers: a live claim is never stale (long
    jobs heartbeat), and a re-sent message for a row already claimed finds nothing.
    Returns the number of rows re-enqueued per kind."""
    now = timezone.now()
    counts: dict[str, int] = {}
    for model in job_models():
        manager = model._default_manager
        stale = Q(status=JobStatus.RUNNING, claimed_at__lt=now - model.stale_after())
        manager.filter(stale, attempts__gte=model.max_attempts).update(
            status=JobStatus.FAILED,
            claim_token=None,
            finished_at=now,
            updated_at=now,
            last_error="The worker stopped before finishing, too many times.",
        )
        # Give a freshly queued row's own message time to arrive first.
        waited = now - timedelta(seconds=settings.HARBOR_JOB_REQUEUE_AFTER_SECONDS)
        due = manager.filter(
            Q(next_attempt_at__isnull=True, updated_at__lt=waited)
            | Q(next_attempt_at__lte=now),
            status=JobStatus.PENDING,
            attempts__lt=model.max_attempts,
        )
        ids = list(due.order_by("pk").values_list("pk", flat=True)[:limit])
        taken_back = list(
            manager.filter(stale).order_by("pk").values_list("pk", flat=True)[:limit]
        )
        # The conditional UPDATE decides: a row claimed again meanwhile is left alone.
        manager.filter(stale, pk__in=taken_back).update(
            status=JobStatus.PENDING,
            claim_token=None,
            next_attempt_at=None,
            updated_at=now,
            last_error="The worker stopped before finishing; queued again.",
        )
        ids = sorted({*ids, *taken_back})
        for pk in ids:
            _send(model, pk)
        if ids:
            logger.info("sweep re-enqueued %s %s job(s)", len(ids), _label(model))
        counts[_label(model)] = len(ids)
    return counts
