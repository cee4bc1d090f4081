"""Writes to legislator data: imports of the shipped upstream files and staff edits of
bills and Safe Harbor records (with history).

Every import parses and validates the whole file first (``legislators.importers``) and
only then writes, in one transaction: a malformed file changes nothing. Imports are safe
to repeat. Bill sync from the upstream APIs lives in ``legislators.sync``.
"""

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent
from accounts.services import record_audit

from . import importers
from .models import (
    SHIPPED_CONGRESS,
    Bill,
    BillAction,
    Chamber,
    Legislator,
    Office,
    SafeHarborLaw,
    SyncRun,
    ZipDistrict,
)

logger = logging.getLogger(__name__)

LEGISLATOR_FIELDS = (
    "name",
    "first_name",
    "last_name",
    "party",
    "chamber",
    "state",
    "district",
    "term_start",
    "term_end",
    "photo_url",
    "website",
    "contact_form_url",
    "email",
)


def _upsert_legislators(
    *, people: list[dict], key: str, scope: dict[str, Any], office_kinds: list[str]
) -> dict[str, int]:
    """Create or update ``people`` by ``key``; retire current members in ``scope`` who
    are not in ``people``; replace their offices of ``office_kinds``. Runs inside the
    caller's transaction."""
    existing = {getattr(leg, key): leg for leg in Legislator.objects.filter(**scope)}
    # Someone may have moved between scopes (a state senator elected to Congress is
    # another record upstream, but a House member who becomes a senator keeps the
    # bioguide id).
    wanted = {person[key] for person in people}
    existing.update(
        {
            getattr(leg, key): leg
            for leg in Legislator.objects.filter(**{f"{key}__in": wanted})
        }
    )
    created, changed, unchanged = [], [], 0
    for person in people:
        values = {field: person.get(field) or "" for field in LEGISLATOR_FIELDS}
        for field in ("term_start", "term_end"):
            values[field] = person.get(field)
        leg = existing.get(person[key])
        if leg is None:
            created.append(Legislator(**{key: person[key]}, **values, is_current=True))
            continue
        diff = [f for f, v in values.items() if getattr(leg, f) != v]
        if diff or not leg.is_current:
            for field, value in values.items():
                setattr(leg, field, value)
            leg.is_current = True
            changed.append(leg)
        else:
            unchanged += 1
    now = timezone.now()
    Legislator.objects.bulk_create(created, batch_size=500)
    for leg in changed:
        leg.updated_at = now
    Legislator.objects.bulk_update(
        changed, [*LEGISLATOR_FIELDS, "is_current", "updated_at"], batch_size=500
    )
    retired = (
        Legislator.objects.filter(**scope, is_current=True)
        .exclude(**{f"{key}__in": wanted})
        .update(is_current=False, updated_at=now)
    )
    ids = dict(
        Legislator.objects.filter(**{f"{key}__in": wanted}).values_list(key, "pk")
    )
    Office.objects.filter(
        legislator_id__in=ids.values(), kind__in=office_kinds
    ).delete()
    Office.objects.bulk_create(
        [
            Office(legislator_id=ids[person[key]], **office)
            for person in people
            for office in person.get("offices", [])
        ],
        batch_size=500,
    )
    return {
        "created": len(created),
        "updated": len(changed),
        "unchanged": unchanged,
        "retired": retired,
    }


def _record_run(
    kind: str, summary: dict, *, ok: bool = True, message: str = ""
) -> None:
    SyncRun.objects.create(kind=kind, summary=summary, ok=ok, message=message[:2000])


def import_congress(
    *,
    current_path: Path = importers.CONGRESS_CURRENT,
    offices_path: Path = importers.CONGRESS_OFFICES,
) -> dict[str, int]:
    """Import members of Congress and their offices from congress-legislators YAML.

    Safe to repeat: updates in place by bioguide id and retires (``is_current=False``)
    members no longer in the file. Raises DataFileError, changing nothing, if a file is
    malformed.
    """
    people = importers.parse_congress_current(current_path)
    district_offices = importers.parse_congress_offices(offices_path)
    for person in people:
        person["photo_url"] = congress_photo_url(person["bioguide_id"])
        person["offices"] = person["offices"] + district_offices.get(
            person["bioguide_id"], []
        )
    with transaction.atomic():
        summary = _upsert_legislators(
            people=people,
            key="bioguide_id",
            scope={"chamber__in": [Chamber.US_SENATE, Chamber.US_HOUSE]},
            office_kinds=[Office.Kind.DC, Office.Kind.DISTRICT],
        )
        summary["in_file"] = len(people)
        _record_run("import_congress", summary)
    logger.info("congress import %s", summary)
    return summary


