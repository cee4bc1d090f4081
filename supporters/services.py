"""Writes to supporter data: upsert, consent, membership. Plain functions; views, tasks,
commands and the API all call these. The CSV import lives in ``supporters.importing``."""

import logging
import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Chapter
from harbor.states import normalize_state
from harbor.text import validate_typed_text

from . import unsubscribe
from .models import (
    ChapterMembership,
    ConsentEvent,
    Subscription,
    Supporter,
    SuppressedAddress,
)
from .selectors import listed_suppressions
from .suppression import email_hash
from .unsubscribe import UnsubscribeToken

logger = logging.getLogger(__name__)
# ASCII digits only: str.isdigit() would also take fullwidth or superscript digits.
ZIP_RE = re.compile(r"[0-9]{5}(?:-[0-9]{4})?")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Typed text with its whitespace collapsed (or, if ``multiline``, only stripped);
    ValidationError if it holds undecodable bytes, direction or control characters.
    The one rule for free text on public forms and in the CSV import."""
    value = (value or "").strip() if multiline else " ".join((value or "").split())
    validate_typed_text(value, multiline=multiline)
    return value


def clean_name(value: str) -> str:
    """A person's, city's or organisation's name: ``clean_text`` and no markup
    characters. Not Cf in general: Persian and Indic names use the zero-width
    (non-)joiner."""
    value = clean_text(value)
    if any(ch in value for ch in "<>{}"):
        raise ValidationError(
            _("Please use letters only: names cannot contain <, >, { or }."),
            code="invalid",
        )
    return value


def normalize_email(value: str) -> str:
    """Strip and lower-case an address, then validate it; raise ValidationError if bad.

    Lower-casing the local part is what every advocacy CRM does: two signatures from
    ``Ana@X.org`` and ``ana@x.org`` are one person.
    """
    email = (value or "").strip().lower()
    if not email:
        raise ValidationError(_("Enter an email address."), code="required")
    if len(email) > 254:
        raise ValidationError(_("That email address is too long."), code="max_length")
    validate_typed_text(email)
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            _("“%(value)s” is not a valid email address.")
            % {"value": value.strip()[:80]},
            code="invalid",
        ) from None
    domain = email.rpartition("@")[2]
    if "." not in domain.strip(".") or domain.startswith("["):
        # Django's validator takes "localhost" and IP literals: no supporter reads
        # mail there.
        raise ValidationError(
            _(
                "“%(value)s” has no full domain: enter an address such as "
                "name@example.org."
            )
            % {"value": value.strip()[:80]},
            code="invalid",
        )
    if domain == "invalid" or domain.endswith(".invalid"):
        # No mail ever reaches .invalid (RFC 6761); erased supporters' placeholders
        # live there (supporters.privacy.erased_email), and no form may claim one.
        raise ValidationError(
            _("“%(value)s” cannot receive email: enter your own address.")
            % {"value": value.strip()[:80]},
            code="invalid",
        )
    return email


def normalize_phone(value: str) -> str:
    """Return the number in E.164 (US by default), '' for blank; ValidationError if bad."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "US")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("“%(value)s” is not a valid phone number.") % {"value": value[:40]},
            code="invalid",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_zip(value: str) -> str:
    """Return a 5-digit ZIP or ZIP+4, '' for blank; ValidationError if malformed."""
    value = (value or "").strip()
    if not value:
        return ""
    digits = value.replace(" ", "")
    if ZIP_RE.fullmatch(digits) and digits.startswith("000"):
        raise ValidationError(
            _("“%(value)s” is not a US ZIP code: none begins with 000.")
            % {"value": value[:20]},
            code="nonexistent",
        )
    if ZIP_RE.fullmatch(digits):
        return digits
    raise ValidationError(
        _("“%(value)s” is not a ZIP code (use 5 digits, or ZIP+4).")
        % {"value": value[:20]},
        code="invalid",
    )


def clean_public_zip(value: str) -> str:
    """A ZIP typed into a public form, as normalize_zip; ValidationError if not one."""
    # NFKC turns fullwidth digits into ASCII; other scripts' digits pass str.isdigit()
    # in normalize_zip but are no US ZIP code.
    value = unicodedata.normalize("NFKC", value or "")
    if not value.isascii():
        raise ValidationError(
            _("Enter a US ZIP code: 5 digits, or ZIP+4."), code="invalid"
        )
    return normalize_zip(value)


def clean_state(value: str) -> str:
    """Return a USPS state code for a code or name, '' for blank; ValidationError if unknown."""
    if not (value or "").strip():
        return ""
    try:
        return normalize_state(value)
    except ValueError as exc:
        raise ValidationError(str(exc), code="invalid") from None


PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "street_address",
    "city",
    "state",
    "zip_code",
    "phone",
)


def default_chapters_for(state: str) -> list[Chapter]:
    """The national chapter and, if there is one, the chapter of ``state``."""
    return list(Chapter.objects.filter(_default_chapters_q(state)))


