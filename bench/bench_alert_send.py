"""One action alert to a million recipients, end to end, with real Celery workers.

Needs PostgreSQL and Redis on 127.0.0.1. It drops and recreates its own database
``harbor_bench`` (``BENCH_DB``), migrates it, uses Redis databases 1 (Celery broker) and
3 (cache) (``--broker-db``, ``--cache-db``) and flushes both before and after. Then:

1. writes N opted-in supporters of one chapter (COPY), a leader, and a draft alert whose
   body has the merge fields (first name, the recipient's legislators, the action link);
2. starts a loopback fake Resend (tests/fake_esp.py: ``/emails/batch``, Idempotency-Key)
   and ``--workers`` real ``celery worker`` processes (solo pool each) sending through
   anymail's real Resend backend (Harbor's batch subclass) to it;
3. "send": ``alerts.sending.start_sending`` (freeze into N recipient rows, cut chunks of
   Resend's 100, enqueue on the bulk queue), then waits for the last batch accepted;
4. the baseline in the same run: reading the N recipient ids from the database;
5. checks that the fake accepted exactly one message per recipient, and reports messages
   handed to the ESP per second, the end-to-end time from "send" to the last batch
   accepted (and the freeze's share), each worker's peak RSS, and the ratio to the
   baseline. Rewrites the ``## Alert send`` section of RESULTS.md (``--no-write`` not).

    .venv/bin/python bench/bench_alert_send.py --recipients 1000000      # ≤ --timeout s

Never part of the test suite. Exit status 1 if the exactly-once check fails; the targets
(a million in under 5 minutes, under 300 MB per worker) are reported, not enforced.
"""

import argparse
import datetime as dt
import json
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = os.environ.get("BENCH_PG", "postgres://postgres:postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "harbor_bench")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")
BODY = (
    "Hello {{ first_name }},\n\n"
    "The Safe Harbor bill is up for a vote this week. Call your legislators today:\n\n"
    "{{ legislators }}\n\n"
    "Then tell us you called: [I called]({{ action_link }})\n\n"
    "Thank you for standing up for every child.\n"
)


def bench_env(args) -> dict:
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    return {
        "SECRET_KEY": "bench-only-" + "x" * 40,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": "http://127.0.0.1",
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "REDIS_URL": f"{REDIS}/{args.cache_db}",
        "CELERY_BROKER_URL": f"{REDIS}/{args.broker_db}",
        "HARBOR_VAR_DIR": str(out / "var"),
        "HARBOR_TESTING": "0",
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "harbor.mail_backends.ResendBatchBackend",
        "RESEND_API_KEY": "re_bench",
        "HARBOR_POSTAL_ADDRESS": "Harbor Network, PO Box 123, Austin, TX 78701",
    }


def reset_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def flush_redis(args) -> None:
    import redis

    for db in (args.broker_db, args.cache_db):
        redis.Redis.from_url(f"{REDIS}/{db}").flushdb()


def _copy_rows(model, columns: list[str], rows) -> None:
    """COPY ``rows`` (tuples in ``columns`` order) into ``model``'s table."""
    from django.db import connection

    table = model._meta.db_table
    names = ", ".join(f'"{c}"' for c in columns)
    sql = f'COPY "{table}" ({names}) FROM STDIN'
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _defaults(model) -> dict:
    """Every concrete column's default as the database stores it (COPY sets all)."""
    from django.db import connection

    blank = model()
    return {
        f.column: f.get_db_prep_save(getattr(blank, f.attname), connection)
        for f in model._meta.concrete_fields
        if not f.primary_key
    }