def congress_photo_url(bioguide_id: str) -> str:
    from django.conf import settings

    return settings.CONGRESS_PHOTO_URL.format(bioguide=bioguide_id)


def import_openstates(
    *,
    root: Path = importers.OPENSTATES_DIR,
    states: list[str] | None = None,
    today=None,
) -> dict[str, int]:
    """Import state legislators from an Open States people directory (upstream layout).

    Only roles current on ``today`` count. For each imported state, legislators no
    longer current are retired. Safe to repeat; a malformed file changes nothing.
    """
    today = today or timezone.localdate()
    files = importers.openstates_files(Path(root))
    if states:
        wanted = {s.upper() for s in states}
        files = {s: paths for s, paths in files.items() if s in wanted}
    people = []
    skipped = 0
    for state, paths in files.items():
        for path in paths:
            person = importers.parse_openstates_person(path, state=state, today=today)
            if person is None:
                skipped += 1
            else:
                people.append(person)
    with transaction.atomic():
        summary = _upsert_legislators(
            people=people,
            key="openstates_id",
            scope={
                "chamber__in": [Chamber.STATE_UPPER, Chamber.STATE_LOWER],
                "state__in": list(files),
            },
            office_kinds=[Office.Kind.CAPITOL, Office.Kind.DISTRICT],
        )
        summary.update(states=len(files), in_files=len(people), not_current=skipped)
        _record_run("import_openstates", summary)
    logger.info("openstates import %s", summary)
    return summary


def import_zip_crosswalk(
    *, path: Path = importers.ZCCD_CSV, congress: int = SHIPPED_CONGRESS
) -> dict[str, int]:
    """Replace the ``congress``th Congress's ZIP→district crosswalk with the file's
    rows; other Congresses' crosswalks are left alone (the lookup switches between them
    on a date: ``selectors.congress_in_force``). Safe to repeat: only the difference is
    written. A malformed file changes nothing."""
    from . import selectors

    if not 1 <= congress <= 999:
        raise ValueError(f"{congress} is not a Congress number")
    rows = importers.parse_zccd(path)
    with transaction.atomic():
        existing = {
            (zcta, state, district): pk
            for pk, zcta, state, district in ZipDistrict.objects.filter(
                congress=congress
            )
            .values_list("pk", "zcta", "state", "district")
            .iterator(chunk_size=5000)
        }
        stale = [pk for key, pk in existing.items() if key not in rows]
        for start in range(0, len(stale), 500):
            ZipDistrict.objects.filter(pk__in=stale[start : start + 500]).delete()
        new = [
            ZipDistrict(congress=congress, zcta=z, state=s, district=d)
            for z, s, d in rows
            if (z, s, d) not in existing
        ]
        ZipDistrict.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
        summary = {
            "rows": len(rows),
            "zctas": len({z for z, _s, _d in rows}),
            "added": len(new),
            "removed": len(stale),
        }
        _record_run("import_zip_crosswalk", {**summary, "congress": congress})
    transaction.on_commit(selectors.reset_zip_index)
    logger.info("zip crosswalk import (congress %s) %s", congress, summary)
    return summary


SAFE_HARBOR_FIELDS = (
    "status",
    "immunity",
    "diversion",
    "services",
    "training",
    "buyer_penalties",
    "citation",
    "year",
    "source_name",
    "source_id",
    "source_url",
    "as_of",
    "notes",
)


def import_safe_harbor(*, path: Path = importers.SAFE_HARBOR_CSV) -> dict[str, int]:
    """Create or refresh one Safe Harbor record per state from the shipped CSV.

    Records a staff member has edited are left alone (their history says why). Safe to
    repeat. A malformed file changes nothing.
    """
    records = importers.parse_safe_harbor(path)
    with transaction.atomic():
        edited = set(
            AuditEvent.objects.filter(
                object_type="legislators.safeharborlaw", via=AuditEvent.Via.STAFF
            ).values_list("object_id", flat=True)
        )
        existing = {law.state: law for law in SafeHarborLaw.objects.all()}
        created = updated = kept = 0
        for state, values in sorted(records.items()):
            values = {f: values[f] for f in SAFE_HARBOR_FIELDS if f in values}
            law = existing.get(state)
            if law is None:
                SafeHarborLaw.objects.create(state=state, **values)
                created += 1
            elif str(law.pk) in edited:
                kept += 1
            elif _apply_edit(law, user=None, values=values, via=AuditEvent.Via.IMPORT):
                updated += 1
        summary = {
            "states": len(records),
            "created": created,
            "updated": updated,
            "kept_staff_edits": kept,
        }
        _record_run("import_safe_harbor", summary)
    logger.info("safe harbor import %s", summary)
    return summary