def _default_chapters_q(state: str) -> Q:
    q = Q(kind=Chapter.Kind.NATIONAL)
    if state:
        q |= Q(kind=Chapter.Kind.STATE, state=state)
    return q


def join_default_chapters(*, supporter_id: int, state: str) -> None:
    """Add the supporter to the national chapter and their state's. Safe to repeat."""
    chapter_ids = Chapter.objects.filter(_default_chapters_q(state)).values_list(
        "pk", flat=True
    )
    ChapterMembership.objects.bulk_create(
        [
            ChapterMembership(chapter_id=chapter_id, supporter_id=supporter_id)
            for chapter_id in chapter_ids
        ],
        ignore_conflicts=True,
    )


# No savepoint of its own: a caller's transaction (signing) makes it atomic, and
# get_or_create guards its INSERT with one. Called alone it runs in a transaction.
# Where a supporter belongs: set when a supporter is created, never by a later public form.
PLACE_FIELDS = frozenset(
    {"state", "congressional_district", "state_upper_district", "state_lower_district"}
)


@transaction.atomic(savepoint=False)
def upsert_supporter(
    *,
    email: str,
    source: str = "",
    opt_in: bool = False,
    opt_in_method: str = "",
    congressional_district: str = "",
    **profile: str,
) -> tuple[Supporter, bool]:
    """Find or create the supporter with this email and fill in profile fields that are
    still blank (never overwriting, and never the state or districts of an existing
    supporter: the caller is an unauthenticated form); a new supporter joins the
    national and state chapters.

    Safe to repeat and safe under concurrency: the unique email decides, and a lost race
    (get_or_create's IntegrityError path) re-reads the winner's row. Never re-subscribes
    someone who unsubscribed. Returns (supporter, created).
    """
    email = normalize_email(email)
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown profile fields: {sorted(unknown)}")
    values = {key: value for key, value in profile.items() if value}
    if congressional_district:
        # Only a certain district is passed (a ZIP inside one district, or geocoded).
        values["congressional_district"] = congressional_district
    defaults: dict[str, object] = {
        **values,
        "source": source,
        **suppression_mirror(email),
    }
    now = timezone.now()
    if opt_in and "suppressed_at" not in defaults:
        # A new supporter gets consent in the INSERT itself; an existing one through
        # record_opt_in, which respects an unsubscribe.
        defaults.update(
            email_opt_in=True,
            opt_in_at=now,
            opt_in_source=source[:100],
            opt_in_method=opt_in_method[:50],
        )
    supporter, created = Supporter.objects.get_or_create(email=email, defaults=defaults)
    changed = []
    if not created:
        # Anyone can type anyone's email into a public form: such a write may complete
        # a record but never change what is already there (a name, an address), and
        # never where the supporter belongs: a state or district learned this way would
        # move them into that state's chapter, in front of its leader. Staff change
        # records through the import or the admin.
        changed = [
            key
            for key in values
            if key not in PLACE_FIELDS and not getattr(supporter, key)
        ]
        for key in changed:
            setattr(supporter, key, values[key])
        if changed:
            supporter.save(update_fields=[*changed, "updated_at"])
    else:
        join_default_chapters(supporter_id=supporter.pk, state=supporter.state)
    if opt_in and created and supporter.suppressed_at is None:
        ConsentEvent.objects.create(
            supporter=supporter,
            kind=ConsentEvent.Kind.OPT_IN,
            at=now,
            source=source[:100],
            method=opt_in_method[:50],
        )
    elif opt_in:
        record_opt_in(supporter=supporter, source=source, method=opt_in_method)
    return supporter, created


def record_opt_in(*, supporter: Supporter, source: str, method: str) -> bool:
    """Record email consent unless already given or the supporter has unsubscribed or is
    suppressed. Safe to repeat. Returns whether consent changed."""
    now = timezone.now()
    updated = Supporter.objects.filter(
        pk=supporter.pk,
        email_opt_in=False,
        unsubscribed_at__isnull=True,
        suppressed_at__isnull=True,
    ).update(
        email_opt_in=True,
        opt_in_at=now,
        opt_in_source=source[:100],
        opt_in_method=method[:50],
        updated_at=now,
    )
    if updated:
        ConsentEvent.objects.create(
            supporter=supporter,
            kind=ConsentEvent.Kind.OPT_IN,
            at=now,
            source=source[:100],
            method=method[:50],
        )
        supporter.email_opt_in, supporter.opt_in_at = True, now
        supporter.opt_in_source, supporter.opt_in_method = source[:100], method[:50]
    return bool(updated)


