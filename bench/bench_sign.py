"""Petition signing under load: gunicorn + PostgreSQL + Redis, all on 127.0.0.1.

In one run, against one server (the benchmark's own URLconf, bench/floor_urls.py): every
request a fresh visitor who GETs the form page and POSTs it, first against the floor
view (a CSRF form and one ``INSERT ... ON CONFLICT DO NOTHING``), then against the
petition page (the intake path); then 200 concurrent submissions of one email. No
Celery worker runs meanwhile: signatures wait in the intake. Then the drain, in one
process (one worker), timed: signatures per second. Checks that every successful sign
became exactly one signature with one email and the counter equals them. Prints the
figures and puts the run at the top of bench/RESULTS.md's "## Petition signing".

    .venv/bin/python bench/bench_sign.py [--requests 2000] [--concurrency 16] [--workers 4]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loadgen import run  # noqa: E402

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "harbor_bench")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")
FLOOR_TABLE = "bench_floor_signature"
SLUG = "bench-petition"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_env(args) -> dict:
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "SECRET_KEY": "bench-only-" + "x" * 40,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": "http://127.0.0.1",
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "REDIS_URL": f"{REDIS}/{args.redis_db}",
        "CELERY_BROKER_URL": f"{REDIS}/{args.redis_db + 1}",
        "HARBOR_VAR_DIR": str(out / "var"),
        "LOG_LEVEL": "WARNING",
        # 127.0.0.1 is every client here: raise the per-IP and per-email limits out of
        # reach, so both Redis counters are still bumped on every submission but the run
        # measures signing (tests cover the limits themselves).
        "PUBLIC_FORM_RATE_LIMIT_PER_IP": "100000000",
        "PUBLIC_FORM_RATE_LIMIT_PER_EMAIL": "100000000",
        "HARBOR_TESTING": "0",
        # The benchmark's own URLconf: Harbor's URLs plus the floor view.
        "DJANGO_SETTINGS_MODULE": "bench.floor_settings",
        # Only the drain asks for a drain here (no worker runs during the HTTP runs).
        "PETITIONS_INTAKE_DRAIN_DEBOUNCE_SECONDS": "1",
    }


def reset_database(env: dict) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    setup = f"""
from django.utils import timezone
from campaigns.models import Campaign
from petitions.models import Petition
c = Campaign.objects.create(title="Bench", slug="bench", status="live")
Petition.objects.create(campaign=c, title="Bench petition", slug="{SLUG}",
    target="Nobody", goal=100000, status="open", starts_at=timezone.now())
