"""Reach dashboard benchmark (issue #12): seed PostgreSQL with supporters, signatures,
calls and letters and alert email events by ``INSERT ... SELECT generate_series``
(indexes and constraints dropped during the load, rebuilt after), build the rollups,
then time every dashboard query cold and warm, and the whole page, for national staff
and for one chapter's leader. The figures are checked against plain COUNTs of the
action tables in the same run.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/harbor_reach_bench \\
        .venv/bin/python bench/bench_reach.py --scale 1.0

Scale 1.0: 1,000,000 supporters, 5,000,000 signatures, 1,000,000 calls and letters,
4,000,000 alert recipients carrying about 10,000,000 email events (sent, delivered,
opened, clicked, acted, unsubscribed, bounced timestamps). The database is dropped and
created again. "Cold" is the first run of each query on a new connection after the
load and ``ANALYZE`` (PostgreSQL's shared buffers and the OS cache cannot be flushed
without restarting the server, which a benchmark on a shared machine may not do);
"warm" the median of three further runs.
"""

# The SQL here is built from the script's own constants and ids, never from input.
# ruff: noqa: S608

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STATES = [
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "DC",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
]
DAYS = 365
BIG_TABLES = (
    "supporters_supporter",
    "supporters_chaptermembership",
    "petitions_signature",
    "advocacy_outreach",
    "alerts_alertrecipient",
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    assert name.startswith("harbor_reach"), "only a harbor_reach* database"
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup() -> None:
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("SITE_URL", "http://bench.invalid")
    os.environ.setdefault("HARBOR_POSTAL_ADDRESS", "1 Bench St")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harbor.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def sql(statement: str, params=None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def scalar(statement: str, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone()[0]


def insert_series(table: str, n: int, values: dict[str, str]) -> None:
    """``INSERT INTO table SELECT ... FROM generate_series(1, n) g``: the given column
    expressions, and for every other NOT NULL column its type's empty value."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
            "WHERE table_name = %s AND column_name <> 'id' ORDER BY ordinal_position",
            [table],
        )
        columns = cursor.fetchall()
    empty = {"boolean": "false", "text": "''", "character varying": "''",
             "timestamp with time zone": "now()", "bigint": "0", "integer": "0",
             "jsonb": "'{}'::jsonb"}  # fmt: skip
    names, exprs = [], []
    for name, data_type, nullable in columns:
        if name in values:
            names.append(name)
            exprs.append(values[name])
        elif nullable == "NO":
            names.append(name)
            exprs.append(empty[data_type])
    sql(
        f"INSERT INTO {table} ({', '.join(names)}) "
        f"SELECT {', '.join(exprs)} FROM generate_series(1, {n}) AS g"
    )


def drop_indexes() -> list[str]:
    """Drop the big tables' secondary indexes, unique and foreign-key constraints;
    return the statements that recreate them."""
    restore: list[str] = []
    for table in BIG_TABLES:
        for name, definition in _rows(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f', 'c')",
            [table],
        ):
            sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for name, definition in _rows(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint "
            "WHERE contype = 'p')",
            [table],
        ):
            sql(f'DROP INDEX "{name}"')
            restore.insert(0, definition)
    return restore


def _rows(statement: str, params) -> list:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def seed(scale: float) -> dict:
    """Reference rows through the ORM (a few hundred), the action tables in bulk."""
    from accounts.models import Chapter
    from advocacy.models import AdvocacyCampaign
    from alerts.models import Alert
    from campaigns.models import Campaign, CampaignBill
    from legislators.models import Bill, BillAction, Legislator, Sponsorship
    from petitions.models import Petition

    supporters = int(1_000_000 * scale)
    signatures = 5 * supporters
    outreaches = int(1_000_000 * scale)
    alerts = 20
    per_alert = int(200_000 * scale)
    chapters = [
        Chapter.objects.create(
            name=f"Chapter {s}", slug=s.lower(), kind="state", state=s
        )
        for s in STATES
    ]
    campaigns = [
        Campaign.objects.create(title=f"Campaign {i}", slug=f"campaign-{i}", status="live")
        for i in range(10)
    ]  # fmt: skip
    petitions = [
        Petition.objects.create(campaign=c, title=c.title, slug=c.slug, status="open")
        for c in campaigns
    ]
    actions = []
    for c in campaigns:
        actions.append(
            AdvocacyCampaign.objects.create(campaign=c, kind="call", script="x")
        )
        actions.append(
            AdvocacyCampaign.objects.create(campaign=c, kind="letter", script="x")
        )
    legislators = [
        Legislator.objects.create(
            bioguide_id=f"B{i:06d}", name=f"Member {i}", last_name=f"M{i}",
            chamber="us_house", state=STATES[i % len(STATES)],
            district=str(i // len(STATES) + 1),
        )
        for i in range(len(STATES) * 8)
    ]  # fmt: skip
    bill = Bill.objects.create(
        jurisdiction="US", session="119", identifier="H.R. 1", title="TVPRA"
    )
    CampaignBill.objects.create(campaign=campaigns[0], bill=bill)
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    for i in range(40):
        BillAction.objects.create(
            bill=bill,
            date=today - dt.timedelta(days=9 * i),
            text=f"Action {i}",
            order=i,
        )
    for i, leg in enumerate(legislators[:100]):
        Sponsorship.objects.create(bill=bill, legislator=leg, name=leg.name, kind="cosponsor",
                                   sponsored_on=today - dt.timedelta(days=3 * i))  # fmt: skip
    alert_rows = [
        Alert.objects.create(
            chapter=chapters[i], campaign=campaigns[i % 10], subject=f"Alert {i}", body="x",
            from_name="H", from_email="h@example.org", status="sent",
            frozen_at=timezone.now() - dt.timedelta(days=15 * i),
        )
        for i in range(alerts)
    ]  # fmt: skip
    state_array = "(ARRAY[" + ",".join(f"'{s}'" for s in STATES) + "])"
    chapter_array = "(ARRAY[" + ",".join(str(c.pk) for c in chapters) + "]::bigint[])"
    campaign_array = "(ARRAY[" + ",".join(str(c.pk) for c in campaigns) + "]::bigint[])"
    petition_array = "(ARRAY[" + ",".join(str(p.pk) for p in petitions) + "]::bigint[])"
    action_array = "(ARRAY[" + ",".join(str(a.pk) for a in actions) + "]::bigint[])"
    leg_array = (
        "(ARRAY[" + ",".join(str(leg.pk) for leg in legislators) + "]::bigint[])"
    )
    alert_array = "(ARRAY[" + ",".join(str(a.pk) for a in alert_rows) + "]::bigint[])"
    code_array = "(ARRAY[" + ",".join(f"'{a.source_code}'" for a in alert_rows) + "])"
    n_states = len(STATES)
    spread = f"now() - ((g::bigint * 7919) % {DAYS * 86400}) * interval '1 second'"

    restore = drop_indexes()
    started = time.perf_counter()
    first_id = scalar("SELECT COALESCE(MAX(id), 0) FROM supporters_supporter") + 1
    # Supporter g lives in state g % 51 (its chapter), district 1-8 of it.
    place = f"{state_array}[(g % {n_states}) + 1]"
    district = f"{place} || '-' || lpad(((g / {n_states}) % 8 + 1)::text, 2, '0')"
    insert_series("supporters_supporter", supporters, {
        "created_at": spread, "updated_at": "now()", "email": "'p' || g || '@example.org'",
        "first_name": "'P' || g", "state": place, "congressional_district": district,
        "email_opt_in": "true",
    })  # fmt: skip
    log(f"supporters {supporters:,}")
    sql(
        "INSERT INTO supporters_chaptermembership (created_at, updated_at, chapter_id, "
        f"supporter_id) SELECT now(), now(), {chapter_array}[((id - {first_id}) % "
        f"{n_states}) + 1], id FROM supporters_supporter"
    )
    log("memberships")
    # Signature g: supporter s = g % N, its k-th petition (k = g / N, five each).
    s = f"(g % {supporters})"
    k = f"((g - 1) / {supporters})"
    petition_index = f"(({s} + {k} * 2) % 10) + 1"
    insert_series("petitions_signature", signatures, {
        "supporter_id": f"{s} + {first_id}",
        "petition_id": f"{petition_array}[{petition_index}]",
        "campaign_id": f"{campaign_array}[{petition_index}]",
        "chapter_id": f"{chapter_array}[({s} % {n_states}) + 1]",
        "state": f"{state_array}[({s} % {n_states}) + 1]",
        "congressional_district": f"{state_array}[({s} % {n_states}) + 1] || '-' || "
                                  f"lpad((({s} / {n_states}) % 8 + 1)::text, 2, '0')",
        "created_at": spread,
        "confirmed_at": f"CASE WHEN g % 20 = 0 THEN NULL ELSE {spread} END",
        "referral_code": "'r' || g",
        "referred_by_code": f"CASE WHEN g % 10 = 1 THEN 'r' || (g % 5000 + 1) "
                            f"WHEN g % 20 = 2 THEN {code_array}[(g % {alerts}) + 1] "
                            "ELSE '' END",
        "utm_source": "(ARRAY['', '', 'facebook', 'newsletter', 'x'])[(g % 5) + 1]",
        "channel": "(ARRAY['page', 'widget', 'email', 'api'])[(g % 4) + 1]",
    })  # fmt: skip
    log(f"signatures {signatures:,}")
    # Outreach g: campaign c's call (80%) or letter; 60% anonymous.
    c = "(g % 10)"
    is_call = "(g % 5 <> 0)"
    supporter_of = f"CASE WHEN g % 5 IN (1, 2, 3) THEN NULL ELSE (g % {supporters}) + {first_id} END"
    insert_series("advocacy_outreach", outreaches, {
        "advocacy_campaign_id": f"{action_array}[{c} * 2 + CASE WHEN {is_call} THEN 1 ELSE 2 END]",
        "campaign_id": f"{campaign_array}[{c} + 1]",
        "kind": f"CASE WHEN {is_call} THEN 'call' ELSE 'letter' END",
        "legislator_id": f"{leg_array}[(g % {len(legislators)}) + 1]",
        "supporter_id": supporter_of,
        "chapter_id": f"{chapter_array}[((g % {len(legislators)}) % {n_states}) + 1]",
        "state": f"{state_array}[((g % {len(legislators)}) % {n_states}) + 1]",
        "congressional_district": f"{state_array}[((g % {len(legislators)}) % {n_states}) + 1]"
                                  f" || '-' || lpad(((g % {len(legislators)}) / {n_states} + 1)::text, 2, '0')",
        "session": "md5(g::text)::uuid",
        "method": f"CASE WHEN {is_call} THEN 'click_to_call' ELSE 'email' END",
        "outcome": f"CASE WHEN {is_call} THEN (ARRAY['talked_to_staff', 'left_voicemail', "
                   "'busy_or_no_answer', 'voicemail_full', 'skipped'])[(g % 7) % 5 + 1] ELSE '' END",
        "delivery_status": f"CASE WHEN {is_call} THEN '' ELSE (ARRAY['sent', 'delivered', "
                           "'failed', 'no_route', 'copied_to_contact_form'])[(g % 11) % 5 + 1] END",
        "created_at": spread,
    })  # fmt: skip
    log(f"outreaches {outreaches:,}")
    # Recipient g: alert a = g / per_alert, a distinct supporter per alert.
    a = f"((g - 1) / {per_alert})"
    sent = f"(now() - {a} * 15 * interval '1 day')"  # the alert's frozen_at
    insert_series("alerts_alertrecipient", alerts * per_alert, {
        "alert_id": f"{alert_array}[{a} + 1]",
        "supporter_id": f"((g - 1) % {per_alert}) * 5 + {a} % 5 + {first_id}",
        "email": "'p' || g || '@example.org'",
        "status": "'sent'",
        "sent_at": f"{sent}",
        "delivered_at": f"CASE WHEN g % 50 <> 0 THEN {sent} END",
        "opened_at": f"CASE WHEN g % 5 IN (0, 1) THEN {sent} + interval '1 hour' END",
        "clicked_at": f"CASE WHEN g % 10 = 1 THEN {sent} + interval '2 hours' END",
        "acted_at": f"CASE WHEN g % 20 = 1 THEN {sent} + interval '3 hours' END",
        "unsubscribed_at": f"CASE WHEN g % 200 = 7 THEN {sent} + interval '1 day' END",
        "bounced_at": f"CASE WHEN g % 50 = 0 THEN {sent} END",
    })  # fmt: skip
    log(f"alert recipients {alerts * per_alert:,}")
    load = time.perf_counter() - started
    started = time.perf_counter()
    for statement in restore:
        sql(statement)
    indexes = time.perf_counter() - started
    log(f"indexes and constraints rebuilt in {indexes:.0f} s")
    sql("ANALYZE")
    events = scalar(
        "SELECT count(sent_at) + count(delivered_at) + count(opened_at) + "
        "count(clicked_at) + count(acted_at) + count(unsubscribed_at) + "
        "count(bounced_at) FROM alerts_alertrecipient"
    )
    return {"supporters": supporters, "signatures": signatures,
            "outreaches": outreaches, "recipients": alerts * per_alert,
            "events": events, "load_s": load, "index_s": indexes,
            "chapter": chapters[STATES.index("TX")], "campaign": campaigns[0]}  # fmt: skip


def plain_counts(filters, chapter=None) -> dict:
    """The same figures by plain COUNTs over the action tables (no rollup)."""
    import datetime as dt

    from reach.rollups import start_of

    start, end = start_of(filters.start), start_of(filters.end + dt.timedelta(days=1))
    where_chapter = f"AND chapter_id = {chapter.pk}" if chapter else ""
    counted_call = "kind = 'call' AND outcome <> '' AND outcome <> 'skipped'"
    counted_letter = "kind = 'letter' AND delivery_status NOT IN ('failed', 'no_route')"
    p = [start, end]
    out = {
        "signature": scalar(
            "SELECT count(*) FROM petitions_signature WHERE confirmed_at IS NOT NULL "
            f"AND created_at >= %s AND created_at < %s {where_chapter}", p),
        "call": scalar(
            f"SELECT count(*) FROM advocacy_outreach WHERE {counted_call} "
            f"AND created_at >= %s AND created_at < %s {where_chapter}", p),
        "letter": scalar(
            f"SELECT count(*) FROM advocacy_outreach WHERE {counted_letter} "
            f"AND created_at >= %s AND created_at < %s {where_chapter}", p),
        "supporters": scalar(
            "SELECT count(*) FROM supporters_supporter s WHERE created_at >= %s AND "
            "created_at < %s" + (
                f" AND EXISTS (SELECT 1 FROM supporters_chaptermembership m WHERE "
                f"m.supporter_id = s.id AND m.chapter_id = {chapter.pk})" if chapter else ""
            ), p),
    }  # fmt: skip
    alert_chapter = f"AND a.chapter_id = {chapter.pk}" if chapter else ""
    # A person counts in the range when first reached in it (across all time).
    out["people"] = scalar(
        f"""SELECT count(*) FROM (SELECT supporter_id, min(day) AS first FROM (
            SELECT supporter_id, created_at AS day FROM petitions_signature
              WHERE confirmed_at IS NOT NULL {where_chapter}
            UNION ALL SELECT supporter_id, created_at FROM advocacy_outreach
              WHERE supporter_id IS NOT NULL AND (({counted_call}) OR ({counted_letter}))
              {where_chapter}
            UNION ALL SELECT r.supporter_id, COALESCE(r.opened_at, r.clicked_at, r.acted_at)
              FROM alerts_alertrecipient r JOIN alerts_alert a ON a.id = r.alert_id
              WHERE r.supporter_id IS NOT NULL AND COALESCE(r.opened_at, r.clicked_at,
              r.acted_at) IS NOT NULL {alert_chapter}) AS contacts
          GROUP BY supporter_id) AS people WHERE first >= %s AND first < %s""",
        p,
    ) + scalar(
        f"""SELECT count(*) FROM (SELECT DISTINCT (created_at AT TIME ZONE %s)::date,
            campaign_id, chapter_id, session FROM advocacy_outreach
            WHERE supporter_id IS NULL AND (({counted_call}) OR ({counted_letter}))
            AND created_at >= %s AND created_at < %s {where_chapter}) AS sessions""",
        [os.environ.get("TIME_ZONE", _tz()), *p],
    )
    out["actions"] = out["signature"] + out["call"] + out["letter"]
    out["opened"] = scalar(
        "SELECT count(r.opened_at) FROM alerts_alertrecipient r JOIN alerts_alert a "
        f"ON a.id = r.alert_id WHERE a.frozen_at >= %s AND a.frozen_at < %s {alert_chapter}",
        p,
    )
    return out


def _tz() -> str:
    from django.conf import settings

    return settings.TIME_ZONE


def timed_dashboard(user, filters) -> tuple[float, list[tuple[float, str]], object]:
    """Run the dashboard once; its wall time, each query's time and SQL, the board."""
    from django.db import connection

    from reach import dashboard

    queries: list[tuple[float, str]] = []

    def wrapper(execute, statement, params, many, context):
        began = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            queries.append((time.perf_counter() - began, statement))

    began = time.perf_counter()
    with connection.execute_wrapper(wrapper):
        board = dashboard.dashboard(user, filters)
        dashboard.chart_data(board)
    return time.perf_counter() - began, queries, board


def page_time(client, params) -> float:
    began = time.perf_counter()
    response = client.get("/staff/reach/", params)
    assert response.status_code == 200, response.status_code
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Time the dashboard on the database and rollups a previous run left.",
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a harbor_reach* PostgreSQL database.")
    if not args.reuse:
        recreate_database(url)
    setup()
    import datetime as dt

    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from accounts.models import Chapter, Role
    from campaigns.models import Campaign
    from reach import dashboard, rollups
    from reach.models import RollupRun
    from tests.accounts.factories import make_leader, make_user

    if args.reuse:
        seeded = {"chapter": Chapter.objects.get(slug="tx"),
                  "campaign": Campaign.objects.get(slug="campaign-0")}  # fmt: skip
        run = RollupRun.objects.filter(finished_at__isnull=False).first()
        log(f"reusing the database; rollups of {run.finished_at if run else None}")
    else:
        began = time.perf_counter()
        seeded = seed(args.scale)
        log(f"seeded in {time.perf_counter() - began:.0f} s: {seeded}")
        began = time.perf_counter()
        slow: list[tuple[float, str]] = []

        def note_slow(execute, statement, params, many, context):
            t0 = time.perf_counter()
            try:
                return execute(statement, params, many, context)
            finally:
                slow.append((time.perf_counter() - t0, statement))

        with connection.execute_wrapper(note_slow):
            rollups.rebuild(check=False)
        for seconds, statement in sorted(slow, reverse=True)[:8]:
            log(f"   rebuild {seconds:6.1f} s  {statement[:120]}")
        rebuild_s = time.perf_counter() - began
        log(f"rollups built in {rebuild_s:.0f} s")
        began = time.perf_counter()
        rollups.refresh_recent()
        refresh_s = time.perf_counter() - began
        log(f"recent refresh in {refresh_s:.1f} s")
    sql("ANALYZE")
    from accounts.models import User

    User.objects.filter(email__startswith="bench-").delete()
    staff = make_user("bench-staff@example.org", role=Role.STAFF)
    leader = make_leader(seeded["chapter"], email="bench-leader@example.org")
    today = timezone.localdate()
    year = dashboard.Filters(start=today - dt.timedelta(days=DAYS), end=today)
    quarter = dashboard.Filters(start=today - dt.timedelta(days=89), end=today)
    cases = [
        ("national, a year", staff, year, None),
        ("national, 90 days, one campaign", staff,
         dashboard.Filters(start=quarter.start, end=today, campaign=seeded["campaign"]), None),
        ("TX leader, a year", leader, year, seeded["chapter"]),
    ]  # fmt: skip
    results = []
    for name, user, filters, chapter in cases:
        connection.close()  # a new connection: no cached plans
        cold, cold_queries, board = timed_dashboard(user, filters)
        warm_runs = [timed_dashboard(user, filters) for _ in range(3)]
        warm = statistics.median(run[0] for run in warm_runs)
        cold_by_sql: dict[str, float] = {}
        for seconds, statement in cold_queries:
            cold_by_sql.setdefault(statement, seconds)
        warm_queries = [
            (statistics.median(run[1][i][0] for run in warm_runs), statement)
            for i, (_, statement) in enumerate(warm_runs[0][1])
        ]
        began = time.perf_counter()
        expected = plain_counts(filters, chapter) if filters.campaign is None else None
        baseline = time.perf_counter() - began
        got = {**board.totals, "people": board.people,
               "opened": sum(f["opened"] for f in board.funnels)}  # fmt: skip
        if expected is not None and len(board.funnels) < dashboard.TOP:
            exact = all(got[k] == expected[k] for k in expected)
        elif expected is not None:
            exact = all(got[k] == expected[k] for k in expected if k != "opened")
        else:
            exact = None
        results.append((name, cold, warm, cold_queries, warm_queries, exact,
                        expected, got, baseline))  # fmt: skip
        log(f"{name}: cold {cold * 1000:.0f} ms, warm {warm * 1000:.0f} ms, "
            f"{len(cold_queries)} queries, exact={exact} "
            f"(plain COUNTs {baseline * 1000:.0f} ms)")  # fmt: skip
        for q_warm, statement in warm_queries:
            q_cold = cold_by_sql.get(statement, 0.0)
            log(f"   {q_cold * 1000:7.1f} / {q_warm * 1000:7.1f} ms  {statement[:110]}")
        if expected is not None:
            log(f"   dashboard {got}")
            log(f"   counted   {expected}")
    client = Client()
    client.force_login(staff)
    connection.close()
    page_cold = page_time(client, {})
    page_warm = statistics.median(page_time(client, {}) for _ in range(3))
    page_campaign = statistics.median(
        page_time(client, {"campaign": seeded["campaign"].slug}) for _ in range(3)
    )
    log(f"page (national, 90 days): cold {page_cold * 1000:.0f} ms, warm "
        f"{page_warm * 1000:.0f} ms; one campaign warm {page_campaign * 1000:.0f} ms")  # fmt: skip
    slowest = max(max(q[0] for q in r[4]) for r in results)
    slowest_cold = max(max(q[0] for q in r[3]) for r in results)
    log(
        f"slowest query: cold {slowest_cold * 1000:.0f} ms, warm {slowest * 1000:.0f} ms"
    )
    rows = scalar("SELECT count(*) FROM reach_dailyreach")
    people_rows = scalar("SELECT count(*) FROM reach_reachperson")
    log(f"rollup rows: daily {rows:,}, people {people_rows:,}")


if __name__ == "__main__":
    main()
