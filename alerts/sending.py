"""The alert send engine: freeze the audience, cut chunks, send each chunk as one ESP
batch call, exactly once.

- ``start_sending(alert)`` freezes the audience into ``AlertRecipient`` rows (one per
  alert and supporter, in one INSERT ... SELECT that also puts each row in its
  ``AlertChunk`` of the configured ESP's batch size, alerts/esp.py), drops suppressed
  addresses, and enqueues the chunks on the ``bulk`` queue after commit. From a web
  request ``queue_start`` does that at once for a small alert and through an
  ``AlertStart`` job (``run_start``) for a big one.
- ``send_chunk(chunk_id)`` (the ``alerts.send_chunk`` task) claims its chunk through
  ``harbor.jobs``, renders each recipient's own message, sends them in one call through
  ``harbor.mail.send_personal_batch`` with the chunk's idempotency key, and marks the
  recipients sent (with the ESP's message ids), failed or suppressed in the transaction
  that finishes the claim.
- ``pause``, ``resume``, ``cancel``; ``start_due_alerts`` (beat) starts scheduled ones.

Exactly once: a chunk's recipients and key never change once cut. A worker that dies
after the ESP accepted the call but before the rows were marked leaves the chunk running;
it goes stale, is claimed again, and repeats the same call with the same key: an ESP that
honours the key (Resend) answers with the first response, sending nothing new, and the
rows are marked from it. See the README ("Alert sending per ESP") for ESPs without one.
"""

import logging
import time
import uuid
from collections import OrderedDict
from email.utils import formataddr

from anymail.exceptions import AnymailError
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from harbor import jobs
from harbor.mail import (
    PersonalMessage,
    Recipient,
    SendFailure,
    blocked_addresses,
    classify_send_error,
    describe_send_error,
    send_merge_batch,
    send_personal_batch,
)
from supporters.models import ChapterMembership, Supporter
from supporters.selectors import suppression_hashes
from supporters.suppression import email_hasher

from . import compliance, esp
from .models import Alert, AlertChunk, AlertRecipient, AlertStart

logger = logging.getLogger(__name__)

Status = Alert.Status
R = AlertRecipient.Status

# Addresses checked against the suppression list per query at freeze time.
SUPPRESSION_BATCH = 20_000
# A suppression list up to this size is read whole at freeze time (a set of hashes).
SUPPRESSION_SET_LIMIT = 500_000


class AlertStateError(ValueError):
    """The alert is not in a state that allows this (a clear message for the page)."""


# --- the audience, frozen -------------------------------------------------------------


def sender_of(alert: Alert):
    """Whose eyes the audience is frozen with: the staff admin who approved it when it
    needed approval, else the one who confirmed it (or composed it)."""
    if alert.needs_approval and alert.approved_by is not None:
        return alert.approved_by
    return alert.confirmed_by or alert.created_by


def audience_supporters(alert: Alert) -> QuerySet[Supporter]:
    """The supporters ``alert`` goes to: the composed audience as its sender may see it
    (alerts.audience: visible, emailable, filtered), and, for a chapter's alert, only
    that chapter's members whatever else is true (a leader's alert never reaches
    another chapter)."""
    from . import audience

    qs = audience.audience_for_alert(alert, sender=sender_of(alert)).emailable()
    if alert.chapter_id is not None:
        qs = qs.filter(
            pk__in=ChapterMembership.objects.filter(chapter_id=alert.chapter_id).values(
                "supporter_id"
            )
        )
    return qs


def _drop_suppressed(alert: Alert) -> int:
    """Mark frozen recipients whose address is on the suppression list suppressed; they
    are never chunked. The audience was frozen from emailable supporters (no bounce,
    complaint or unsubscribe on their record), so what is left to check is the hashed
    list that outlives erasure: read whole when it is not huge and each address hashed
    here, else asked batch by batch through the registered check."""
    listed = suppression_hashes(at_most=SUPPRESSION_SET_LIMIT)
    hash_of = email_hasher()
    queued = AlertRecipient.objects.filter(alert=alert, status=R.QUEUED)
    dropped = 0
    last = 0
    while True:
        rows = list(
            queued.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "email")[:SUPPRESSION_BATCH]
        )
        if not rows:
            return dropped
        last = rows[-1][0]
        if listed is None:
            blocked = blocked_addresses([email for _, email in rows], bulk=True)
            pks = [pk for pk, email in rows if email in blocked]
        else:
            pks = [pk for pk, email in rows if listed and hash_of(email) in listed]
        if pks:
            dropped += queued.filter(pk__in=pks).update(
                status=R.SUPPRESSED, error="suppressed when frozen", chunk=None
            )


