"""Writes of the API: tokens (made, used, revoked; audited) and the three OSDI helpers,
each a thin mapping of an OSDI request onto the service the public forms use."""

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, Chapter, User
from accounts.services import record_audit
from advocacy import services as advocacy_services
from advocacy.models import AdvocacyCampaign, Outreach
from legislators.models import Legislator
from petitions.intake import drain_now
from petitions.models import Petition
from petitions.services import sign_petition
from supporters.models import ChapterMembership, Supporter
from supporters.services import normalize_email, upsert_supporter

from . import selectors
from .models import ApiToken
from .tokens import hash_secret, new_secret

logger = logging.getLogger(__name__)

# last_used_at is written at most this often per token: not one UPDATE per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


# --- tokens ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    # The secret itself: shown once, never stored.
    secret: str


@transaction.atomic
def create_token(
    *, by: User, name: str, chapter: Chapter | None, request=None
) -> NewToken:
    """Make a token owned by ``by`` with national scope (``chapter`` None: staff admins
    and staff only) or one chapter's (one they may see); audited. Raises
    PermissionDenied for a scope beyond the maker's own. Not idempotent: each call makes
    a new secret."""
    if not selectors.may_manage_tokens(by):
        raise PermissionDenied(
            _("Only staff admins and chapter leaders make API tokens.")
        )
    if chapter is None and not by.is_national_staff:
        raise PermissionDenied(
            _("A chapter leader's token is for one of their chapters.")
        )
    if chapter is not None and not selectors.may_scope_to(by, chapter):
        raise PermissionDenied(_("You may not make a token for that chapter."))
    name = name.strip()[:100]
    if not name:
        raise ValidationError(_("Give the token a name."), code="required")
    secret = new_secret()
    token = ApiToken.objects.create(
        name=name,
        owner=by,
        chapter=chapter,
        prefix=secret[:12],
        key_hash=hash_secret(secret),
        created_by=by,
    )
    record_audit(
        actor=by,
        action=AuditEvent.Action.API_TOKEN_CREATED,
        obj=token,
        changes={"scope": chapter.slug if chapter else "national"},
        request=request,
    )
    logger.info("api token=%s created by user=%s", token.pk, by.pk)
    return NewToken(token=token, secret=secret)


@transaction.atomic
def revoke_token(*, by: User, token_id: int, request=None) -> bool:
    """Revoke a token ``by`` may manage; audited. Safe to repeat: only the first call
    revokes and is audited; returns whether this call did. Raises PermissionDenied for
    a token ``by`` may not manage."""
    token = selectors.tokens_managed_by(by).filter(pk=token_id).first()
    if token is None:
        raise PermissionDenied(_("You may not revoke that token."))
    now = timezone.now()
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=now
    )
    if revoked:
        record_audit(
            actor=by,
            action=AuditEvent.Action.API_TOKEN_REVOKED,
            obj=token,
            request=request,
        )
    return bool(revoked)


