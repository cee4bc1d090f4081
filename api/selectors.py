"""Reads of the API, every one through the visibility rule of ``accounts.selectors``:
a token acts as its owner with the owner's role narrowed to the token's scope
(``token_user``), and that user is what ``visible_to`` and ``supporters_visible_to``
are asked about. No second rule."""

import copy

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet

from accounts.models import Chapter, Role, User
from accounts.selectors import AnyUser, chapters_visible_to, sees_everything, visible_to
from advocacy.models import AdvocacyCampaign, Outreach
from alerts.models import Alert, AlertRecipient
from alerts.selectors import PROGRESS_COUNTS, alerts_visible_to
from petitions.models import Petition, Signature
from supporters.models import Supporter, Tag
from supporters.selectors import rows_of_visible_supporters, supporters_visible_to

from .models import ApiToken

# --- tokens and their scope -----------------------------------------------------------


def token_user(token: ApiToken) -> User:
    """The owner as the token lets them act: a national token has the owner's grants
    if they are national staff (else none); a chapter token the one grant "leader of
    that chapter" if the owner may see it (else none). A copy: the owner's own object
    is untouched. One query (the owner's grants), none when already loaded."""
    owner = token.owner
    acting = copy.copy(owner)
    grants = list(owner.role_grants)
    national = owner.is_active and bool(
        {role for role, _chapter in grants} & {Role.STAFF_ADMIN, Role.STAFF}
    )
    if token.chapter_id is None:
        scoped = grants if national else []
    elif national or (Role.CHAPTER_LEADER, token.chapter_id) in grants:
        scoped = [(Role.CHAPTER_LEADER, token.chapter_id)]
    else:
        scoped = []
    acting.__dict__["role_grants"] = scoped
    return acting


def may_manage_tokens(user: AnyUser) -> bool:
    """Staff admins (every token) and chapter leaders (their own, for their chapters)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_staff_admin or user.led_chapter_ids)
    )


def may_scope_to(user: AnyUser, chapter: Chapter) -> bool:
    return chapters_visible_to(user).filter(pk=chapter.pk).exists()


def tokens_managed_by(user: AnyUser) -> QuerySet[ApiToken]:
    """Staff admins: every token; a chapter leader: the tokens they own. Newest first,
    with owner and chapter."""
    qs = ApiToken.objects.select_related("owner", "chapter", "created_by")
    if not may_manage_tokens(user):
        return qs.none()
    if user.is_staff_admin:  # type: ignore[union-attr]
        return qs
    return qs.filter(owner_id=user.pk)


def token_chapters_for(user: AnyUser) -> QuerySet[Chapter]:
    """The chapters ``user`` may scope a token to."""
    if not may_manage_tokens(user):
        return Chapter.objects.none()
    return chapters_visible_to(user).order_by("kind", "name")


# --- resources ------------------------------------------------------------------------


def people_for(user: AnyUser) -> QuerySet[Supporter]:
    # An erased supporter is an anonymous row kept for the counts: no one to list.
    return supporters_visible_to(user).filter(erased_at__isnull=True).order_by("pk")


def visible_supporter_ids(user: AnyUser, ids) -> set[int]:
    """Which of ``ids`` name supporters ``user`` may see: one query."""
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return set()
    return set(
        supporters_visible_to(user)
        .filter(pk__in=ids, erased_at__isnull=True)
        .values_list("pk", flat=True)
    )


def tags() -> QuerySet[Tag]:
    """Tags are names, not personal data: every token sees every tag."""
    return Tag.objects.order_by("pk")


def taggings_for(user: AnyUser, *, tag: Tag) -> QuerySet:
    """The (supporter, tag) rows of ``tag`` whose supporter ``user`` may see."""
    through = Supporter.tags.through
    return rows_of_visible_supporters(user, through.objects.filter(tag=tag)).order_by(
        "pk"
    )


def petitions_for(user: AnyUser) -> QuerySet[Petition]:
    """Public petitions (open or closed) for every token; national tokens see drafts."""
    qs = Petition.objects.all() if sees_everything(user) else Petition.objects.public()
    return qs.select_related("campaign").order_by("pk")


def signatures_for(user: AnyUser, *, petition: Petition) -> QuerySet[Signature]:
    """The petition's signatures whose signer ``user`` may see; ``signer_erased`` says
    the signer was erased (the signature stays, counted, with no person to link)."""
    return (
        rows_of_visible_supporters(user, Signature.objects.filter(petition=petition))
        .annotate(
            signer_erased=ExpressionWrapper(
                Q(supporter__erased_at__isnull=False), output_field=BooleanField()
            )
        )
        .order_by("pk")
    )


def advocacy_campaigns_for(user: AnyUser) -> QuerySet[AdvocacyCampaign]:
    """Every call and letter action (their words are public), with the count of their
    outreaches in the same query."""
    return (
        AdvocacyCampaign.objects.select_related("campaign")
        .annotate(outreach_count=Count("outreaches"))
        .order_by("pk")
    )


def outreaches_for(user: AnyUser, *, action: AdvocacyCampaign) -> QuerySet[Outreach]:
    """The action's outreaches credited to chapters ``user`` may see (the staff
    tallies' rule); the person behind each is shown only where visible too."""
    return visible_to(
        user,
        Outreach.objects.filter(advocacy_campaign=action).select_related("legislator"),
        chapter_path="chapter",
    ).order_by("pk")


def named_targets(action: AdvocacyCampaign) -> set[int] | None:
    """The legislators an action names, when it names them only (no own seats, no
    bill group); None when any current legislator may be one of its targets."""
    if (
        action.targets_own_us_senators
        or action.targets_own_us_representative
        or action.targets_own_state_senator
        or action.targets_own_state_representative
        or action.target_bill_id
    ):
        return None
    return set(action.target_legislators.values_list("pk", flat=True))


def messages_for(user: AnyUser) -> QuerySet[Alert]:
    return alerts_visible_to(user).select_related("chapter").order_by("pk")


def message_statistics(alert_ids: list[int]) -> dict[int, dict[str, int]]:
    """The counters of ``alerts.selectors.progress`` for several alerts in one grouped
    query (a list page costs one query however many alerts it shows)."""
    if not alert_ids:
        return {}
    rows = (
        AlertRecipient.objects.filter(alert_id__in=alert_ids)
        .values("alert_id")
        .annotate(
            **{
                name: Count("pk", filter=condition) if condition else Count("pk")
                for name, condition in PROGRESS_COUNTS.items()
            }
        )
    )
    empty = dict.fromkeys(PROGRESS_COUNTS, 0)
    stats = {pk: dict(empty) for pk in alert_ids}
    for row in rows:
        values: dict = dict(row)
        stats[values.pop("alert_id")] = values
    return stats