def _new_chunks(alert: Alert, numbers: range, size: int, *, rows: int) -> None:
    """Chunks ``numbers`` of ``size`` for ``rows`` rows (the last one takes the rest)."""
    last = rows - size * (len(numbers) - 1)
    AlertChunk.objects.bulk_create(
        [
            AlertChunk(
                alert=alert,
                number=n,
                size=last if n == numbers[-1] else size,
                # Brevo wants a UUID; Resend takes any string up to 256 characters.
                idempotency_key=str(uuid.uuid4()),
            )
            for n in numbers
        ],
        batch_size=2000,
    )


def _freeze_into_chunks(alert: Alert, size: int) -> tuple[int, int]:
    """Freeze the audience with each row's chunk assigned as it is inserted: count the
    audience, create its chunks, then one INSERT ... SELECT numbers the rows
    (ROW_NUMBER by supporter) and joins each to its chunk. No second pass over the rows.
    A supporter who joined between the count and the insert lands beyond the last chunk
    with no chunk; ``_settle_chunks`` gives those their own. Returns (the count, rows
    inserted)."""
    count = audience_supporters(alert).order_by().count()
    if count:
        _new_chunks(alert, range(1, (count + size - 1) // size + 1), size, rows=count)
    select_sql, params = (
        audience_supporters(alert)
        .order_by()
        .values(frozen_id=F("pk"), frozen_email=F("email"))
        .query.sql_with_params()
    )
    table = AlertRecipient._meta.db_table
    chunks = AlertChunk._meta.db_table
    sql = (
        f'INSERT INTO "{table}" (alert_id, supporter_id, email, status, '  # noqa: S608 - no user input: table and column names are ours
        "esp_message_id, error, machine_open, chunk_id) "
        "SELECT %s, q.frozen_id, q.frozen_email, %s, '', '', FALSE, c.id FROM "
        "(SELECT s.frozen_id, s.frozen_email, "
        f"(ROW_NUMBER() OVER (ORDER BY s.frozen_id) - 1) / %s + 1 AS n FROM ({select_sql}) s) q "
        f'LEFT JOIN "{chunks}" c ON c.alert_id = %s AND c.number = q.n WHERE TRUE '
        "ON CONFLICT (alert_id, supporter_id) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [alert.pk, R.QUEUED, size, *params, alert.pk])
        return count, cursor.rowcount


def _settle_chunks(alert: Alert, size: int, *, drifted: bool) -> list[int]:
    """After the suppression check, if the rows are not what the count said (someone
    joined or left between the count and the insert, or was suppressed): queued rows
    beyond the last chunk get chunks of their own, chunk sizes are counted again and a
    chunk left with nobody is removed. ROW_NUMBER puts at most ``size`` rows in any
    chunk whatever happened. Returns the ids of the chunks to send."""
    if drifted:
        unchunked = AlertRecipient.objects.filter(
            alert=alert, status=R.QUEUED, chunk__isnull=True
        )
        if unchunked.exists():
            _cut_chunks(alert, size, only_unchunked=True)
        queued_in = AlertRecipient.objects.filter(
            chunk_id=OuterRef("pk"), status=R.QUEUED
        )
        AlertChunk.objects.filter(alert=alert).update(
            size=Coalesce(
                Subquery(
                    queued_in.order_by()
                    .values("chunk_id")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            )
        )
        AlertChunk.objects.filter(alert=alert, size=0).delete()
    return list(
        AlertChunk.objects.filter(alert=alert)
        .order_by("number")
        .values_list("pk", flat=True)
    )


def _cut_chunks(alert: Alert, size: int, *, only_unchunked: bool = False) -> list[int]:
    """Group the queued recipients (or only those without a chunk) into chunks of
    ``size`` (by id), numbered after any the alert has: the chunk rows in one bulk
    insert, the assignment in one UPDATE over a window. The freeze assigns chunks as it
    inserts (``_freeze_into_chunks``); this is for rows it could not place. Returns the
    alert's chunk ids."""
    rows = AlertRecipient.objects.filter(alert=alert, status=R.QUEUED)
    if only_unchunked:
        rows = rows.filter(chunk__isnull=True)
    count = rows.count()
    if count:
        first = (
            AlertChunk.objects.filter(alert=alert).aggregate(m=Max("number"))["m"] or 0
        )
        total = (count + size - 1) // size
        _new_chunks(alert, range(first + 1, first + total + 1), size, rows=count)
        recipients = AlertRecipient._meta.db_table
        chunks = AlertChunk._meta.db_table
        unchunked = " AND chunk_id IS NULL" if only_unchunked else ""
        sql = (
            f'UPDATE "{recipients}" SET chunk_id = c.id FROM '  # noqa: S608 - our own names
            f'(SELECT id, (ROW_NUMBER() OVER (ORDER BY id) - 1) / %s + 1 + %s AS n FROM "{recipients}" '
            f'WHERE alert_id = %s AND status = %s{unchunked}) q, "{chunks}" c '
            f'WHERE "{recipients}".id = q.id AND c.alert_id = %s AND c.number = q.n'
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [size, first, alert.pk, R.QUEUED, alert.pk])
    return list(
        AlertChunk.objects.filter(alert=alert)
        .order_by("number")
        .values_list("pk", flat=True)
    )


def start_sending(alert: Alert) -> bool:
    """Freeze ``alert``'s audience and queue its chunks; the alert is then SENDING (or
    SENT at once when nobody is left to send to; ``recipient_count`` says how many are
    queued). Returns whether it started: False, changing nothing, unless the alert is a
    draft, scheduled or approved (approval is needed beyond one chapter) with a sender. Safe to repeat: a
    second call finds it sending. ``ImproperlyConfigured`` if the ESP cannot send alerts
    (before anything is changed), and without ``HARBOR_POSTAL_ADDRESS``."""
    esp.require_sendable()
    compliance.postal_address()  # no alert without the address in its footer
    size = esp.chunk_size()
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if (
            locked.status
            not in (
                Status.DRAFT,
                Status.SCHEDULED,
                Status.AWAITING_APPROVAL,
                Status.PREPARING,
            )
            or (locked.needs_approval and locked.approved_at is None)
            or (
                locked.status == Status.AWAITING_APPROVAL and locked.approved_at is None
            )
            or sender_of(locked) is None
        ):
            alert.refresh_from_db()
            return False
        started = time.monotonic()
        counted, inserted = _freeze_into_chunks(locked, size)
        frozen = time.monotonic()
        dropped = _drop_suppressed(locked)
        checked = time.monotonic()
        chunk_ids = _settle_chunks(
            locked, size, drifted=bool(dropped) or inserted != counted
        )
        cut = time.monotonic()
        now = timezone.now()
        locked.recipient_count = AlertRecipient.objects.filter(
            alert=locked, status=R.QUEUED
        ).count()
        locked.frozen_at = now
        locked.status = Status.SENDING if chunk_ids else Status.SENT
        locked.finished_at = None if chunk_ids else now
        locked.save(
            update_fields=[
                "recipient_count",
                "frozen_at",
                "status",
                "finished_at",
                "updated_at",
            ]
        )
        for pk in chunk_ids:
            jobs.enqueue_on_commit(AlertChunk, pk)
    alert.refresh_from_db()
    logger.info(
        "alert %s frozen: %s recipients in %s chunks (insert %.1f s, suppression "
        "%.1f s, chunks %.1f s)",
        alert.pk,
        alert.recipient_count,
        len(chunk_ids),
        frozen - started,
        checked - frozen,
        cut - checked,
    )
    return True


def queue_start(alert: Alert) -> bool:
    """Start ``alert`` from a web request: an alert confirmed for at most
    ``ALERTS_FREEZE_IN_REQUEST_UP_TO`` people is frozen at once (``start_sending``); a
    bigger one becomes PREPARING and an ``AlertStart`` job on the ``bulk`` queue freezes
    it (the request returns at once; the page says "preparing"). Same refusals as
    ``start_sending``, raised here before anything changes (ImproperlyConfigured).
    Returns whether it started or was queued."""
    esp.require_sendable()
    compliance.postal_address()
    if (alert.confirmed_count or 0) <= settings.ALERTS_FREEZE_IN_REQUEST_UP_TO:
        return start_sending(alert)
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if (
            locked.status not in (Status.DRAFT, Status.AWAITING_APPROVAL)
            or (locked.needs_approval and locked.approved_at is None)
            or sender_of(locked) is None
        ):
            alert.refresh_from_db()
            return False
        locked.status = Status.PREPARING
        locked.save(update_fields=["status", "updated_at"])
        job, _created = AlertStart.objects.get_or_create(alert=locked)
        jobs.enqueue_on_commit(AlertStart, job.pk)
    alert.refresh_from_db()
    return True


def run_start(*, job_id: int) -> str:
    """The ``alerts.start_alert`` task: claim the job and freeze its alert. Safe to
    repeat: a redelivered message finds nothing to claim, and a second freeze finds
    the alert sending. A worker that dies mid-freeze rolls its transaction back; the
    claim goes stale and the next claim freezes from the start."""
    claim = jobs.claim(AlertStart, job_id)
    if claim is None:
        return "unclaimed"
    alert = Alert.objects.get(start_job__pk=job_id)
    if alert.status != Status.PREPARING:  # cancelled meanwhile, or already started
        jobs.finish(claim, status=jobs.JobStatus.SKIPPED)
        return str(alert.status)
    try:
        started = start_sending(alert)
    except Exception as exc:
        jobs.fail(claim, error=type(exc).__name__, retry_in=jobs.backoff(claim.attempt))
        raise
    jobs.finish(claim)
    return "started" if started else "unchanged"


# --- pause, resume, cancel, schedule ---------------------------------------------------


def pause(alert: Alert) -> bool:
    """Stop taking new chunks (a chunk already in its ESP call finishes). Returns False
    if the alert was not sending."""
    changed = Alert.objects.filter(pk=alert.pk, status=Status.SENDING).update(
        status=Status.PAUSED, updated_at=timezone.now()
    )
    alert.refresh_from_db()
    return bool(changed)


def resume(alert: Alert) -> bool:
    """Go on sending a paused alert: its waiting chunks are queued again."""
    with transaction.atomic():
        changed = Alert.objects.filter(pk=alert.pk, status=Status.PAUSED).update(
            status=Status.SENDING, updated_at=timezone.now()
        )
        if changed:
            waiting = AlertChunk.objects.filter(
                alert_id=alert.pk, status=jobs.JobStatus.PENDING
            ).values_list("pk", flat=True)
            for pk in waiting:
                jobs.enqueue_on_commit(AlertChunk, pk)
    alert.refresh_from_db()
    if changed:
        _finish_if_done(alert.pk)
    return bool(changed)


def cancel(alert: Alert) -> bool:
    """Cancel an alert not yet sent: chunks not yet claimed are skipped (their recipients
    stay queued, never sent); a chunk already in its ESP call finishes."""
    now = timezone.now()
    with transaction.atomic():
        changed = Alert.objects.filter(
            pk=alert.pk,
            status__in=[
                Status.DRAFT,
                Status.AWAITING_APPROVAL,
                Status.SCHEDULED,
                Status.PREPARING,
                Status.SENDING,
                Status.PAUSED,
            ],
        ).update(status=Status.CANCELLED, finished_at=now, updated_at=now)
        if changed:
            AlertChunk.objects.filter(
                alert_id=alert.pk, status=jobs.JobStatus.PENDING
            ).update(
                status=jobs.JobStatus.SKIPPED,
                finished_at=now,
                updated_at=now,
                last_error="The alert was cancelled.",
            )
            _cancel_waiting_recipients(alert.pk)
    alert.refresh_from_db()
    return bool(changed)


def _cancel_waiting_recipients(alert_id: int) -> int:
    """The recipients of a cancelled alert who will never be sent to: queued, and not
    in a chunk that is in its ESP call right now (that one finishes and marks its own)."""
    return (
        AlertRecipient.objects.filter(alert_id=alert_id, status=R.QUEUED)
        .exclude(chunk__status=jobs.JobStatus.RUNNING)
        .update(status=R.CANCELLED, error="the alert was cancelled")
    )


def start_due_alerts() -> int:
    """Start every scheduled alert whose time has come (the beat task), and end those
    left sending with nothing to send (``settle_alerts``). Returns how many started;
    one that cannot start is logged and left for staff to see."""
    try:
        settle_alerts()
    except Exception:
        logger.exception("settling finished alerts failed")
    due = Alert.objects.filter(
        status=Status.SCHEDULED, scheduled_for__lte=timezone.now()
    ).order_by("scheduled_for", "pk")
    started = 0
    for alert in due:
        try:
            started += start_sending(alert)
        except Exception:  # one bad alert never stops the others
            logger.exception("scheduled alert %s could not start", alert.pk)
    return started


def _finish_if_done(alert_id: int) -> bool:
    """Mark a sending alert finished once none of its chunks is waiting or running:
    the rows still queued in a chunk that failed for good (the sweep gave up on it after
    its last attempt) are marked failed, and the alert ends as sent, or as sent with
    failures when any recipient failed."""
    unfinished = AlertChunk.objects.filter(
        alert_id=alert_id,
        status__in=[jobs.JobStatus.PENDING, jobs.JobStatus.RUNNING],
    )
    if unfinished.exists():
        return False
    now = timezone.now()
    with transaction.atomic():
        if not Alert.objects.filter(pk=alert_id, status=Status.SENDING).exists():
            return False
        AlertRecipient.objects.filter(
            alert_id=alert_id, status=R.QUEUED, chunk__status=jobs.JobStatus.FAILED
        ).update(status=R.FAILED, error="its batch failed for good (see the chunk)")
        failed = AlertRecipient.objects.filter(
            alert_id=alert_id, status=R.FAILED
        ).exists()
        return bool(
            Alert.objects.filter(pk=alert_id, status=Status.SENDING).update(
                status=Status.SENT_WITH_FAILURES if failed else Status.SENT,
                finished_at=now,
                updated_at=now,
            )
        )


def settle_alerts() -> int:
    """End every sending alert none of whose chunks is waiting or running (a chunk the
    sweep failed for good is never finished by a worker, so nobody else would). Part of
    the beat task; returns how many ended."""
    active = AlertChunk.objects.filter(
        alert_id=OuterRef("pk"),
        status__in=[jobs.JobStatus.PENDING, jobs.JobStatus.RUNNING],
    )
    stalled = (
        Alert.objects.filter(status=Status.SENDING)
        .exclude(Exists(active))
        .values_list("pk", flat=True)
    )
    return sum(_finish_if_done(pk) for pk in list(stalled))


# --- one chunk, one ESP call -------------------------------------------------------------


def unsubscribe_url_for(recipient: AlertRecipient) -> str:
    """The recipient's one-click unsubscribe URL (List-Unsubscribe, RFC 8058), from
    ``alerts.compliance``. Deterministic (a signature, no timestamp), as every part of a
    message must be: a repeated call must carry the same body under its key."""
    return compliance.unsubscribe_url_for(
        alert_id=recipient.alert_id, supporter_id=recipient.supporter_id or 0
    )


# One renderer per alert in each worker process: the Markdown, the action link and each
# district's legislators are worked out once per process, not once per chunk. A renderer
# is dropped when its alert was edited (a paused alert may be corrected) and beyond 8.
_RENDERERS: "OrderedDict[int, tuple[object, object]]" = OrderedDict()


def _renderer_for(alert: Alert):
    from .rendering import AlertRenderer

    held = _RENDERERS.get(alert.pk)
    if held is not None and held[0] == alert.updated_at:
        _RENDERERS.move_to_end(alert.pk)
        return held[1]
    renderer = AlertRenderer(alert)
    _RENDERERS[alert.pk] = (alert.updated_at, renderer)
    while len(_RENDERERS) > 8:
        _RENDERERS.popitem(last=False)
    return renderer


def _messages_for(
    alert: Alert, recipients: list[AlertRecipient]
) -> list[PersonalMessage]:
    """Each recipient's own message (alerts.rendering: sandboxed merge fields, one
    renderer for the chunk). A recipient renders the same way every time, so a repeated
    call carries the same body under its key."""
    renderer = _renderer_for(alert)
    messages = []
    for recipient in recipients:
        if recipient.supporter is None:  # erased since the freeze: nobody to send to
            continue
        url = unsubscribe_url_for(recipient)
        subject, text, html = renderer.render(recipient.supporter, unsubscribe_url=url)
        messages.append(
            PersonalMessage(
                email=recipient.email,
                send_id=compliance.send_id_for(recipient.pk),
                subject=subject,
                text=text,
                html=html,
                unsubscribe_url=url,
                unsubscribe_mailto=compliance.unsubscribe_mailto_for(
                    alert_id=recipient.alert_id, supporter_id=recipient.supporter_id
                ),
            )
        )
    return messages


def send_chunk(*, chunk_id: int) -> str:
    """Send one chunk in one ESP batch call and record the answer per recipient.

    Safe to repeat and to race: only a claim sends; the rows are marked under the claim,
    in the transaction that finishes it. A paused alert's chunk is left pending (resume
    queues it again); a cancelled one's is skipped. 429/5xx/network: back to pending with
    backoff (same key next time); a refused call: every recipient failed with the reason;
    a configuration error (bad API key) fails the chunk and raises. Returns what
    happened."""
    row = (
        AlertChunk.objects.filter(pk=chunk_id)
        .values_list("alert_id", "alert__status")
        .first()
    )
    if row is None:
        return "gone"
    alert_id, alert_status = row
    if alert_status == Status.PAUSED:
        return "paused"
    claim = jobs.claim(AlertChunk, chunk_id)
    if claim is None:
        return "unclaimed"
    chunk = AlertChunk.objects.select_related("alert").get(pk=chunk_id)
    alert = chunk.alert
    if alert.status in (Status.CANCELLED, Status.PAUSED):
        if alert.status == Status.CANCELLED:
            with transaction.atomic():
                if jobs.finish(claim, status=jobs.JobStatus.SKIPPED):
                    chunk.recipients.filter(status=R.QUEUED).update(
                        status=R.CANCELLED, error="the alert was cancelled"
                    )
        else:  # paused between the look and the claim: give the attempt back
            claim.mine().update(
                status=jobs.JobStatus.PENDING,
                claim_token=None,
                attempts=claim.attempt - 1,
            )
        return str(alert.status)
    recipients = list(
        chunk.recipients.filter(status=R.QUEUED)
        .select_related("supporter")
        .order_by("pk")
    )
    if not recipients:
        jobs.finish(claim)
        _finish_if_done(alert_id)
        return "empty"
    try:
        statuses = _send_batch(alert, chunk, recipients)
    except AnymailError as exc:
        return _record_failure(claim, alert_id, recipients, exc)
    _record_sent(claim, alert_id, recipients, statuses)
    return "sent"


def _send_batch(alert: Alert, chunk: AlertChunk, recipients: list[AlertRecipient]):
    """The chunk's one ESP call, by the configured ESP's path (alerts/esp.py)."""
    profile = esp.current_profile()
    from_email = formataddr((alert.from_name, alert.from_email))
    reply_to = [alert.reply_to] if alert.reply_to else None
    metadata = {"alert": str(alert.pk)}
    if profile.path == "merge" and profile.placeholder is not None:
        renderer = _renderer_for(alert)
        subject, text, html = renderer.merge_shell(profile.placeholder)
        return send_merge_batch(
            subject=subject,
            text=text,
            html=html,
            recipients=_merge_recipients_for(renderer, recipients),
            from_email=from_email,
            reply_to=reply_to,
            tag="alert",
            stream="bulk",
            headers=(
                {profile.idempotency_header: chunk.idempotency_key}
                if profile.idempotency_header
                else None
            ),
            esp_extra=dict(profile.esp_extra) or None,
            metadata=metadata,
        )
    return send_personal_batch(
        messages=_messages_for(alert, recipients),
        from_email=from_email,
        reply_to=reply_to,
        tag="alert",
        stream="bulk",
        idempotency_key=chunk.idempotency_key,
        metadata=metadata,
    )


def _merge_recipients_for(
    renderer, recipients: list[AlertRecipient]
) -> list[Recipient]:
    """Each recipient's merge values for the chunk's one content (the merge path); the
    same every time, so a repeated call is the same call under its key."""
    out = []
    for recipient in recipients:
        if recipient.supporter is None:  # erased since the freeze
            continue
        url = unsubscribe_url_for(recipient)
        out.append(
            Recipient(
                email=recipient.email,
                send_id=compliance.send_id_for(recipient.pk),
                merge_data=renderer.merge_values(
                    recipient.supporter, unsubscribe_url=url
                ),
                unsubscribe_url=url,
                unsubscribe_mailto=compliance.unsubscribe_mailto_for(
                    alert_id=recipient.alert_id, supporter_id=recipient.supporter_id
                ),
            )
        )
    return out


def _record_sent(claim, alert_id, recipients, statuses) -> None:
    now = timezone.now()
    for r in recipients:
        status = statuses.get(r.email)
        if status is None:  # dropped by the send path's suppression check
            r.status, r.error = R.SUPPRESSED, "suppressed when sent"
        elif status.status in ("rejected", "invalid", "failed"):
            r.status, r.error = R.FAILED, f"ESP: {status.status}"
        else:
            r.status = R.SENT
            r.esp_message_id = (status.message_id or "")[:200]
            r.sent_at = now
    with transaction.atomic():
        # Under the claim only: a worker whose claim was taken over writes nothing (its
        # successor repeats the call with the same key and marks the same rows).
        if not claim.mine().select_for_update().exists():
            logger.warning("chunk %s: claim taken over; not marking", claim.pk)
            return
        _mark_sent(now, [r for r in recipients if r.status == R.SENT])
        others = [r for r in recipients if r.status != R.SENT]
        if others:
            AlertRecipient.objects.bulk_update(others, ["status", "error"])
        jobs.finish(claim)
    _finish_if_done(alert_id)


def _mark_sent(now, sent: list[AlertRecipient]) -> None:
    """Mark ``sent`` with their message ids in one UPDATE ... FROM a VALUES list (Django's
    bulk_update builds a CASE per row, several times slower for a chunk)."""
    if not sent:
        return
    table = AlertRecipient._meta.db_table
    rows = ", ".join(["(%s, %s)"] * len(sent))
    sql = (
        f"WITH v (rid, mid) AS (VALUES {rows}) "  # noqa: S608 - placeholders only
        f'UPDATE "{table}" SET status = %s, esp_message_id = v.mid, sent_at = %s '
        f'FROM v WHERE "{table}".id = v.rid'
    )
    params: list = []
    for r in sent:
        params += [r.pk, r.esp_message_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, R.SENT, now])


def _idempotency_conflict(exc: AnymailError) -> str:
    """Resend's name for a 409 on a keyed call ("" for anything else)."""
    response = getattr(exc, "response", None)
    if getattr(exc, "status_code", None) != 409 or response is None:
        return ""
    try:
        return str(response.json().get("name", ""))
    except ValueError:
        return ""


def _record_failure(claim, alert_id, recipients, exc: AnymailError) -> str:
    kind = classify_send_error(exc)
    error = describe_send_error(exc)
    conflict = _idempotency_conflict(exc)
    if conflict == "concurrent_idempotent_requests":
        kind = SendFailure.TRANSIENT  # the first call with this key is still running
    elif conflict == "invalid_idempotent_request":
        # An earlier call with this key was accepted with another body: it sent these
        # recipients (a chunk only ever loses recipients, to suppression) and its answer
        # is lost. Sent, with the ESP's ids to be reconciled from its webhooks.
        return _record_sent_unknown(claim, alert_id, recipients)
    if kind is SendFailure.TRANSIENT and claim.attempt < AlertChunk.max_attempts:
        logger.warning("chunk %s: transient failure (%s); retrying", claim.pk, error)
        jobs.fail(claim, error=error, retry_in=jobs.backoff(claim.attempt))
        return "retry"
    if kind is SendFailure.CONFIGURATION:
        jobs.fail(claim, error=error)
        logger.error(
            "chunk %s: the ESP refused our configuration (%s)", claim.pk, error
        )
        raise exc
    # Refused for good (every recipient rejected, a malformed message), or still failing
    # after the last attempt: recorded per recipient, never retried, so the alert ends.
    with transaction.atomic():
        if not claim.mine().select_for_update().exists():
            return "unclaimed"
        AlertRecipient.objects.filter(pk__in=[r.pk for r in recipients]).update(
            status=R.FAILED, error=error[:200]
        )
        if jobs.finish(claim):
            AlertChunk.objects.filter(pk=claim.pk).update(last_error=error[:300])
    _finish_if_done(alert_id)
    return "failed"


def _record_sent_unknown(claim, alert_id, recipients) -> str:
    logger.error("chunk %s: sent by an earlier call whose answer was lost", claim.pk)
    with transaction.atomic():
        if not claim.mine().select_for_update().exists():
            return "unclaimed"
        AlertRecipient.objects.filter(pk__in=[r.pk for r in recipients]).update(
            status=R.SENT,
            sent_at=timezone.now(),
            error="sent by an earlier call (idempotency key); message id unknown",
        )
        jobs.finish(claim)
    _finish_if_done(alert_id)
    return "sent"
