"""Supporter CSV import and export.

An import is validated whole before anything is written: a file with any bad row is
rejected with every bad row reported by line number, and nothing changes. A good file is
written in one transaction, so a crash mid-write leaves nothing half-imported either.
"""

import csv
import io
import logging
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, Chapter, User
from accounts.selectors import sees_everything, visible_chapter_ids
from accounts.services import record_audit
from harbor import jobs
from harbor.events import announce_created

from .models import (
    ChapterMembership,
    ConsentEvent,
    Supporter,
    SupporterImport,
    Tag,
)
from .selectors import listed_suppressions, supporters_visible_to
from .services import (
    PROFILE_FIELDS,
    clean_name,
    clean_state,
    clean_text,
    default_chapters_for,
    normalize_email,
    normalize_phone,
    normalize_zip,
)

logger = logging.getLogger(__name__)

MAX_REPORTED_ERRORS = 500
MAX_COLUMNS = 50
WRITE_BATCH = 1000
PROGRESS_EVERY = 1000

COLUMNS: dict[str, set[str]] = {
    "email": {"email", "email address", "e-mail", "email_address"},
    "first_name": {"first_name", "first name", "firstname", "first", "given name"},
    "last_name": {
        "last_name",
        "last name",
        "lastname",
        "last",
        "surname",
        "family name",
    },
    "street_address": {
        "street_address",
        "street address",
        "address",
        "address1",
        "street",
    },
    "city": {"city", "town"},
    "state": {"state", "st", "state_code"},
    "zip_code": {
        "zip",
        "zip_code",
        "zipcode",
        "zip code",
        "postal code",
        "postal_code",
    },
    "phone": {"phone", "phone number", "phone_number", "mobile"},
    "tags": {"tags", "tag"},
    "opt_in": {"opt_in", "email_opt_in", "opted_in", "opt-in", "subscribed"},
}
ALIASES = {alias: field for field, aliases in COLUMNS.items() for alias in aliases}
TRUE_WORDS = {"1", "y", "yes", "true", "t", "x"}
FALSE_WORDS = {"", "0", "n", "no", "false", "f"}
MAX_LENGTHS = {"first_name": 100, "last_name": 100, "street_address": 200, "city": 100}
EXPORT_COLUMNS = [
    "email",
    *PROFILE_FIELDS,
    "congressional_district",
    "source",
    "email_opt_in",
    "opt_in_at",
    "unsubscribed_at",
    "suppressed_at",
    "suppression_reason",
    "tags",
    "created_at",
]


# Columns of the export that an import reads past, so that an export imports back:
# consent history, suppression and the district are the system's own records, never
# set from a file (an import gives consent only through opt_in).
EXPORT_ONLY_COLUMNS = frozenset(EXPORT_COLUMNS) - {"email", *PROFILE_FIELDS, "tags"}
EXPORT_ONLY_COLUMNS -= {"email_opt_in"}  # read as opt_in


class ImportRejected(Exception):
    """The file as a whole cannot be read (encoding, header)."""


@dataclass
class CleanRow:
    line: int
    email: str
    profile: dict[str, str]
    tags: list[str]
    opt_in: bool


