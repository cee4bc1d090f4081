"""The reach dashboard's rollups, kept from the action tables.

Every figure of the dashboard but new supporters is read from three derived tables
(``reach.models``): ``DailyReach`` (actions per day, campaign, chapter and dimension),
``ReachPerson`` (the day each person was first reached, per scope) and
``AlertFunnel`` (one row per alert). Each is written by ``INSERT ... SELECT`` from an
ORM aggregate (one statement per kind and dimension, the same on SQLite and
PostgreSQL), never row by row in Python.

``refresh_recent`` recomputes the days from ``REACH_ROLLUP_RECENT_DAYS`` ago (beat,
every few minutes): the days whose actions are still being written or confirmed (a
double opt-in signature counts on the day it was signed, once confirmed), and the
funnels and opens of the alerts frozen up to ``ALERT_WINDOW_DAYS`` before. ``rebuild``
recomputes everything (beat, nightly, and the ``reach_rollups`` command), and first
compares the rollups with plain counts of the action tables (``check_exact``), so a
change the recent window could not see (an erasure, a late confirmation) is both
corrected and recorded. Both run in one transaction under a lock: the dashboard never
sees a half-written refresh, and two refreshes never add the same day twice.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import connection, transaction
from django.db.models import CharField, Count, F, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce, Concat, TruncDate
from django.utils import timezone

from advocacy.models import AdvocacyCampaign, Outreach
from alerts.models import Alert, AlertRecipient
from petitions.models import Signature

from .models import AlertFunnel, DailyReach, ReachPerson, RollupRun

logger = logging.getLogger(__name__)

Kind = DailyReach.Kind
Dim = DailyReach.Dimension

# Calls that reached someone (skipped ones are not contacts), letters that left or
# were copied to a contact form: the same rule as the delivery packets.
COUNTED_CALL = Q(kind=AdvocacyCampaign.Kind.CALL, outcome__gt="") & ~Q(
    outcome=Outreach.Outcome.SKIPPED
)
COUNTED_LETTER = Q(kind=AdvocacyCampaign.Kind.LETTER) & ~Q(
    delivery_status__in=[Outreach.Delivery.FAILED, Outreach.Delivery.NO_ROUTE]
)
LOCK_ID = 81_412  # the advisory lock of a refresh, on PostgreSQL
# A recent refresh also recounts the funnels (and the opens) of the alerts frozen this
# many days before its window: their late opens and clicks.
ALERT_WINDOW_DAYS = 30


def actions(kind: str) -> QuerySet:
    """The counted actions of ``kind``: confirmed signatures, calls that reached
    someone, letters that left."""
    if kind == Kind.SIGNATURE:
        return Signature.objects.filter(confirmed_at__isnull=False)
    if kind == Kind.CALL:
        return Outreach.objects.filter(COUNTED_CALL)
    if kind == Kind.LETTER:
        return Outreach.objects.filter(COUNTED_LETTER)
    raise ValueError(kind)


def _key(dimension: str, kind: str):
    if dimension == Dim.TOTAL:
        return Value("")
    if dimension == Dim.STATE:
        return F("state")
    if dimension == Dim.DISTRICT:
        return F("congressional_district")
    if dimension == Dim.CHANNEL:
        return F("channel")
    if dimension == Dim.REFERRAL:
        return F("referred_by_code")
    if dimension == Dim.UTM:
        return Concat(
            "utm_source", Value("|"), "utm_medium", Value("|"), "utm_campaign"
        )
    if dimension == Dim.TARGET:
        status = "outcome" if kind == Kind.CALL else "delivery_status"
        return Concat(
            Cast("legislator_id", output_field=CharField()),
            Value("|"),
            status,
            Value("|"),
            "state",
            Value("|"),
            "congressional_district",
            Value("|"),
            "state_upper_district",
            Value("|"),
            "state_lower_district",
        )
    raise ValueError(dimension)


def _nonempty(dimension: str) -> Q:
    """Rows without a value in ``dimension`` make no row of it (the total has them)."""
    field = {
        str(Dim.STATE): "state",
        Dim.DISTRICT: "congressional_district",
        Dim.CHANNEL: "channel",
        Dim.REFERRAL: "referred_by_code",
    }.get(dimension)
    if field:
        return Q(**{f"{field}__gt": ""})
    if dimension == Dim.UTM:
        return Q(utm_source__gt="") | Q(utm_medium__gt="") | Q(utm_campaign__gt="")
    return Q()


def dimensions_of(kind: str) -> list[str]:
    dims: list[str] = [
        Dim.TOTAL,
        Dim.STATE,
        Dim.DISTRICT,
        Dim.CHANNEL,
        Dim.UTM,
        Dim.REFERRAL,
    ]
    if kind in (Kind.CALL, Kind.LETTER):
        dims.append(Dim.TARGET)
    return dims


def _insert_select(table: str, columns: list[str], qs: QuerySet, suffix: str = ""):
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) {sql}{suffix}", params
        )
        return cursor.rowcount


def start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _daily_rows(kind: str, dimension: str, since: dt.date | None) -> int:
    qs = actions(kind).filter(_nonempty(dimension))
    if since is not None:
        qs = qs.filter(created_at__gte=start_of(since))
    qs = (
        qs.annotate(
            r_day=TruncDate("created_at"),
            r_kind=Value(kind),
            r_dim=Value(dimension),
            r_key=_key(dimension, kind),
        )
        .values("r_day", "r_kind", "r_dim", "r_key", "campaign_id", "chapter_id")
        .annotate(r_count=Count("pk"))
        .order_by()
    )
    return _insert_select(
        DailyReach._meta.db_table,
        ["day", "kind", "dimension", "key", "campaign_id", "chapter_id", "count"],
        qs,
    )


def _anonymous_rows(since: dt.date | None) -> int:
    """Calls and letters without a supporter: each session is one person."""
    base = Outreach.objects.filter(
        COUNTED_CALL | COUNTED_LETTER, supporter__isnull=True
    )
    if since is not None:
        base = base.filter(created_at__gte=start_of(since))
    qs = (
        base.annotate(
            r_day=TruncDate("created_at"),
            r_kind=Value(Kind.ANONYMOUS),
            r_dim=Value(Dim.TOTAL),
            r_key=Value(""),
        )
        .values("r_day", "r_kind", "r_dim", "r_key", "campaign_id", "chapter_id")
        .annotate(r_count=Count("session", distinct=True))
        .order_by()
    )
    return _insert_select(
        DailyReach._meta.db_table,
        ["day", "kind", "dimension", "key", "campaign_id", "chapter_id", "count"],
        qs,
    )


def person_sources(since: dt.date | None) -> list[QuerySet]:
    """``(supporter_id, campaign, chapter, day)`` of every contact with a known
    person: signatures, counted calls and letters, alerts opened, clicked or acted on
    (dated by the first of these)."""
    start = start_of(since) if since is not None else None
    signatures = actions(Kind.SIGNATURE)
    outreaches = Outreach.objects.filter(
        COUNTED_CALL | COUNTED_LETTER, supporter__isnull=False
    )
    if start is not None:
        signatures = signatures.filter(created_at__gte=start)
        outreaches = outreaches.filter(created_at__gte=start)
    engaged = Coalesce("opened_at", "clicked_at", "acted_at")
    recipients = AlertRecipient.objects.filter(
        Q(opened_at__isnull=False)
        | Q(clicked_at__isnull=False)
        | Q(acted_at__isnull=False),
        supporter__isnull=False,
    ).annotate(
        engaged_at=engaged,
        campaign_id=F("alert__campaign_id"),
        chapter_id=F("alert__chapter_id"),
    )
    if start is not None:
        # Opens come in the days after an alert goes out: the alerts of the last
        # ALERT_WINDOW_DAYS before ``since`` are read (by their index), older ones
        # nightly.
        recipients = recipients.filter(
            alert__frozen_at__gte=start - dt.timedelta(days=ALERT_WINDOW_DAYS),
            engaged_at__gte=start,
        )
    return [
        signatures.annotate(engaged_at=F("created_at")),
        outreaches.annotate(engaged_at=F("created_at")),
        recipients,
    ]


def _person_rows(since: dt.date | None) -> None:
    table = ReachPerson._meta.db_table
    least = "LEAST" if connection.vendor == "postgresql" else "MIN"
    suffix = (
        " ON CONFLICT (supporter_id, campaign_key, chapter_key) DO UPDATE SET "
        f"first_day = {least}({table}.first_day, excluded.first_day)"
    )
    for source in person_sources(since):
        for scoped in (True, False):
            campaign = (
                Coalesce("campaign_id", Value(ReachPerson.NONE))
                if scoped
                else Value(ReachPerson.ALL)
            )
            chapter = (
                Coalesce("chapter_id", Value(ReachPerson.NONE))
                if scoped
                else Value(ReachPerson.ALL)
            )
            qs = (
                source.annotate(
                    r_campaign=campaign,
                    r_chapter=chapter,
                    r_day=TruncDate("engaged_at"),
                )
                .values("supporter_id", "r_campaign", "r_chapter")
                .annotate(r_first=Min("r_day"))
                .order_by()
            )
            _insert_select(
                table,
                ["supporter_id", "campaign_key", "chapter_key", "first_day"],
                qs,
                suffix,
            )


def _funnel_rows(since: dt.date | None) -> int:
    alerts = Alert.objects.filter(frozen_at__isnull=False)
    if since is not None:
        alerts = alerts.filter(
            Q(frozen_at__gte=start_of(since) - dt.timedelta(days=ALERT_WINDOW_DAYS))
            | Q(status__in=[Alert.Status.SENDING, Alert.Status.PAUSED])
        )
        AlertFunnel.objects.filter(alert_id__in=alerts.values("pk")).delete()
    else:
        AlertFunnel.objects.all().delete()
    qs = (
        AlertRecipient.objects.filter(alert__in=alerts)
        .annotate(
            r_day=TruncDate("alert__frozen_at"),
            r_campaign=F("alert__campaign_id"),
            r_chapter=F("alert__chapter_id"),
        )
        .values("alert_id", "r_day", "r_campaign", "r_chapter")
        .annotate(
            recipients=Count("pk"),
            sent=Count("pk", filter=Q(sent_at__isnull=False)),
            delivered=Count("pk", filter=Q(delivered_at__isnull=False)),
            opened=Count("pk", filter=Q(opened_at__isnull=False)),
            clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
            acted=Count("pk", filter=Q(acted_at__isnull=False)),
            unsubscribed=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
            bounced=Count("pk", filter=Q(bounced_at__isnull=False)),
        )
        .order_by()
    )
    return _insert_select(
        AlertFunnel._meta.db_table,
        ["alert_id", "day", "campaign_id", "chapter_id", "recipients",
         *AlertFunnel.STAGES],
        qs,
    )  # fmt: skip


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_ID])


def _recompute(since: dt.date | None) -> None:
    daily = DailyReach.objects.all()
    people = ReachPerson.objects.all()
    if since is not None:
        daily = daily.filter(day__gte=since)
        # A person first reached before ``since`` keeps that day; one first reached
        # since is recomputed (their later contacts may be gone).
        people = people.filter(first_day__gte=since)
    daily._raw_delete(daily.db)
    people._raw_delete(people.db)
    for kind in (Kind.SIGNATURE, Kind.CALL, Kind.LETTER):
        for dimension in dimensions_of(kind):
            _daily_rows(kind, dimension, since)
    _anonymous_rows(since)
    _person_rows(since)
    _funnel_rows(since)


def refresh_recent(*, days: int | None = None) -> RollupRun:
    """Recompute the rollups of the last ``days`` days (``REACH_ROLLUP_RECENT_DAYS``).
    Safe to repeat and to run beside another refresh (they take turns)."""
    days = settings.REACH_ROLLUP_RECENT_DAYS if days is None else days
    since = timezone.localdate() - dt.timedelta(days=days)
    run = RollupRun(started_at=timezone.now(), since=since)
    with transaction.atomic():
        _lock()
        _recompute(since)
        run.finished_at = timezone.now()
        run.save()
    logger.info("reach rollups refreshed since=%s", since)
    return run


def rebuild(*, check: bool = True) -> RollupRun:
    """Recompute every rollup from the action tables; with ``check``, first record
    what the rollups got wrong (``check_exact``; not before the first refresh). Safe
    to repeat."""
    run = RollupRun(started_at=timezone.now(), is_full=True)
    with transaction.atomic():
        _lock()
        # Before the first refresh there is nothing to check.
        if check and RollupRun.objects.exists():
            run.mismatches = check_exact()
        _recompute(None)
        run.finished_at = timezone.now()
        run.save()
    if run.mismatches:
        logger.warning("reach rollups differed from the counts: %s", run.mismatches)
    return run


def check_exact() -> dict[str, list[int]]:
    """Compare the rollups with plain counts of the action tables: each kind's total,
    the people reached, each funnel stage. ``{name: [rollup, counted]}`` for each that
    differs; empty when the rollups are exact."""
    found: dict[str, list[int]] = {}

    def compare(name: str, rolled: int | None, counted: int) -> None:
        if (rolled or 0) != counted:
            found[name] = [rolled or 0, counted]

    totals = dict(
        DailyReach.objects.filter(dimension=Dim.TOTAL)
        .values_list("kind")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for kind in (Kind.SIGNATURE, Kind.CALL, Kind.LETTER):
        compare(kind, totals.get(kind), actions(kind).count())
    compare(
        Kind.ANONYMOUS,
        totals.get(Kind.ANONYMOUS),
        sum(
            row["n"]
            for row in Outreach.objects.filter(
                COUNTED_CALL | COUNTED_LETTER, supporter__isnull=True
            )
            .annotate(day=TruncDate("created_at"))
            .values("day", "campaign_id", "chapter_id")
            .annotate(n=Count("session", distinct=True))
            .order_by()
        ),
    )
    ids: set[int] = set()
    for source in person_sources(None):
        ids.update(source.values_list("supporter_id", flat=True).distinct())
    compare(
        "people",
        ReachPerson.objects.filter(
            campaign_key=ReachPerson.ALL, chapter_key=ReachPerson.ALL
        ).count(),
        len(ids),
    )
    funnel = AlertFunnel.objects.aggregate(
        **{stage: Sum(stage) for stage in AlertFunnel.STAGES}
    )
    counted = AlertRecipient.objects.filter(alert__frozen_at__isnull=False).aggregate(
        **{
            stage: Count("pk", filter=Q(**{f"{column}__isnull": False}))
            for stage, column in FUNNEL_COLUMNS.items()
        }
    )
    for stage in AlertFunnel.STAGES:
        compare(f"alerts.{stage}", funnel[stage], counted[stage])
    return found


FUNNEL_COLUMNS = {
    "sent": "sent_at",
    "delivered": "delivered_at",
    "opened": "opened_at",
    "clicked": "clicked_at",
    "acted": "acted_at",
    "unsubscribed": "unsubscribed_at",
    "bounced": "bounced_at",
}


def last_run() -> RollupRun | None:
    """The newest finished refresh (the dashboard's "figures as of")."""
    return RollupRun.objects.filter(finished_at__isnull=False).first()
