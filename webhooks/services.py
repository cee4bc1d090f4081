"""Writes for outgoing webhooks: endpoints (staff admins, audited), the deliveries made
for each new record (a ``harbor.events.records_created`` receiver), and the delivery
itself (a job: claimed, POSTed outside any transaction, finished or failed).

Who manages endpoints: staff admins only. An endpoint is a standing export of supporters'
personal data to another host, and staff admins are the logins that must use a second
factor; chapter leaders and staff see their endpoints and deliveries (``selectors``),
and change nothing.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, Role, User
from accounts.selectors import visible_to
from accounts.services import record_audit
from harbor import jobs

from . import payloads, transport
from .models import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

INSERT_BATCH = 500


# --- endpoints -------------------------------------------------------------------------


def _require_staff_admin(user) -> None:
    if not (isinstance(user, User) and user.is_staff_admin):
        raise PermissionDenied(_("Only a staff admin may manage webhooks."))


def _audit_view(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """What the audit log keeps of an endpoint: the URL's host only (a receiver's URL
    often carries a token of its own in its path or query)."""
    from urllib.parse import urlsplit

    return {
        "host": urlsplit(endpoint.url).hostname or "",
        "events": sorted(endpoint.events),
        "chapter": endpoint.chapter_id,
        "is_active": endpoint.is_active,
    }


@transaction.atomic
def create_endpoint(
    *,
    by: User,
    url: str,
    events: list[str],
    chapter=None,
    description: str = "",
    is_active: bool = True,
    request=None,
) -> WebhookEndpoint:
    """A new endpoint with a fresh secret (the caller shows it once), audited. Staff
    admins only (PermissionDenied otherwise). Not idempotent: each call is an endpoint."""
    _require_staff_admin(by)
    endpoint = WebhookEndpoint.objects.create(
        url=url,
        events=sorted(set(events)),
        chapter=chapter,
        description=description,
        is_active=is_active,
        created_by=by,
    )
    record_audit(
        actor=by,
        action=AuditEvent.Action.WEBHOOK_CREATED,
        obj=endpoint,
        changes=_audit_view(endpoint),
        request=request,
    )
    return endpoint


@transaction.atomic
def update_endpoint(
    *, by: User, endpoint: WebhookEndpoint, request=None, **fields: Any
) -> WebhookEndpoint:
    """Change an endpoint's URL, events, chapter, description or on/off, audited with
    the difference. Staff admins only. Safe to repeat (an unchanged save audits
    nothing)."""
    _require_staff_admin(by)
    allowed = {"url", "events", "chapter", "description", "is_active"}
    before = _audit_view(endpoint) | {"description": endpoint.description}
    url_before = endpoint.url
    for name, value in fields.items():
        if name not in allowed:
            raise TypeError(f"unknown endpoint field {name}")
        setattr(endpoint, name, sorted(set(value)) if name == "events" else value)
    endpoint.save()
    after = _audit_view(endpoint) | {"description": endpoint.description}
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if endpoint.url != url_before and "host" not in changes:
        changes["url"] = ["…", "…"]  # same host, other path: said, not shown
    if changes:
        record_audit(
            actor=by,
            action=AuditEvent.Action.WEBHOOK_CHANGED,
            obj=endpoint,
            changes=changes,
            request=request,
        )
    return endpoint


@transaction.atomic
def rotate_secret(*, by: User, endpoint: WebhookEndpoint, request=None) -> str:
    """Give ``endpoint`` a new secret and return it (shown once), audited. Deliveries
    not yet sent are signed with the new one. Staff admins only. Each call rotates."""
    _require_staff_admin(by)
    endpoint.secret = WebhookEndpoint._meta.get_field("secret").get_default()
    endpoint.save(update_fields=["secret", "updated_at"])
    record_audit(
        actor=by,
        action=AuditEvent.Action.WEBHOOK_SECRET_ROTATED,
        obj=endpoint,
        request=request,
    )
    return endpoint.secret


def retry_delivery(*, by: User, delivery: WebhookDelivery, request=None) -> bool:
    """Send a failed delivery again, now, with the same idempotency key and body; its
    attempts start again from zero (the audit keeps the count it had). Staff admins
    only. Returns False, changing nothing, if it is not failed (a double click retries
    once)."""
    _require_staff_admin(by)
    now = timezone.now()
    with transaction.atomic():
        reopened = WebhookDelivery.objects.filter(
            pk=delivery.pk, status=WebhookDelivery.Status.FAILED
        ).update(
            status=WebhookDelivery.Status.PENDING,
            attempts=0,
            next_attempt_at=None,
            finished_at=None,
            claim_token=None,
            updated_at=now,
        )
        if not reopened:
            return False
        record_audit(
            actor=by,
            action=AuditEvent.Action.WEBHOOK_RETRIED,
            obj=delivery,
            changes={"attempts": delivery.attempts, "endpoint": delivery.endpoint_id},
            request=request,
        )
        jobs.enqueue_on_commit(WebhookDelivery, delivery.pk)
    return True


# --- deliveries made for new records -----------------------------------------------------


def endpoint_scope(endpoint: WebhookEndpoint) -> User:
    """The endpoint as ``accounts.selectors.visible_to`` sees a login: national staff
    for a national endpoint, the leader of its one chapter otherwise. An unsaved user
    that exists only to ask the one visibility rule; it is never stored."""
    scope = User(email="", is_active=True)
    grants = (
        [(Role.STAFF, None)]
        if endpoint.chapter_id is None
        else [(Role.CHAPTER_LEADER, endpoint.chapter_id)]
    )
    scope.__dict__["role_grants"] = grants
    return scope


def on_records_created(sender, pks: list[int], **kwargs) -> None:
    """``harbor.events.records_created`` receiver: deliveries for the new records."""
    create_deliveries(model=sender, pks=pks)


def create_deliveries(*, model: type[models.Model], pks: list[int]) -> int:
    """For each new ``model`` row in ``pks`` and each active endpoint that subscribes to
    its event and may see it, a pending ``WebhookDelivery`` with the record's document
    and its own idempotency key; queued after commit. A few queries per 500 records
    (one read of the records, one visibility query per chapter endpoint, one INSERT),
    whatever their number, and one message for a burst. Not idempotent: called once per
    announcement (``harbor.events`` sends each once). Returns the deliveries made."""
    source = payloads.source_for(model)
    if source is None:
        return 0
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(is_active=True).order_by("pk")
        if source.event in e.events
    ]
    if not endpoints:
        return 0
    label = model._meta.label_lower
    made: list[int] = []
    with transaction.atomic():
        for batch in payloads.chunks(sorted(set(pks)), INSERT_BATCH):
            documents = source.build(batch)
            if not documents:
                continue
            rows: list[WebhookDelivery] = []
            for endpoint in endpoints:
                scope = endpoint_scope(endpoint)
                visible = visible_to(
                    scope,
                    model._default_manager.filter(pk__in=list(documents)),
                    chapter_path=source.chapter_path,
                )
                allowed = (
                    documents.keys()
                    if endpoint.is_national
                    else set(visible.values_list("pk", flat=True))
                )
                rows.extend(
                    WebhookDelivery(
                        endpoint=endpoint,
                        event=source.event,
                        object_type=label,
                        object_id=pk,
                        payload=documents[pk],
                    )
                    for pk in sorted(allowed)
                )
            created = WebhookDelivery.objects.bulk_create(rows, batch_size=INSERT_BATCH)
            made.extend(d.pk for d in created if d.pk is not None)
        _enqueue_on_commit(made)
    if made:
        logger.info("webhooks: %d deliveries for %s", len(made), label)
    return len(made)


def _enqueue_on_commit(pks: list[int]) -> None:
    """A few deliveries are queued one message each; a burst is one message that a
    worker fans out (``enqueue_deliveries``), so the writer that announced thousands of
    records sends one message, not thousands. Either message lost: the sweep."""
    if not pks:
        return
    if len(pks) <= settings.WEBHOOKS_ENQUEUE_INLINE_MAX:
        for pk in pks:
            jobs.enqueue_on_commit(WebhookDelivery, pk)
        return
    from .tasks import enqueue_deliveries_task

    first, last = min(pks), max(pks)
    transaction.on_commit(lambda: _send_fanout(enqueue_deliveries_task, first, last))


def _send_fanout(task, first: int, last: int) -> None:
    try:
        task.apply_async(args=[first, last], queue=WebhookDelivery.job_queue)
    except Exception:
        logger.exception(
            "could not queue webhook deliveries %s-%s; the sweep will", first, last
        )


def enqueue_deliveries(*, first_pk: int, last_pk: int) -> int:
    """Queue one message per pending delivery with a pk in [first_pk, last_pk]. Safe to
    repeat: a message for a delivery already claimed or finished finds nothing."""
    pks = (
        WebhookDelivery.objects.filter(
            pk__gte=first_pk, pk__lte=last_pk, status=WebhookDelivery.Status.PENDING
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    count = 0
    for pk in pks.iterator(chunk_size=2000):
        jobs.enqueue_on_commit(WebhookDelivery, pk)
        count += 1
    return count


# --- the delivery ------------------------------------------------------------------------


def _retry_in(attempt: int, retry_after: float | None) -> timedelta:
    delay = jobs.backoff(attempt)
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=min(retry_after, 3600)))
    return delay


def deliver(*, delivery_id: int) -> WebhookDelivery | None:
    """POST one claimed delivery. 2xx: delivered. 429, 5xx, a network failure or a
    timeout: back to pending with backoff (``jobs.fail(retry_in=…)``) until
    ``max_attempts``. A redirect, another 4xx, a refused address or a bad URL: failed
    for good. Every attempt records its time, status code and error.

    Safe to repeat and to crash in: only a claimed delivery is sent; a worker that dies
    mid-POST leaves a stale claim that the sweep hands to another worker, which sends
    the same body with the same idempotency key (the receiver drops the repeat). The
    POST happens outside any transaction. Returns the delivery, or None if it could not
    be claimed or the claim was lost."""
    claim = jobs.claim(WebhookDelivery, delivery_id)
    if claim is None:
        logger.info("webhook delivery=%s not claimable", delivery_id)
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        jobs.finish(claim, status=WebhookDelivery.Status.SKIPPED, payload={})
        return delivery
    key = str(delivery.idempotency_key)
    body = payloads.body_for(event=delivery.event, key=key, payload=delivery.payload)
    now = timezone.now()
    try:
        answer = transport.post(
            url=endpoint.url,
            secret=endpoint.secret,
            event=delivery.event,
            key=key,
            body=body,
        )
    except transport.RefusedAddress:
        jobs.fail(
            claim,
            error="Refused: the host is a private or loopback address.",
            last_attempt_at=now,
            response_status=None,
        )
    except ValueError:
        jobs.fail(claim, error="Not an http(s) URL.", last_attempt_at=now)
    except requests.RequestException as exc:
        jobs.fail(
            claim,
            error=type(exc).__name__,
            retry_in=_retry_in(claim.attempt, None),
            last_attempt_at=now,
            response_status=None,
        )
    else:
        status = answer.status
        fields: dict[str, Any] = {"last_attempt_at": now, "response_status": status}
        if 200 <= status < 300:
            # Delivered: the copy of the person's data is no longer needed here.
            jobs.finish(claim, payload={}, **fields)
        elif status == 429 or status >= 500:
            jobs.fail(
                claim,
                error=f"HTTP {status}",
                retry_in=_retry_in(claim.attempt, answer.retry_after),
                **fields,
            )
        elif 300 <= status < 400:
            jobs.fail(
                claim, error=f"HTTP {status}: redirects are not followed", **fields
            )
        else:
            jobs.fail(claim, error=f"HTTP {status}", **fields)
    delivery.refresh_from_db()
    logger.info(
        "webhook delivery=%s attempt=%s status=%s code=%s",
        delivery_id,
        claim.attempt,
        delivery.status,
        delivery.response_status,
    )
    return delivery