"""
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", setup],
        cwd=ROOT,
        env=env,
        check=True,
    )
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        conn.execute(
            f"CREATE TABLE {FLOOR_TABLE} (id bigserial PRIMARY KEY, "
            "email varchar(254) UNIQUE NOT NULL, first_name varchar(100) NOT NULL)"
        )


def flush_redis(env: dict, args) -> None:
    import redis

    for db in (args.redis_db, args.redis_db + 1):
        redis.Redis.from_url(f"{REDIS}/{db}").flushdb()


def query(env: dict, sql: str, params=()) -> int:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as conn:
        return int(conn.execute(sql, params).fetchone()[0])


def start_gunicorn(env: dict, port: int, args) -> subprocess.Popen:
    log = (ROOT / "bench" / "out" / "gunicorn.log").open("w")
    cmd = [
        str(Path(sys.executable).with_name("gunicorn")), "harbor.wsgi",
        "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
        "--worker-class", args.worker_class, "--threads", str(args.threads),
        "--backlog", "2048", "--timeout", "60", "--log-level", "warning",
        "--config", "gunicorn.conf.py",
    ]  # fmt: skip
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("gunicorn did not start; see bench/out/gunicorn.log")


def sign_form(run_id: str):
    def form(i: int) -> dict:
        return {
            "first_name": "Bench",
            "last_name": f"Signer {i}",
            "email": f"bench-{run_id}-{i}@example.org",
            "zip_code": "78701",
            "wants_email": "on",
        }

    return form


DRAIN = """
import json, time
from django.db import connection
from petitions import intake
from petitions.models import SignatureIntake
waiting = SignatureIntake.objects.count()
connection.ensure_connection()
started = time.perf_counter()
written = intake.drain_intake()
elapsed = time.perf_counter() - started
print("DRAIN " + json.dumps({"waiting": waiting, "written": written, "seconds": elapsed}))
"""


def run_drain(env: dict) -> dict:
    """The drain in one process, as one worker runs it (emails enqueued to Redis)."""
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", DRAIN],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    line = next(x for x in out.stdout.splitlines() if x.startswith("DRAIN "))
    return json.loads(line.removeprefix("DRAIN "))


def write_results(text: str) -> None:
    """Put this run at the top of the "## Petition signing" section (newest first)."""
    path = ROOT / "bench" / "RESULTS.md"
    current = path.read_text() if path.exists() else "# Benchmark results\n"
    section = "## Petition signing"
    pattern = re.compile(rf"^{re.escape(section)}\n\n?", re.M)
    if pattern.search(current):
        current = pattern.sub(
            lambda _m: f"{section}\n\n{text.strip()}\n\n", current, count=1
        )
    else:
        current = current.rstrip() + f"\n\n{section}\n\n{text.strip()}\n"
    path.write_text(current.rstrip() + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description="Petition signing benchmark")
    parser.add_argument("--requests", type=int, default=2000, help="per measured run")
    parser.add_argument("--seconds", type=float, default=120.0, help="bound per run")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--redis-db", type=int, default=11)
    parser.add_argument(
        "--no-write", action="store_true", help="do not update RESULTS.md"
    )
    args = parser.parse_args()

    env = bench_env(args)
    load_before = os.getloadavg()
    reset_database(env)
    flush_redis(env, args)
    port = free_port()
    server = start_gunicorn(env, port, args)
    base = f"http://127.0.0.1:{port}"
    sign_url = f"{base}/petitions/{SLUG}/"
    floor_url = f"{base}/bench/floor/"
    run_id = uuid.uuid4().hex[:8]
    common = {"method": "POST", "csrf": True, "fresh": True, "ok_statuses": (302,)}
    try:
        # Warm up every worker (imports, connections, the page's fragments).
        run(floor_url, concurrency=8, requests=100, seconds=30,
            form=sign_form(f"warmf{run_id}"), **common)  # fmt: skip
        run(sign_url, concurrency=8, requests=100, seconds=30,
            form=sign_form(f"warm{run_id}"), **common)  # fmt: skip
        warm = query(env, "select count(*) from petitions_signatureintake")

        floor = run(
            floor_url, concurrency=args.concurrency, requests=args.requests,
            seconds=args.seconds, form=sign_form(f"floor{run_id}"),
            label="floor: GET form + POST one INSERT", **common,
        )  # fmt: skip
        sign = run(
            sign_url, concurrency=args.concurrency, requests=args.requests,
            seconds=args.seconds, form=sign_form(run_id),
            label="Harbor: GET petition page + POST sign", **common,
        )  # fmt: skip
        waiting = query(env, "select count(*) from petitions_signatureintake") - warm
        same_email = f"same-{run_id}@example.org"
        same = run(
            sign_url, method="POST", concurrency=200, requests=200, seconds=60, csrf=True,
            form=lambda i: {"first_name": "Same", "last_name": "Person",
                            "email": same_email, "zip_code": "78701"},
            label="POST sign, 200 concurrent submissions of one email", ok_statuses=(302,),
        )  # fmt: skip
        same_rows = query(
            env,
            "select count(*) from petitions_signatureintake where email = %s",
            (same_email,),
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()

    drain = run_drain(env)
    stored = query(env, "select count(*) from petitions_signature")
    emails = query(env, "select count(*) from petitions_signatureemail")
    counted = query(
        env, "select coalesce(sum(count), 0) from petitions_signaturecountshard"
    )
    left = query(env, "select count(*) from petitions_signatureintake")
    flush_redis(env, args)

    load_after = os.getloadavg()
    ratio = sign.throughput / floor.throughput if floor.throughput else 0.0
    drain_rate = drain["written"] / drain["seconds"] if drain["seconds"] else 0.0
    expected = warm + sign.ok + 1
    checks = {
        "intake_rows_equal_successes": waiting == sign.ok,
        "signatures_equal_successes_after_drain": stored == expected,
        "one_email_per_signature": emails == stored,
        "counter_equals_signatures": counted == stored,
        "intake_empty_after_drain": left == 0,
        "one_email_one_signature": same_rows == 1,
        "no_errors_5xx": not any(
            isinstance(k, int) and k >= 500
            for r in (floor, sign, same)
            for k in r.statuses
        ),
        "ratio_at_least_half": ratio >= 0.5,
        "drain_at_least_2000_per_s": drain_rate >= 2000,
    }
    figures = {
        "floor": floor.as_dict(),
        "sign": sign.as_dict(),
        "same_email": same.as_dict(),
        "ratio": round(ratio, 3),
        "drain": drain,
        "drain_per_s": round(drain_rate),
        "stored": stored,
        "emails": emails,
        "counted": counted,
        "checks": checks,
    }
    print(json.dumps(figures, indent=2))
    for r in (floor, sign, same):
        print(r.summary())
    print(f"ratio sign/floor = {ratio:.2f}; drain {drain_rate:.0f} signatures/s")

    if not args.no_write:
        server_desc = f"gunicorn {args.workers} x {args.worker_class}" + (
            f" ({args.threads} threads)" if args.threads > 1 else ""
        )
        write_results(
            f"""### Run {time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}: the intake path