def authenticate_secret(secret: str) -> ApiToken | None:
    """The live token with this secret (its owner loaded), or None; notes its use at
    most once a minute (one conditional UPDATE). Safe to repeat."""
    if not secret or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.active()
        .select_related("owner")
        .filter(key_hash=hash_secret(secret), owner__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


# --- the OSDI helpers -----------------------------------------------------------------


@dataclass(frozen=True)
class PersonIn:
    """The parts of an OSDI person Harbor keeps, already picked from the request."""

    email: str
    given_name: str = ""
    family_name: str = ""
    street_address: str = ""
    locality: str = ""
    region: str = ""
    postal_code: str = ""
    phone: str = ""
    subscribed: bool = False


def _profile(person: PersonIn) -> dict[str, str]:
    values = {
        "first_name": person.given_name[:100],
        "last_name": person.family_name[:100],
        "street_address": person.street_address[:200],
        "city": person.locality[:100],
        "state": person.region,
        "zip_code": person.postal_code,
        "phone": person.phone,
    }
    return {key: value for key, value in values.items() if value}


def _join_token_chapter(*, token: ApiToken, supporter_id: int) -> None:
    """A person a chapter's token brought in belongs to that chapter (its own form, in
    effect). Only for a supporter the request created: an existing one is never moved."""
    if token.chapter_id is not None:
        ChapterMembership.objects.bulk_create(
            [ChapterMembership(chapter_id=token.chapter_id, supporter_id=supporter_id)],
            ignore_conflicts=True,
        )


def signup_person(
    *, token: ApiToken, person: PersonIn, tags: list[str] | None = None
) -> tuple[Supporter, bool]:
    """OSDI's person signup helper: upsert the supporter by email with the public
    forms' rules (blank fields filled, nothing overwritten, never moved, consent only
    when the email's status says "subscribed", never re-subscribing), add the named
    existing tags. Safe to repeat. Returns (supporter, created)."""
    with transaction.atomic():
        supporter, created = upsert_supporter(
            email=person.email,
            source=f"api:{token.pk}",
            opt_in=person.subscribed,
            opt_in_method="api",
            **_profile(person),
        )
        if created:
            _join_token_chapter(token=token, supporter_id=supporter.pk)
        if tags:
            from supporters.models import Tag

            supporter.tags.add(*Tag.objects.filter(name__in=tags[:20]))
    logger.info(
        "api signup supporter=%s created=%s token=%s", supporter.pk, created, token.pk
    )
    return supporter, created


def record_signature(
    *,
    token: ApiToken,
    petition: Petition,
    person: PersonIn,
    comment: str = "",
    referrer: str = "",
    source: str = "",
):
    """OSDI's record signature helper: ``petitions.services.sign_petition`` (the one
    sign path) with the channel "api". Safe to repeat (a second signature of one
    email is the first). Returns sign_petition's outcome; raises its errors
    (PetitionClosedError) and ValidationError for an address it refuses."""
    email = normalize_email(person.email)
    if not person.given_name:
        # The sign path's rule (the page's form asks for it too): refused here with a
        # message rather than set aside by the drain.
        raise ValidationError(
            _("A signature needs the signer's given_name."), code="required"
        )
    existed = Supporter.objects.filter(email=email).exists()
    outcome = sign_petition(
        petition=petition,
        email=email,
        first_name=person.given_name,
        last_name=person.family_name,
        zip_code=person.postal_code,
        phone=person.phone,
        comment=comment,
        wants_email=person.subscribed,
        referred_by_code=referrer,
        utm_source=source,
        channel="api",
    )
    if outcome.created and outcome.intake_id is not None:
        # The API answers with the signature itself: its intake row is drained now,
        # through the worker's own drain (petitions.intake), not left for the worker.
        drain_now(intake_ids=[outcome.intake_id])
    signature = outcome.signature  # a query: read once
    if not existed and signature is not None:
        _join_token_chapter(token=token, supporter_id=signature.supporter_id)
    return outcome


class OutreachRefused(ValueError):
    """The outreach cannot be recorded as asked (a letter action, an unknown target)."""


def record_outreach(
    *,
    token: ApiToken,
    action: AdvocacyCampaign,
    legislators: list[Legislator],
    outcome: str,
    person: PersonIn | None,
    idempotency_key: str = "",
    referrer: str = "",
    source: str = "",
) -> list[Outreach]:
    """OSDI's record outreach helper for a call action: one outreach per target
    legislator through ``advocacy.services.record_call`` (unique per session and
    legislator), then the person through ``attach_supporter`` (public-form rules).
    With ``idempotency_key`` (the request's foreign identifier) the session is derived
    from it and the token, so a replayed request records nothing new; without one each
    call is a new session. Raises OutreachRefused for a letter action or a legislator
    the action does not target."""
    if action.kind != AdvocacyCampaign.Kind.CALL:
        raise OutreachRefused(
            _("Letters are written and sent from the campaign's write page.")
        )
    allowed = selectors.named_targets(action)
    for legislator in legislators:
        if not legislator.is_current or (
            allowed is not None and legislator.pk not in allowed
        ):
            raise OutreachRefused(
                _("Legislator %(id)s is not a target of this action.")
                % {"id": legislator.pk}
            )
    if idempotency_key:
        session = uuid.uuid5(
            uuid.NAMESPACE_URL, f"harbor-api:{token.pk}:{action.pk}:{idempotency_key}"
        )
    else:
        session = uuid.uuid4()
    place = advocacy_services.Place(
        zip_code=person.postal_code[:10] if person else "",
        state=person.region if person else "",
    )
    src = advocacy_services.Source(
        referred_by_code=referrer, utm_source=source[:100], channel="api"
    )
    outreaches = []
    with transaction.atomic():
        for legislator in legislators:
            outreach, _created = advocacy_services.record_call(
                action=action,
                session=session,
                legislator=legislator,
                office=None,
                outcome=outcome,
                place=place,
                source=src,
            )
            outreaches.append(outreach)
        if person is not None:
            existed = Supporter.objects.filter(
                email=normalize_email(person.email)
            ).exists()
            supporter = advocacy_services.attach_supporter(
                action=action,
                session=session,
                email=person.email,
                first_name=person.given_name,
                wants_email=person.subscribed,
                place=place,
            )
            if not existed:
                _join_token_chapter(token=token, supporter_id=supporter.pk)
            for outreach in outreaches:
                if outreach.supporter_id is None:
                    outreach.supporter_id = supporter.pk
    return outreaches