@transaction.atomic
def unsubscribe_supporter(*, supporter_id: int, source: str) -> bool:
    """Unsubscribe from bulk email. Safe to repeat; returns whether anything changed."""
    now = timezone.now()
    updated = Supporter.objects.filter(
        pk=supporter_id, unsubscribed_at__isnull=True
    ).update(unsubscribed_at=now, email_opt_in=False, updated_at=now)
    if updated:
        ConsentEvent.objects.create(
            supporter_id=supporter_id,
            kind=ConsentEvent.Kind.UNSUBSCRIBE,
            at=now,
            source=source[:100],
        )
        logger.info("unsubscribed supporter=%s", supporter_id)
    # Off every list too: the newsletter page never re-subscribes them.
    Subscription.objects.filter(
        supporter_id=supporter_id, unsubscribed_at__isnull=True
    ).update(unsubscribed_at=now, updated_at=now)
    return bool(updated)


@transaction.atomic
def unsubscribe_with_token(*, token: UnsubscribeToken, method: str) -> bool:
    """What an unsubscribe link does (the page's button, a mailbox's RFC 8058 one-click
    POST, the mailto): unsubscribe the supporter from bulk email, with the consent event
    naming the topic, and tell the topic's app (alerts marks its recipient row). Safe to
    repeat; a token whose supporter was erased changes nothing. Returns whether the
    supporter's consent changed."""
    if not Supporter.objects.filter(pk=token.supporter_id).exists():
        return False
    changed = unsubscribe_supporter(
        supporter_id=token.supporter_id, source=f"{method}:{token.topic}"
    )
    unsubscribe.run_hook(token, at=timezone.now())
    return changed


def suppression_mirror(email: str) -> dict[str, object]:
    """The suppression fields a new supporter with ``email`` starts with: set when the
    address is on the hashed list (an erased supporter who complained, signing again)."""
    reason = listed_suppressions([email]).get(email)
    if reason is None:
        return {}
    return {"suppressed_at": timezone.now(), "suppression_reason": reason}


@transaction.atomic
def suppress_supporter(*, supporter_id: int, reason: str, source: str = "") -> bool:
    """Stop all email to a supporter (bounce, complaint, manual), and put the address on
    the hashed suppression list that survives erasure. Safe to repeat."""
    if reason not in Supporter.SuppressionReason.values:
        raise ValueError(f"unknown suppression reason {reason!r}")
    email = (
        Supporter.objects.filter(pk=supporter_id)
        .values_list("email", flat=True)
        .first()
    )
    if email is None:
        return False
    _list_address(email=email, reason=reason, source=source)
    now = timezone.now()
    updated = Supporter.objects.filter(
        pk=supporter_id, suppressed_at__isnull=True
    ).update(suppressed_at=now, suppression_reason=reason, updated_at=now)
    if updated:
        ConsentEvent.objects.create(
            supporter_id=supporter_id,
            kind=ConsentEvent.Kind.SUPPRESS,
            at=now,
            source=source[:100],
            reason=reason,
        )
        logger.info("suppressed supporter=%s reason=%s", supporter_id, reason)
    return bool(updated)


def _list_address(*, email: str, reason: str, source: str) -> bool:
    _, created = SuppressedAddress.objects.get_or_create(
        email_hash=email_hash(email),
        defaults={"reason": reason, "source": source[:100]},
    )
    return created


@transaction.atomic
def suppress_address(*, email: str, reason: str, source: str = "") -> bool:
    """Suppress an address whoever holds it: on the hashed list (so it stays suppressed
    after erasure, or before anyone signs up with it) and on the supporter's record if
    there is one. What an ESP's bounce or complaint calls. Safe to repeat (a redelivered
    webhook changes nothing); returns whether anything changed."""
    if reason not in Supporter.SuppressionReason.values:
        raise ValueError(f"unknown suppression reason {reason!r}")
    listed = _list_address(email=email, reason=reason, source=source)
    supporter_id = (
        Supporter.objects.filter(email=email.strip().lower())
        .values_list("pk", flat=True)
        .first()
    )
    changed = supporter_id is not None and suppress_supporter(
        supporter_id=supporter_id, reason=reason, source=source
    )
    return listed or changed


def subscribe_to_newsletter(
    *, email: str, first_name: str = "", zip_code: str = "", source: str = "newsletter"
) -> tuple[Supporter, bool]:
    """Upsert the supporter, record their email opt-in and put them on the newsletter
    list. Safe to repeat (one subscription per list); never re-subscribes someone who
    unsubscribed (they are told to use the preferences link). Returns (supporter,
    created)."""
    with transaction.atomic():
        supporter, created = upsert_supporter(
            email=email,
            source=source,
            opt_in=True,
            opt_in_method="newsletter_form",
            first_name=first_name[:100],
            zip_code=zip_code,
        )
        if supporter.unsubscribed_at is None:
            Subscription.objects.get_or_create(
                supporter=supporter,
                list=Subscription.List.NEWSLETTER,
                defaults={"source": source[:100], "subscribed_at": timezone.now()},
            )
    return supporter, created
