"""The signature intake: the sign request writes one row, a worker drains rows in batches.

The request (``petitions.services.sign_petition``) validates the form and runs ONE
statement, ``write_intake``: an INSERT of the typed fields keyed by (petition, normalized
email), which inserts nothing when that email already signed (a pending intake row, or
a drained signature). Then it asks for a drain (``request_drain``: at most one message
per PETITIONS_INTAKE_DRAIN_DEBOUNCE_SECONDS across every process) and redirects.

The drain (``drain_intake``; the task ``petitions.drain_intake``, also run by beat as a
backstop) cuts batches of pending rows into ``IntakeBatch`` jobs and drains each
(``drain_batch``, the task ``petitions.drain_intake_batch``, which the job sweep re-sends
for a batch whose worker died). One transaction per batch, a few set-based statements
whatever its size: supporter upserts, memberships, consent, signatures, counter
increments, ``SignatureEmail`` rows; then the drained intake rows are deleted and the
batch finished, fenced by its claim. A worker SIGKILLed mid-batch rolls back all of it;
the retried batch finds the same rows and writes them once. The unique keys (one
signature per petition and supporter, one referral code, one email per kind) hold
even if a bug let two drains at one row. A row that fails validation is set aside with
its reason and never blocks the rest.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from accounts.models import Chapter
from campaigns.services import attribution_fields
from harbor import jobs
from harbor.events import announce_created
from supporters.models import ChapterMembership, ConsentEvent, Supporter
from supporters.selectors import listed_suppressions
from supporters.services import PLACE_FIELDS, clean_name, clean_text, normalize_email

from .models import (
    IntakeBatch,
    Petition,
    Signature,
    SignatureCountShard,
    SignatureEmail,
    SignatureIntake,
)

logger = logging.getLogger(__name__)

DRAIN_REQUESTED_KEY = "harbor:petitions:intake:drain-requested"
# Columns the request writes; created_at, status and error come from the database.
INTAKE_COLUMNS = (
    "petition_id", "email", "first_name", "last_name", "zip_code", "phone", "comment",
    "wants_email", "is_public", "referral_code", "ip_hash", "language",
    "referred_by_code", "utm_source", "utm_medium", "utm_campaign", "channel", "state",
    "congressional_district",
)  # fmt: skip
# Profile fields a signature may fill in on an existing supporter when still blank.
PROFILE_FROM_INTAKE = ("first_name", "last_name", "zip_code", "phone")


class ClaimLost(Exception):
    """Another worker took this batch over (this one was presumed dead)."""


# --- the request side -----------------------------------------------------------------


def _insert_sql() -> str:
    intake = SignatureIntake._meta.db_table
    signature = Signature._meta.db_table
    supporter = Supporter._meta.db_table
    q = connection.ops.quote_name
    columns = ", ".join(q(c) for c in INTAKE_COLUMNS)
    params = ", ".join(["%s"] * len(INTAKE_COLUMNS))
    # INSERT ... SELECT ... WHERE: SQLite needs the WHERE before ON CONFLICT, and the
    # NOT EXISTS is what answers "already signed" for a signature already drained (its
    # intake row is gone). The conflict target names only (petition, email): a referral
    # code drawn twice must raise, not look like a repeat.
    # Table and column names come from the models; every value is a parameter.
    return (
        f"INSERT INTO {q(intake)} ({columns}) SELECT {params} "  # noqa: S608
        f"WHERE NOT EXISTS (SELECT 1 FROM {q(signature)} s "
        f"INNER JOIN {q(supporter)} p ON p.{q('id')} = s.{q('supporter_id')} "
        f"WHERE s.{q('petition_id')} = %s AND p.{q('email')} = %s) "
        f"ON CONFLICT ({q('petition_id')}, {q('email')}) DO NOTHING "
        f"RETURNING {q('id')}"
    )


def write_intake(*, values: dict) -> int | None:
    """Insert one intake row (``values``: every INTAKE_COLUMNS entry) in one statement;
    return its id, or None when this email already signed this petition (a pending row
    or a signature). Safe to repeat and to race: the unique (petition, email) key lets
    one row in. Raises IntegrityError only for a referral code drawn twice."""
    params = [values[c] for c in INTAKE_COLUMNS]
    params += [values["petition_id"], values["email"]]
    sql = _insert_sql()

    def run() -> int | None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        return row[0] if row else None

    if connection.in_atomic_block:
        # Inside a caller's transaction (a test, the API) an IntegrityError must not
        # break it: a savepoint. The sign request itself runs in autocommit, one
        # statement and no savepoint.
        with transaction.atomic():
            return run()
    return run()


def request_drain() -> None:
    """Ask a worker to drain the intake after the current transaction commits: at most
    one message per PETITIONS_INTAKE_DRAIN_DEBOUNCE_SECONDS across every process (one
    cache ``add``); beat's ``petitions.drain_intake`` every few seconds is the backstop
    for a lost message or a drain that finished just before this row committed."""
    debounce = settings.PETITIONS_INTAKE_DRAIN_DEBOUNCE_SECONDS
    try:
        if debounce > 0 and not cache.add(DRAIN_REQUESTED_KEY, 1, timeout=debounce):
            return
    except Exception:  # noqa: BLE001 - a cache outage must not fail a signature
        logger.warning("intake drain debounce unavailable; asking anyway")
    transaction.on_commit(_send_drain)


def _send_drain() -> None:
    from harbor.celery import app

    try:
        app.send_task("petitions.drain_intake", queue="transactional")
    except Exception:
        logger.exception("could not ask for an intake drain; beat will")


# --- the counter's view of pending rows --------------------------------------------


def pending_counts(petition_ids: Iterable[int]) -> dict[int, int]:
    """Pending intake rows per petition (set-aside rows are not signatures)."""
    ids = list(petition_ids)
    if not ids:
        return {}
    return dict(
        SignatureIntake.objects.filter(
            petition_id__in=ids, status=SignatureIntake.Status.PENDING
        )
        .values("petition_id")
        .annotate(n=Count("id"))
        .values_list("petition_id", "n")
    )


def pending_total() -> int:
    """Signatures typed and waiting for the drain, on every petition (a count only)."""
    return SignatureIntake.objects.filter(status=SignatureIntake.Status.PENDING).count()


# --- the drain ------------------------------------------------------------------------


def cut_batch(
    *, limit: int | None = None, only: Iterable[int] | None = None
) -> int | None:
    """Put up to ``limit`` pending rows no batch holds (of ``only``, when given) into a
    new ``IntakeBatch`` job; return its id, or None when nothing waits. Safe to race:
    the conditional UPDATE gives each row to one batch (``skip_locked`` spares
    PostgreSQL the wait)."""
    limit = limit or settings.PETITIONS_INTAKE_BATCH_SIZE
    waiting = SignatureIntake.objects.filter(
        status=SignatureIntake.Status.PENDING, batch__isnull=True
    )
    if only is not None:
        waiting = waiting.filter(pk__in=list(only))
    with transaction.atomic():
        ids = list(
            waiting.order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return None
        batch = IntakeBatch.objects.create(size=len(ids))
        taken = SignatureIntake.objects.filter(
            pk__in=ids, batch__isnull=True, status=SignatureIntake.Status.PENDING
        ).update(batch=batch)
        if not taken:
            batch.delete()
            return None
        if taken != len(ids):
            IntakeBatch.objects.filter(pk=batch.pk).update(size=taken)
    return batch.pk


def claimable_batch_ids(*, limit: int = 10) -> list[int]:
    """Batches a worker may take now: cut but never claimed (their worker died before),
    due for a retry, or held by a claim gone stale (its worker died mid-batch)."""
    now = timezone.now()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return list(
        IntakeBatch.objects.filter(
            (Q(status=IntakeBatch.Status.PENDING) & due)
            | Q(
                status=IntakeBatch.Status.RUNNING,
                claimed_at__lt=now - IntakeBatch.stale_after(),
            ),
            attempts__lt=IntakeBatch.max_attempts,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def drain_intake(
    *, max_batches: int | None = None, max_seconds: float | None = None
) -> int:
    """Drain the intake until nothing waits (or ``max_batches``, or ``max_seconds``):
    first the batches a dead worker left (so recovery needs no other message), then new
    batches of pending rows. Returns the signatures written. Safe to repeat and to run
    in several workers at once: each batch is cut once and claimed by one."""
    written = 0
    done = 0
    deadline = None if max_seconds is None else time.monotonic() + max_seconds
    left_behind = claimable_batch_ids()
    while max_batches is None or done < max_batches:
        if deadline is not None and time.monotonic() >= deadline:
            break
        batch_id = left_behind.pop(0) if left_behind else cut_batch()
        if batch_id is None:
            break
        batch = drain_batch(batch_id=batch_id)
        written += batch.signature_count if batch is not None else 0
        done += 1
    return written


def drain_now(*, intake_ids: Iterable[int]) -> int:
    """Drain these intake rows at once, through the same batch as the worker's drain,
    for a caller that must answer with the signature (the API's record signature
    helper). Rows another batch holds already are left to it. Returns the signatures
    written."""
    batch_id = cut_batch(only=intake_ids)
    if batch_id is None:
        return 0
    batch = drain_batch(batch_id=batch_id)
    return batch.signature_count if batch is not None else 0


def drain_batch(*, batch_id: int) -> IntakeBatch | None:
    """Claim batch ``batch_id`` and write its rows (``_write_batch``). Safe to repeat:
    a finished batch, or one another worker holds, is not claimed; a batch whose worker
    died is claimed again once stale and, since nothing of the dead attempt was kept,
    written once. A conflict with a concurrent writer (another path signed the same
    person meanwhile) rolls the batch back and retries it with backoff. Returns the
    finished batch, or None."""
    claim = jobs.claim(IntakeBatch, batch_id)
    if claim is None:
        return None
    try:
        result = _write_batch(claim)
    except ClaimLost:
        logger.warning(
            "intake batch %s was taken over; its writes rolled back", batch_id
        )
        return None
    except IntegrityError as exc:
        logger.warning("intake batch %s conflicted; retrying", batch_id)
        jobs.fail(
            claim,
            error=f"IntegrityError: {type(exc).__name__}",
            retry_in=jobs.backoff(claim.attempt),
        )
        return None
    return result


def _problem(row: SignatureIntake) -> str:
    """Why ``row`` cannot become a signature ('' when it can): a field and the rule,
    never the value."""
    try:
        if normalize_email(row.email) != row.email:
            return "email: not normalized"
    except ValidationError:
        return "email: not a valid address"
    for name in ("first_name", "last_name"):
        try:
            if clean_name(getattr(row, name)) != getattr(row, name):
                return f"{name}: not clean text"
        except ValidationError:
            return f"{name}: not a name"
    try:
        clean_text(row.comment, multiline=True)
    except ValidationError:
        return "comment: not clean text"
    if not row.first_name:
        return "first_name: blank"
    if len(row.comment) > 1000:
        return "comment: too long"
    return ""


@transaction.atomic
def _write_batch(claim: jobs.Claim) -> IntakeBatch:
    """Write one claimed batch in one transaction. It starts by refreshing the claim,
    which locks the batch row until commit: a worker presumed dead cannot write after
    its successor took over, and the successor waits for it. Not safe to call outside
    drain_batch (it needs the claim)."""
    if not jobs.heartbeat(claim):
        raise ClaimLost(claim.pk)
    now = timezone.now()
    rows = list(
        SignatureIntake.objects.filter(
            batch_id=claim.pk, status=SignatureIntake.Status.PENDING
        ).order_by("pk")
    )
    petitions = {
        p.pk: p
        for p in Petition.objects.select_related("campaign").filter(
            pk__in={r.petition_id for r in rows}
        )
    }
    good: list[SignatureIntake] = []
    set_aside: dict[str, list[int]] = {}
    for row in rows:
        reason = _problem(row)
        if reason:
            set_aside.setdefault(reason, []).append(row.pk)
        else:
            good.append(row)
    for reason, ids in set_aside.items():
        SignatureIntake.objects.filter(pk__in=ids).update(
            status=SignatureIntake.Status.SET_ASIDE, error=reason[:300]
        )
        logger.warning("intake: %d row(s) set aside: %s", len(ids), reason)

    supporter_ids, new_supporter_ids = _upsert_supporters(good, petitions, now)
    signatures = _insert_signatures(good, petitions, supporter_ids)
    _count(signatures, petitions)
    emails = SignatureEmail.objects.bulk_create(
        SignatureEmail(
            signature_id=s.pk,
            kind=(
                SignatureEmail.Kind.CONFIRM
                if s.confirmed_at is None
                else SignatureEmail.Kind.THANK_YOU
            ),
        )
        for s in signatures
    )
    SignatureIntake.objects.filter(
        batch_id=claim.pk, status=SignatureIntake.Status.PENDING
    ).delete()
    announce_created(Supporter, new_supporter_ids)
    announce_created(Signature, [s.pk for s in signatures])
    # One message for the batch's emails, not one each (a broker round trip per
    # signature was most of the drain's time); each row is still claimed and sent on
    # its own, and a row the message never reaches is re-sent alone by the job sweep.
    email_ids = [email.pk for email in emails]
    if email_ids:
        transaction.on_commit(lambda: _send_emails(email_ids))
    touched = {s.petition_id for s in signatures if s.is_public and s.confirmed_at}
    if touched:
        transaction.on_commit(lambda: _touch_pages(touched))
    if not jobs.finish(
        claim,
        signature_count=len(signatures),
        supporter_count=len(new_supporter_ids),
        set_aside_count=sum(len(ids) for ids in set_aside.values()),
    ):
        raise ClaimLost(claim.pk)
    logger.info(
        "intake batch %s: %d signature(s), %d new supporter(s)",
        claim.pk,
        len(signatures),
        len(new_supporter_ids),
    )
    return IntakeBatch.objects.get(pk=claim.pk)


def _send_emails(email_ids: list[int]) -> None:
    from harbor.celery import app

    try:
        app.send_task(
            "petitions.send_signature_emails",
            args=[email_ids],
            queue=SignatureEmail.job_queue,
        )
    except Exception:  # the rows are pending: the sweep sends them
        logger.exception("could not enqueue %d signature emails", len(email_ids))


def _touch_pages(petition_ids: set[int]) -> None:
    from .selectors import touch_petition_page

    for petition_id in petition_ids:
        touch_petition_page(petition_id=petition_id)


def _upsert_supporters(
    rows: list[SignatureIntake], petitions: dict[int, Petition], now: datetime
) -> tuple[dict[str, int], list[int]]:
    """``upsert_supporter``'s rules for a whole batch: find each email's supporter or
    create it (with the consent and the suppression mirror in the INSERT, and the
    national and state chapters); on an existing supporter only fill in blank profile
    fields, never a place field, and record consent only if not unsubscribed or
    suppressed. Returns (email -> supporter id, ids of the supporters created)."""
    first: dict[str, SignatureIntake] = {}
    by_email: dict[str, list[SignatureIntake]] = {}
    for row in rows:
        # One email on several petitions in one batch: the first row makes the record.
        first.setdefault(row.email, row)
        by_email.setdefault(row.email, []).append(row)
    emails = sorted(first)  # a fixed order: concurrent batches lock in the same order
    if not emails:
        return {}, []
    existing = {s.email: s for s in Supporter.objects.filter(email__in=emails)}

    def opts_in(row: SignatureIntake) -> bool:
        return row.wants_email and not petitions[row.petition_id].requires_double_opt_in

    new_emails = [e for e in emails if e not in existing]
    listed = listed_suppressions(new_emails)
    to_create = []
    for email in new_emails:
        row = first[email]
        source = f"petition:{petitions[row.petition_id].slug}"[:100]
        values: dict[str, object] = {
            key: getattr(row, key)
            for key in (*PROFILE_FROM_INTAKE, "state", "congressional_district")
            if getattr(row, key)
        }
        if email in listed:
            values.update(suppressed_at=now, suppression_reason=listed[email])
        elif opts_in(row):
            values.update(
                email_opt_in=True,
                opt_in_at=now,
                opt_in_source=source,
                opt_in_method="petition_checkbox",
            )
        to_create.append(Supporter(email=email, source=source, **values))
    # A concurrent writer (the newsletter form, another batch) creating one of these
    # emails first makes this INSERT fail: the batch is retried and finds it existing.
    created = Supporter.objects.bulk_create(to_create)
    new_ids = [s.pk for s in created]

    # Existing supporters: fill blanks (never a place field), consent where allowed.
    changed: list[Supporter] = []
    fields: set[str] = set()
    consent: list[tuple[int, str]] = []
    for email, supporter in existing.items():
        row = first[email]
        blanks = [
            key
            for key in PROFILE_FROM_INTAKE
            if key not in PLACE_FIELDS
            and getattr(row, key)
            and not getattr(supporter, key)
        ]
        for key in blanks:
            setattr(supporter, key, getattr(row, key))
        if blanks:
            fields.update(blanks)
            changed.append(supporter)
        for other in by_email[email]:
            if (
                opts_in(other)
                and not supporter.email_opt_in
                and supporter.unsubscribed_at is None
                and supporter.suppressed_at is None
            ):
                consent.append(
                    (supporter.pk, f"petition:{petitions[other.petition_id].slug}")
                )
                supporter.email_opt_in = True
                break
    if changed:
        for supporter in changed:
            supporter.updated_at = now
        Supporter.objects.bulk_update(changed, [*sorted(fields), "updated_at"])
    if consent:
        granted = set(
            Supporter.objects.filter(
                pk__in=[pk for pk, _source in consent],
                email_opt_in=False,
                unsubscribed_at__isnull=True,
                suppressed_at__isnull=True,
            ).values_list("pk", flat=True)
        )
        sources = dict(consent)
        for pk in granted:
            Supporter.objects.filter(pk=pk, email_opt_in=False).update(
                email_opt_in=True,
                opt_in_at=now,
                opt_in_source=sources[pk][:100],
                opt_in_method="petition_checkbox",
                updated_at=now,
            )
        consent = [(pk, source) for pk, source in consent if pk in granted]
    ConsentEvent.objects.bulk_create(
        [
            *(
                ConsentEvent(
                    supporter_id=s.pk,
                    kind=ConsentEvent.Kind.OPT_IN,
                    at=now,
                    source=s.opt_in_source,
                    method="petition_checkbox",
                )
                for s in created
                if s.email_opt_in
            ),
            *(
                ConsentEvent(
                    supporter_id=pk,
                    kind=ConsentEvent.Kind.OPT_IN,
                    at=now,
                    source=source[:100],
                    method="petition_checkbox",
                )
                for pk, source in consent
            ),
        ]
    )
    _join_default_chapters(created)
    ids = {s.email: s.pk for s in existing.values()}
    ids.update({s.email: s.pk for s in created})
    return ids, new_ids


def _join_default_chapters(supporters: list[Supporter]) -> None:
    """New supporters join the national chapter and their state's (one query for the
    chapters, one INSERT for the memberships)."""
    if not supporters:
        return
    states = {s.state for s in supporters if s.state}
    national = list(
        Chapter.objects.filter(kind=Chapter.Kind.NATIONAL).values_list("pk", flat=True)
    )
    by_state: dict[str, list[int]] = {}
    if states:
        for pk, state in Chapter.objects.filter(
            kind=Chapter.Kind.STATE, state__in=states
        ).values_list("pk", "state"):
            by_state.setdefault(state, []).append(pk)
    ChapterMembership.objects.bulk_create(
        [
            ChapterMembership(chapter_id=chapter_id, supporter_id=s.pk)
            for s in supporters
            for chapter_id in {*national, *by_state.get(s.state, [])}
        ],
        ignore_conflicts=True,
    )


def _insert_signatures(
    rows: list[SignatureIntake],
    petitions: dict[int, Petition],
    supporter_ids: dict[str, int],
) -> list[Signature]:
    """One INSERT for the batch's signatures (a row whose signer signed meanwhile by
    another path is dropped: one signature per petition and supporter), then one UPDATE
    that dates each at its signing, not its draining."""
    if not rows:
        return []
    already = set(
        Signature.objects.filter(
            petition_id__in={r.petition_id for r in rows},
            supporter_id__in=set(supporter_ids.values()),
        ).values_list("petition_id", "supporter_id")
    )
    attribution: dict[tuple[int, str], dict] = {}
    signatures = []
    for row in rows:
        supporter_id = supporter_ids[row.email]
        if (row.petition_id, supporter_id) in already:
            logger.info("intake row %s: already signed by another path", row.pk)
            continue
        petition = petitions[row.petition_id]
        key = (petition.pk, row.state)
        if key not in attribution:
            # At most one query per state in the batch (the state chapter).
            attribution[key] = attribution_fields(
                campaign=petition.campaign, state=row.state
            )
        fields = {
            **attribution[key],
            **attribution_fields(
                campaign=None,
                congressional_district=row.congressional_district,
                referred_by_code=row.referred_by_code,
                utm_source=row.utm_source,
                utm_medium=row.utm_medium,
                utm_campaign=row.utm_campaign,
                channel=row.channel,
            ),
        }
        fields["campaign_id"] = attribution[key]["campaign_id"]
        fields["chapter_id"] = attribution[key]["chapter_id"]
        fields["state"] = attribution[key]["state"]
        signatures.append(
            Signature(
                petition_id=petition.pk,
                supporter_id=supporter_id,
                comment=row.comment,
                is_public=row.is_public,
                public_name=row.first_name if row.is_public else "",
                wants_email=row.wants_email,
                confirmed_at=(
                    None if petition.requires_double_opt_in else row.created_at
                ),
                referral_code=row.referral_code,
                ip_hash=row.ip_hash,
                language=row.language,
                **fields,
            )
        )
    created = Signature.objects.bulk_create(signatures)
    signed_at = {row.referral_code: row.created_at for row in rows}
    for signature in created:
        signature.created_at = signed_at[signature.referral_code]
    if created:
        Signature.objects.bulk_update(created, ["created_at"])
    return created


def _count(signatures: list[Signature], petitions: dict[int, Petition]) -> None:
    """Add the batch's counted signatures to a random shard of each petition's counter
    (one UPDATE per petition, or an INSERT the first time)."""
    counts: dict[int, int] = {}
    for signature in signatures:
        if signature.confirmed_at is not None:
            counts[signature.petition_id] = counts.get(signature.petition_id, 0) + 1
    for petition_id, n in counts.items():
        add_to_counter(petition_id=petition_id, n=n)


def add_to_counter(*, petition_id: int, n: int = 1) -> None:
    """Add ``n`` to a random shard of the petition's counter. Not idempotent: call it
    once per counted signature, in the transaction that makes it count."""
    shard = secrets.randbelow(max(1, settings.PETITIONS_COUNTER_SHARDS))
    rows = SignatureCountShard.objects.filter(petition_id=petition_id, shard=shard)
    if rows.update(count=F("count") + n):
        return
    try:
        with transaction.atomic():
            SignatureCountShard.objects.create(
                petition_id=petition_id, shard=shard, count=n
            )
    except IntegrityError:
        # Another writer created this shard first.
        rows.update(count=F("count") + n)


# Seconds one drain task runs before handing the rest to a new message (so one task
# never holds a worker for long, and a deploy's warm shutdown waits for little).
SECONDS_PER_TASK = 60.0


def drain_intake_bounded() -> int:
    """What the ``petitions.drain_intake`` task runs: batches for up to
    SECONDS_PER_TASK, then, if rows still wait, one new message for the rest. Safe to
    repeat."""
    written = drain_intake(max_seconds=SECONDS_PER_TASK)
    if SignatureIntake.objects.filter(
        status=SignatureIntake.Status.PENDING, batch__isnull=True
    ).exists():
        _send_drain()
    return written