`bench/bench_sign.py --requests {args.requests} --concurrency {args.concurrency} \
--workers {args.workers} --worker-class {args.worker_class}` \
(`BENCH_REDIS`={REDIS}, `BENCH_PG`={PG}).
Machine: {os.cpu_count()} cores, Python {platform.python_version()}; {server_desc}, PostgreSQL
and Redis on 127.0.0.1, the load generator on the same cores. Every request is a fresh
visitor: GET the page (CSRF cookie and token), then POST the form. Load average (1 min)
before {load_before[0]:.2f}, after {load_after[0]:.2f} (the machine is shared with other sessions).

| run | visits | ok | visits/s | p50 ms | p95 ms | p99 ms |
|---|---|---|---|---|---|---|
| floor: GET form + POST one INSERT | {floor.count} | {floor.ok} | {floor.throughput:.0f} | \
{floor.percentile(50):.1f} | {floor.percentile(95):.1f} | {floor.percentile(99):.1f} |
| Harbor: GET petition page + POST sign | {sign.count} | {sign.ok} | {sign.throughput:.0f} | \
{sign.percentile(50):.1f} | {sign.percentile(95):.1f} | {sign.percentile(99):.1f} |
| POST sign, one email x 200 concurrent | {same.count} | {same.ok} | \
{same.throughput:.0f} | {same.percentile(50):.1f} | {same.percentile(95):.1f} | \
{same.percentile(99):.1f} |

- Harbor / floor: **{ratio:.2f}** (target ≥ 0.5).
- Drain, one process: {drain["written"]:,} signatures in {drain["seconds"]:.2f} s = \
**{drain_rate:,.0f} signatures/s** (target ≥ 2,000), emails enqueued included.
- After the drain: {stored:,} signatures for {expected:,} successful signs (warm-up
  included), {emails:,} emails, counter {counted:,}, intake rows left {left} →
  {"all equal" if all(checks[k] for k in ("signatures_equal_successes_after_drain", "one_email_per_signature", "counter_equals_signatures", "intake_empty_after_drain")) else "NOT EQUAL"}.
- 200 concurrent submissions of one email: {same_rows} intake row \
({"exactly one" if same_rows == 1 else "WRONG"}); statuses {dict(same.statuses)}.
- Status counts: floor {dict(floor.statuses)}, sign {dict(sign.statuses)}.
"""
        )
    return (
        0
        if all(checks[k] for k in checks if not k.startswith(("ratio", "drain_at")))
        else 1
    )


if __name__ == "__main__":
    raise SystemExit(main())