def make_data(count: int):
    from django.utils import timezone

    from accounts.models import Chapter
    from alerts.models import Alert
    from supporters.models import ChapterMembership, Supporter
    from tests.accounts.factories import make_leader

    chapter = Chapter.objects.create(
        name="Texas", slug="texas", kind=Chapter.Kind.STATE, state="TX"
    )
    leader = make_leader(chapter, email="leader@bench.example")
    now = timezone.now()
    names = ["Ana", "James", "Mary-Kate", "Nguyễn", "Christopher", "Li", "Maryam"]
    base = _defaults(Supporter) | {
        "created_at": now,
        "updated_at": now,
        "email_opt_in": True,
        "opt_in_at": now,
        "state": "TX",
        "zip_code": "78701",
    }
    columns = list(base)

    def supporters():
        for i in range(count):
            row = base | {
                "email": f"s{i}@bench.example",
                "first_name": names[i % len(names)],
                "congressional_district": f"TX-{i % 38 + 1:02d}",
            }
            yield tuple(row[c] for c in columns)

    _copy_rows(Supporter, columns, supporters())
    first = Supporter.objects.order_by("pk").values_list("pk", flat=True).first()
    last = Supporter.objects.order_by("-pk").values_list("pk", flat=True).first()
    mcols = ["created_at", "updated_at", "chapter_id", "supporter_id"]
    _copy_rows(
        ChapterMembership,
        mcols,
        ((now, now, chapter.pk, pk) for pk in range(first, last + 1)),
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return Alert.objects.create(
        chapter=chapter,
        subject="{{ first_name }}, call your legislators today",
        preheader="The Safe Harbor vote is this week",
        body=BODY,
        from_name="Texas chapter",
        from_email="texas@act.example.org",
        reply_to="texas@act.example.org",
        created_by=leader,
        confirmed_count=count,
    )


def start_workers(args, env: dict, fake_url: str) -> list[subprocess.Popen]:
    log = ROOT / "bench" / "out" / "alert-workers.log"
    log.write_text("")
    procs = []
    for n in range(args.workers):
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "harbor",
                    "worker",
                    "--pool",
                    "solo",
                    "--queues",
                    "transactional,bulk,default",
                    "--hostname",
                    f"bench{n}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env={**os.environ, **env, "RESEND_API_URL": fake_url},
                stdout=log.open("a"),
                stderr=subprocess.STDOUT,
            )
        )
    return procs


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` so far (the machine is shared: wall time alone
    says little about the engine)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else 0.0


class AcceptClock:
    """Wraps the fake's accept to note when the last batch was accepted."""

    def __init__(self, fake):
        self.fake = fake
        self.last = 0.0
        self.first = 0.0
        original = fake._handle

        def timed(*a, **kw):
            result = original(*a, **kw)
            if result[0] == 200:
                now = time.monotonic()
                self.first = self.first or now
                self.last = now
            return result

        fake._handle = timed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipients", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--broker-db", type=int, default=1)
    parser.add_argument("--cache-db", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--note", default="")
    args = parser.parse_args()

    env = bench_env(args)
    os.environ.update(env)
    reset_database()
    flush_redis(args)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT, env=os.environ, check=True,
    )  # fmt: skip
    os.environ["DJANGO_SETTINGS_MODULE"] = "harbor.settings"
    import django

    django.setup()
    from alerts import sending
    from alerts.models import AlertRecipient
    from tests.fake_esp import FakeResend

    t = time.monotonic()
    alert = make_data(args.recipients)
    print(
        f"data: {args.recipients:,} supporters in {time.monotonic() - t:.1f} s",
        flush=True,
    )

    procs: list[subprocess.Popen] = []
    with FakeResend(api_key="re_bench", keep_bodies=False) as fake:
        clock = AcceptClock(fake)
        from django.conf import settings

        settings.ANYMAIL = {"RESEND_API_KEY": "re_bench", "RESEND_API_URL": fake.url}
        try:
            # The freeze logs where its time goes (insert, suppression, chunks).
            logging.basicConfig(level=logging.WARNING, format="%(message)s")
            logging.getLogger("alerts.sending").setLevel(logging.INFO)
            procs = start_workers(args, env, fake.url)
            time.sleep(8)  # let the workers connect before "send"
            started = time.monotonic()
            assert sending.start_sending(alert)
            frozen = time.monotonic()
            print(f"frozen and queued in {frozen - started:.1f} s", flush=True)
            deadline = started + args.timeout
            peaks = [0.0] * len(procs)
            while time.monotonic() < deadline:
                time.sleep(1)
                peaks = [
                    max(p, peak_rss_mb(w.pid))
                    for p, w in zip(peaks, procs, strict=False)
                ]
                if len(fake.accepted) >= args.recipients:
                    break
                if any(w.poll() is not None for w in procs):
                    print("a worker stopped; see bench/out/alert-workers.log")
                    break
            # Let anything in flight land, so a repeat would show.
            time.sleep(3)
            peaks = [
                max(p, peak_rss_mb(w.pid)) for p, w in zip(peaks, procs, strict=False)
            ]
            cpu = [cpu_seconds(w.pid) for w in procs]
            load = os.getloadavg()[1]
        finally:
            for w in procs:
                if w.poll() is None:
                    w.kill()
                w.wait()
        sent_to = fake.sent_to
    alert.refresh_from_db()
    e2e = clock.last - started if clock.last else float("nan")
    unique = len(set(sent_to))

    # The baseline: read the million recipient ids from the database.
    t = time.monotonic()
    ids = list(
        AlertRecipient.objects.filter(alert=alert)
        .values_list("pk", flat=True)
        .iterator(chunk_size=20_000)
    )
    baseline = time.monotonic() - t
    marked = AlertRecipient.objects.filter(
        alert=alert, status=AlertRecipient.Status.SENT
    ).count()
    flush_redis(args)

    ok = len(sent_to) == args.recipients == unique
    figures = {
        "recipients": args.recipients,
        "workers": args.workers,
        "accepted": len(sent_to),
        "unique": unique,
        "marked_sent": marked,
        "alert_status": alert.status,
        "freeze_s": round(frozen - started, 1),
        "end_to_end_s": round(e2e, 1),
        "messages_per_s": round(len(sent_to) / e2e) if e2e == e2e and e2e else 0,
        "baseline_read_ids_s": round(baseline, 2),
        "baseline_ids": len(ids),
        "ratio": round(e2e / baseline, 1) if baseline else 0,
        "peak_rss_mb": [round(p) for p in peaks],
        "worker_cpu_s": [round(c, 1) for c in cpu],
        "worker_cpu_ms_per_message": round(1000 * sum(cpu) / max(1, len(sent_to)), 2),
        "load_average_5min": round(load, 1),
        "exactly_once": ok,
        "esp_calls": fake.calls,
    }
    print(json.dumps(figures, indent=2))
    if not args.no_write:
        write_results(figures, args)
    return 0 if ok else 1


def write_results(f: dict, args) -> None:
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text()
    heading = "## Alert send (`bench/bench_alert_send.py`)"
    row = (
        f"| {dt.datetime.now(tz=dt.UTC).date().isoformat()} | {f['recipients']:,} | {f['workers']} | "
        f"{f['end_to_end_s']} s (freeze {f['freeze_s']} s) | {f['messages_per_s']:,} | "
        f"{f['baseline_read_ids_s']} s | {f['ratio']}x | "
        f"{' / '.join(str(p) for p in f['peak_rss_mb'])} MB | "
        f"{'yes' if f['exactly_once'] else 'NO'} ({f['accepted']:,} accepted, "
        f"{f['unique']:,} unique) | worker CPU {f['worker_cpu_ms_per_message']} ms "
        f"a message; load average {f['load_average_5min']}. {args.note} |"
    )
    header = (
        f"{heading}\n\n"
        "One alert, PostgreSQL and Redis, real `celery worker` processes (solo pool), "
        "anymail's\nResend backend (Harbor's batch subclass) against the loopback fake "
        "Resend, chunks of 100.\nEnd to end: from `start_sending` (the freeze included) to "
        "the last batch the fake\naccepted. Baseline in the same run: reading the recipient "
        "ids from the database. Target: a\nmillion in under 5 minutes, under 300 MB per "
        "worker.\n\n"
        "    .venv/bin/python bench/bench_alert_send.py --recipients 1000000\n\n"
        "| date | recipients | workers | end to end | messages/s | baseline | ratio | "
        "peak RSS per worker | exactly once | notes |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
    )
    if heading in text:
        start = text.index(heading)
        table = text.index("|---|", start)
        table_end = text.index("\n", table) + 1
        text = text[:start] + header + row + "\n" + text[table_end:]
    else:
        marker = "\n## "
        first = text.index(marker) + 1 if marker in text else len(text)
        text = text[:first] + header + row + "\n\n" + text[first:]
    path.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