@transaction.atomic
def import_tvpa_bills(*, path: Path = importers.TVPA_BILLS_CSV) -> dict[str, int]:
    """Create the TVPA reauthorization bills with their known actions. Safe to repeat:
    existing bills keep whatever a sync or staff wrote since."""
    created = 0
    for data in importers.parse_tvpa_bills(path):
        actions = data.pop("actions")
        bill, is_new = Bill.objects.get_or_create(
            jurisdiction=data["jurisdiction"],
            session=data["session"],
            identifier=data["identifier"],
            defaults=data,
        )
        if is_new:
            created += 1
            BillAction.objects.bulk_create(
                [BillAction(bill=bill, **a) for a in actions]
            )
    return {"created": created}


# --- Staff edits with history (the audit log) ------------------------------------------

_EDIT_ACTIONS = {
    "legislators.bill": AuditEvent.Action.BILL_CHANGED,
    "legislators.safeharborlaw": AuditEvent.Action.SAFE_HARBOR_CHANGED,
}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def _apply_edit(
    obj,
    *,
    user,
    values: dict[str, Any],
    via: str = AuditEvent.Via.STAFF,
    check_unique: bool = True,
) -> AuditEvent | None:
    changes = {
        field: [_jsonable(getattr(obj, field)), _jsonable(value)]
        for field, value in values.items()
        if getattr(obj, field) != value
    }
    if not changes:
        return None
    for field, value in values.items():
        setattr(obj, field, value)
    obj.full_clean(validate_unique=check_unique, validate_constraints=check_unique)
    obj.save()
    return record_audit(
        actor=user, action=_EDIT_ACTIONS[obj._meta.label_lower], obj=obj,
        changes=changes, via=via,
    )  # fmt: skip


@transaction.atomic
def update_safe_harbor(*, law_id: int, user, **values: Any) -> AuditEvent | None:
    """Apply a staff edit to a Safe Harbor record and record who changed what.

    Safe to repeat: the same values a second time record nothing. Returns the edit
    record, or None when nothing changed."""
    unknown = set(values) - set(SAFE_HARBOR_FIELDS)
    if unknown:
        raise TypeError(f"unknown Safe Harbor fields: {sorted(unknown)}")
    law = SafeHarborLaw.objects.select_for_update().get(pk=law_id)
    return _apply_edit(law, user=user, values=values)


BILL_EDIT_FIELDS = (
    "jurisdiction",
    "session",
    "identifier",
    "title",
    "summary",
    "stage",
    "introduced_on",
    "source_urls",
)


DUPLICATE_BILL = _(
    "A bill with this identifier already exists for this jurisdiction and session."
)


@contextmanager
def _one_bill_per_session(bill: Bill) -> Iterator[None]:
    """Turn a violation of the bill's unique key (jurisdiction, session, identifier)
    while saving ``bill`` inside the block into a ValidationError on ``identifier``.

    A duplicate check before the INSERT cannot see a bill a simultaneous request adds
    after it ran; the database key can, so it is the one guard and the one message.
    Any other IntegrityError is raised as it is."""
    try:
        # A savepoint: after the error, PostgreSQL allows the query below only once
        # the failed statement is rolled back.
        with transaction.atomic():
            yield
    except IntegrityError:
        clash = Bill.objects.filter(
            jurisdiction=bill.jurisdiction,
            session=bill.session,
            identifier=bill.identifier,
        )
        if bill.pk is not None:
            clash = clash.exclude(pk=bill.pk)
        if not clash.exists():
            raise
        raise ValidationError({"identifier": DUPLICATE_BILL}, code="unique") from None


@transaction.atomic
def save_bill(*, user, bill_id: int | None = None, **values: Any) -> Bill:
    """Create a bill by hand (``bill_id=None``) or apply a staff edit to one, recording
    the change in the audit log. Saving the same values again records nothing.

    Raises ValidationError (on ``identifier``, changing nothing) when another bill has
    the same jurisdiction, session and identifier, also when it was added by a
    simultaneous request."""
    unknown = set(values) - set(BILL_EDIT_FIELDS)
    if unknown:
        raise TypeError(f"unknown bill fields: {sorted(unknown)}")
    if bill_id is None:
        bill = Bill(**values)
        bill.full_clean(validate_unique=False, validate_constraints=False)
        with _one_bill_per_session(bill):
            bill.save()
        record_audit(
            actor=user,
            action=AuditEvent.Action.BILL_CHANGED,
            obj=bill,
            changes={f: [None, _jsonable(v)] for f, v in values.items()},
        )
    else:
        bill = Bill.objects.select_for_update().get(pk=bill_id)
        with _one_bill_per_session(bill):
            _apply_edit(bill, user=user, values=values, check_unique=False)
    return bill