def create_import(
    *,
    file_name: str,
    content: bytes,
    chapter: Chapter | None,
    tag: str = "",
    user: User | AnonymousUser | None = None,
    enqueue: bool = True,
) -> SupporterImport:
    """Store an uploaded file and (unless ``enqueue`` is false, for a caller that runs it
    itself) queue its import after commit. Not idempotent: each call is a new import."""
    if len(content) > settings.HARBOR_MAX_IMPORT_BYTES:
        raise ValidationError(
            _("The file is larger than %(limit)d MB.")
            % {"limit": settings.HARBOR_MAX_IMPORT_BYTES // (1024 * 1024)}
        )
    if not content.strip():
        raise ValidationError(_("The file is empty."))
    supporter_import = SupporterImport.objects.create(
        file_name=file_name[:255],
        content=content,
        chapter=chapter,
        tag=tag.strip()[:100],
        created_by=user if isinstance(user, User) else None,
    )
    if enqueue:
        jobs.enqueue_on_commit(SupporterImport, supporter_import.pk)
    return supporter_import


def run_import(*, import_id: int) -> SupporterImport | None:
    """Validate and write one import. Safe to repeat: only a claimed import runs
    (harbor.jobs), the write is one transaction that first checks the claim is still
    this worker's, and the result is recorded only under the same claim. Returns the
    import, or None if it was not claimable."""
    claim = jobs.claim(SupporterImport, import_id)
    if claim is None:
        logger.info("import=%s not claimable (gone, running or finished)", import_id)
        return None
    supporter_import = SupporterImport.objects.get(pk=import_id)
    try:
        rows, errors, error_count, total = _validate(supporter_import, claim)
    except ImportRejected as exc:
        errors, error_count, total, rows = [{"line": 0, "reason": str(exc)}], 1, 0, {}
    if error_count:
        return _end(
            claim,
            rejected=True,
            errors=errors,
            error_count=error_count,
            total_rows=total,
        )
    for attempt in range(3):
        try:
            created, updated = _write(supporter_import, rows, claim)
            break
        except ClaimLost:
            logger.warning("import=%s claim taken over; stopping", import_id)
            return None
        except IntegrityError:
            # A supporter with one of these emails was created concurrently (a signature
            # while importing). The transaction rolled back; run it again.
            logger.warning(
                "import=%s write conflict, attempt %d", import_id, attempt + 1
            )
    else:
        return _end(
            claim,
            rejected=True,
            errors=[
                {
                    "line": 0,
                    "reason": _(
                        "The import conflicted with other changes; "
                        "please upload it again."
                    ),
                }
            ],
            error_count=1,
            total_rows=total,
        )
    return _end(
        claim,
        rejected=False,
        total_rows=total,
        created_count=created,
        updated_count=updated,
    )


class ClaimLost(Exception):
    """Another worker took this import over (this one was presumed dead)."""


def _end(claim: jobs.Claim, *, rejected: bool, **fields) -> SupporterImport | None:
    fields.setdefault("errors", [])
    fields.setdefault("error_count", 0)
    fields["processed_rows"] = fields["total_rows"]
    # The file is personal data and nothing reads it once the import has finished.
    fields["content"] = b""
    if rejected:
        ended = jobs.fail(claim, error="rejected", **fields)
    else:
        ended = jobs.finish(claim, **fields)
    if not ended:
        return None
    supporter_import = SupporterImport.objects.get(pk=claim.pk)
    logger.info(
        "import=%s %s rows=%d errors=%d",
        supporter_import.pk,
        supporter_import.status,
        supporter_import.total_rows,
        supporter_import.error_count,
    )
    if not rejected:
        record_audit(
            actor=supporter_import.created_by,
            action=AuditEvent.Action.SUPPORTER_IMPORT,
            obj=supporter_import,
            changes={
                "created": supporter_import.created_count,
                "updated": supporter_import.updated_count,
                "chapter": supporter_import.chapter_id,
            },
        )
    return supporter_import


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise ImportRejected(
            _(
                "Line %(line)d is not valid UTF-8 text. Save the file as “CSV UTF-8” "
                "(in Excel: File > Save As > CSV UTF-8) and upload it again."
            )
            % {"line": line}
        ) from None


def _read_header(reader: Iterator[list[str]]) -> list[str]:
    """Map header cells to field names; reject unknown, repeated or missing columns."""
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRejected(_("The file is empty.")) from None
    except csv.Error as exc:
        raise ImportRejected(
            _("Line 1 is not a valid CSV header (%(error)s).") % {"error": exc}
        ) from None
    if len(header) > MAX_COLUMNS:
        raise ImportRejected(
            _("Line 1 has %(count)d columns; a supporter file has at most %(max)d.")
            % {"count": len(header), "max": MAX_COLUMNS}
        )
    fields: list[str | None] = []
    unknown: list[str] = []
    for name in header:
        key = " ".join(name.strip().lower().split())
        field = ALIASES.get(key) or ALIASES.get(key.replace(" ", "_"))
        if field is None and key in EXPORT_ONLY_COLUMNS:
            field = key
        if field is None:
            unknown.append(name.strip())
        fields.append(field)
    if unknown:
        raise ImportRejected(
            _("Line 1: unknown column(s) %(unknown)s. Known columns: %(known)s.")
            % {
                "unknown": ", ".join(f"“{name[:40]}”" for name in unknown[:10]),
                "known": ", ".join(COLUMNS),
            }
        )
    known = [f for f in fields if f is not None]
    duplicated = {f for f, n in Counter(known).items() if n > 1}
    if duplicated:
        raise ImportRejected(
            _("Line 1: column %(name)s appears twice.")
            % {"name": sorted(duplicated)[0]}
        )
    if "email" not in known:
        raise ImportRejected(_("Line 1: the file needs an “email” column."))
    return known


def _clean_row(line: int, fields: list[str], values: list[str]) -> CleanRow:
    """Clean one row; raise ValidationError listing every problem it has."""
    if len(values) != len(fields):
        raise ValidationError(
            _("has %(got)d fields but the header has %(want)d.")
            % {"got": len(values), "want": len(fields)}
        )
    raw = {
        field: _unquote_cell(value)
        for field, value in zip(fields, values, strict=True)
        if field not in EXPORT_ONLY_COLUMNS
    }
    problems: list[str] = []

    def check(column: str, clean, value: str) -> str:
        try:
            return clean(value)
        except ValidationError as exc:
            problems.extend(f"{column}: {message}" for message in exc.messages)
            return ""

    profile: dict[str, str] = {}
    for key, limit in MAX_LENGTHS.items():
        rule = clean_text if key == "street_address" else clean_name
        value = check(key, rule, raw.get(key, ""))
        if len(value) > limit:
            problems.append(
                _("%(field)s is longer than %(limit)d characters.")
                % {"field": key, "limit": limit}
            )
        profile[key] = value
    email = check("email", normalize_email, raw["email"])
    profile["state"] = check("state", clean_state, raw.get("state", ""))
    profile["zip_code"] = check("zip", normalize_zip, raw.get("zip_code", ""))
    profile["phone"] = check("phone", normalize_phone, raw.get("phone", ""))
    opt_in_word = raw.get("opt_in", "").strip().lower()
    if opt_in_word not in TRUE_WORDS | FALSE_WORDS:
        problems.append(
            _("opt_in must be yes or no, not “%(value)s”.")
            % {"value": opt_in_word[:20]}
        )
    tags = [
        check("tags", clean_text, tag)[:100] for tag in raw.get("tags", "").split(";")
    ]
    if problems:
        raise ValidationError(problems)
    return CleanRow(
        line=line,
        email=email,
        profile={key: value for key, value in profile.items() if value},
        tags=[t for t in tags if t],
        opt_in=opt_in_word in TRUE_WORDS,
    )


def _validate(
    supporter_import: SupporterImport,
    claim: jobs.Claim,
) -> tuple[dict[str, CleanRow], list[dict], int, int]:
    """Read every row; return (rows by email, reported errors, error count, total rows).
    A later row for the same email updates the earlier one, as a second import would."""
    text = _decode(bytes(supporter_import.content))
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ImportRejected(
            _("Line %(line)d contains a NUL byte: this is not a CSV text file.")
            % {"line": line}
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    fields = _read_header(reader)
    total = text.count("\n")  # an estimate for the progress bar, fixed at the end
    jobs.heartbeat(claim, total_rows=total)
    rows: dict[str, CleanRow] = {}
    errors: list[dict] = []
    error_count = count = 0
    while True:
        line = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append({"line": line, "reason": _("is not valid CSV (%s).") % exc})
            error_count += 1
            break
        if not any(v.strip() for v in values):
            continue
        count += 1
        try:
            row = _clean_row(line, fields, values)
        except ValidationError as exc:
            error_count += 1
            if len(errors) < MAX_REPORTED_ERRORS:
                errors.append({"line": line, "reason": " ".join(exc.messages)})
        else:
            previous = rows.get(row.email)
            if previous:
                row.profile = {**previous.profile, **row.profile}
                row.tags = [*previous.tags, *row.tags]
                row.opt_in = row.opt_in or previous.opt_in
            rows[row.email] = row
        if count % PROGRESS_EVERY == 0 and not jobs.heartbeat(
            claim, processed_rows=count, total_rows=max(total, count)
        ):
            raise ClaimLost(supporter_import.pk)
    if count == 0 and not error_count:
        raise ImportRejected(_("The file has a header but no rows."))
    return rows, errors, error_count, count


@transaction.atomic
def _write(
    supporter_import: SupporterImport, rows: dict[str, CleanRow], claim: jobs.Claim
) -> tuple[int, int]:
    """Upsert every row in one transaction; return (created, updated). The transaction
    starts by refreshing the claim, which holds the row's lock until commit: a worker
    presumed dead cannot write after its successor took over."""
    if not jobs.heartbeat(claim):
        raise ClaimLost(supporter_import.pk)
    importer = restricted_importer(supporter_import)
    now = timezone.now()
    source = f"import:{supporter_import.pk}"
    created_total = updated_total = 0
    extra_chapters = [supporter_import.chapter] if supporter_import.chapter else []
    chapters_by_state: dict[str, list[Chapter]] = {}
    allowed_chapter_ids = visible_chapter_ids(importer) if importer else None
    tag_names = {t for row in rows.values() for t in row.tags}
    if supporter_import.tag:
        tag_names.add(supporter_import.tag)
    for name in tag_names:
        Tag.objects.get_or_create(name=name)
    tag_ids = dict(Tag.objects.filter(name__in=tag_names).values_list("name", "id"))

    batch_rows = list(rows.values())
    for start in range(0, len(batch_rows), WRITE_BATCH):
        batch = batch_rows[start : start + WRITE_BATCH]
        existing = {
            s.email: s
            for s in Supporter.objects.filter(email__in=[r.email for r in batch])
        }
        if importer is not None:
            # A chapter leader's file may name people of other chapters: leave them
            # exactly as they are (no update, membership, tag or consent), and report
            # nothing that would tell the leader they exist.
            visible = set(
                supporters_visible_to(importer)
                .filter(pk__in=[s.pk for s in existing.values()])
                .values_list("pk", flat=True)
            )
            hidden = {e for e, s in existing.items() if s.pk not in visible}
            batch = [r for r in batch if r.email not in hidden]
            for email in hidden:
                del existing[email]
        to_create, to_update, changed_fields = [], [], set()
        # New supporters whose address is on the hashed suppression list (erased after
        # a complaint, say) start suppressed, as upsert_supporter does.
        listed = listed_suppressions(
            [r.email for r in batch if r.email not in existing]
        )
        for row in batch:
            supporter = existing.get(row.email)
            if supporter is None:
                to_create.append(
                    Supporter(
                        email=row.email,
                        source=source,
                        **row.profile,
                        **(
                            {
                                "suppressed_at": now,
                                "suppression_reason": listed[row.email],
                            }
                            if row.email in listed
                            else {}
                        ),
                    )
                )
                continue
            changed = [
                k for k, v in row.profile.items() if str(getattr(supporter, k)) != v
            ]
            for key in changed:
                setattr(supporter, key, row.profile[key])
            if changed:
                supporter.updated_at = now
                changed_fields.update(changed)
                to_update.append(supporter)
        created = Supporter.objects.bulk_create(to_create, batch_size=WRITE_BATCH)
        announce_created(Supporter, [s.pk for s in created])
        if to_update:
            Supporter.objects.bulk_update(to_update, [*changed_fields, "updated_at"])
        created_total += len(created)
        updated_total += len(to_update)
        by_email = {s.email: s for s in [*existing.values(), *created]}
        # Consent: an import may give it, never take it away or override an unsubscribe.
        opt_in_ids = [
            by_email[r.email].pk
            for r in batch
            if r.opt_in
            and not by_email[r.email].email_opt_in
            and by_email[r.email].unsubscribed_at is None
            and by_email[r.email].suppressed_at is None
        ]
        if opt_in_ids:
            Supporter.objects.filter(pk__in=opt_in_ids).update(
                email_opt_in=True,
                opt_in_at=now,
                opt_in_source=source,
                opt_in_method="import",
            )
            ConsentEvent.objects.bulk_create(
                ConsentEvent(
                    supporter_id=pk,
                    kind=ConsentEvent.Kind.OPT_IN,
                    at=now,
                    source=source,
                    method="import",
                )
                for pk in opt_in_ids
            )
        memberships = []
        through_tags: list = []
        for row in batch:
            supporter = by_email[row.email]
            state = supporter.state
            if state not in chapters_by_state:
                chapters_by_state[state] = default_chapters_for(state)
            joined = [*chapters_by_state[state], *extra_chapters]
            if allowed_chapter_ids is not None:
                # A chapter leader's file puts people only into chapters they lead.
                joined = [c for c in joined if c.pk in allowed_chapter_ids]
            for chapter in joined:
                memberships.append(
                    ChapterMembership(chapter=chapter, supporter=supporter)
                )
            names = set(row.tags) | (
                {supporter_import.tag} if supporter_import.tag else set()
            )
            through_tags.extend(
                Supporter.tags.through(supporter_id=supporter.pk, tag_id=tag_ids[name])
                for name in names
            )
        ChapterMembership.objects.bulk_create(memberships, ignore_conflicts=True)
        Supporter.tags.through.objects.bulk_create(through_tags, ignore_conflicts=True)
    return created_total, updated_total


def restricted_importer(supporter_import: SupporterImport) -> User | None:
    """The uploader, if they may not see every supporter (a chapter leader); None for
    national staff and for imports run from the command line."""
    user = supporter_import.created_by
    if user is None or sees_everything(user):
        return None
    return user


FORMULA_STARTS = "=+-@\t\r"
# A phone number in E.164 is no formula: a spreadsheet reads "+" and digits as a number.
E164_RE = re.compile(r"\+[0-9]{1,15}")


def _safe_cell(value: object) -> str:
    """Neutralise spreadsheet formulas (CSV injection) in exported text."""
    text = "" if value is None else str(value)
    if text and text[0] in FORMULA_STARTS:
        return "'" + text
    return text


def _unquote_cell(value: str) -> str:
    """Undo ``_safe_cell``, so that an export imports back as it was."""
    if value[:1] == "'" and value[1:2] and value[1] in FORMULA_STARTS:
        return value[1:]
    return value


def export_rows(supporters) -> Iterator[list[str]]:
    """Yield the CSV header and one row per supporter of the given queryset, streaming.
    ``run_import`` reads the file back (a header it knows, unquoted formulas)."""
    yield EXPORT_COLUMNS
    qs = supporters.prefetch_related("tags").order_by("pk")
    for supporter in qs.iterator(chunk_size=2000):
        row = []
        for column in EXPORT_COLUMNS:
            if column == "tags":
                value = ";".join(sorted(t.name for t in supporter.tags.all()))
            else:
                value = getattr(supporter, column)
                if hasattr(value, "isoformat"):
                    value = value.isoformat()
                elif column == "phone":
                    value = str(value) if value else ""
                    if E164_RE.fullmatch(value):
                        row.append(value)  # a number, not a formula
                        continue
            row.append(_safe_cell(value))
        yield row
