"""The call flow's target page under load: gunicorn + PostgreSQL + Redis, all on 127.0.0.1.

The page a caller sees for each target (who, title, party, the Washington and nearest
district office, the script rendered for that legislator, talking points, the list of
their targets) is computed per request: the ZIP's seats, the targets (own seats, the
linked bills' sponsorships for the thank-you variant), the offices nearest first, the
pass's outcomes so far and the office saturation shares (cached in Redis).

In one run, against one server, at concurrency 16: the trivial view ``/livez``, then the
target page of the demo call campaign ``reauthorize-tvpa`` for random single-district
ZIP codes (each request a different caller's link). Prints the figures and rewrites the
"## Call targets" section of bench/RESULTS.md. Bounded in request count and wall time.

    .venv/bin/python bench/bench_call_targets.py [--requests 3000] [--seconds 60]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_sign import free_port, start_gunicorn  # noqa: E402
from bench.loadgen import run  # noqa: E402

PG = os.environ.get("BENCH_PG", "postgres://postgres:postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "harbor_bench_calls")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")
SLUG = "reauthorize-tvpa"
SECTION = "## Call targets"

MAKE_LINKS = """
import json, random, uuid
from django.db.models import Count
from advocacy import passes, selectors
from advocacy.services import Source
from advocacy.targets import targets_for
from legislators.models import ZipDistrict
single = list(ZipDistrict.objects.values("zcta").annotate(n=Count("id")).filter(n=1)
              .values_list("zcta", flat=True).order_by("zcta"))
rng = random.Random(2026)
rng.shuffle(single)
action = selectors.public_action(slug="%(slug)s", kind="call")
paths = []
for zcta in single:
    row = ZipDistrict.objects.get(zcta=zcta)
    place = selectors.CallerPlace(zip_code=zcta, district=f"{row.state}-{row.district:02d}",
                                  state=row.state)
    if not targets_for(action, selectors.representation_at(place)):
        continue  # a vacant seat and no senators (a territory): no page to show
    token = passes.make_token(passes.CallPass(session=uuid.uuid4(), place=place,
                                              source=Source()), slug="%(slug)s")
    paths.append(f"/campaigns/%(slug)s/call/{token}/")
    if len(paths) >= %(count)d:
        break
print("PATHS " + json.dumps(paths))
"""


def bench_env(args) -> dict:
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "SECRET_KEY": "bench-only-" + "x" * 40,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": "http://127.0.0.1",
        "HARBOR_POSTAL_ADDRESS": "Harbor Network, 1 Example Street, Washington, DC 20001",
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "REDIS_URL": f"{REDIS}/{args.redis_db}",
        "CELERY_BROKER_URL": f"{REDIS}/{args.broker_db}",
        "HARBOR_VAR_DIR": str(out / "var"),
        "LOG_LEVEL": "WARNING",
        "HARBOR_TESTING": "0",
    }


def reset_database(env: dict) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    for command in (
        ["migrate", "--noinput", "-v", "0"],
        ["seed_demo", "--password", "x" * 16],
    ):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip


def make_paths(env: dict, count: int) -> list[str]:
    script = MAKE_LINKS % {"slug": SLUG, "count": count}
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    line = next(x for x in out.splitlines() if x.startswith("PATHS "))
    return json.loads(line.removeprefix("PATHS "))


def write_section(section: str, text: str) -> None:
    """Put this run at the top of ``section`` in RESULTS.md (newest first), keeping
    the earlier runs below it."""
    path = ROOT / "bench" / "RESULTS.md"
    current = path.read_text() if path.exists() else "# Benchmark results\n"
    marker = f"{section}\n\n"
    if marker in current:
        current = current.replace(marker, f"{marker}{text.strip()}\n\n", 1)
    else:
        current = current.rstrip() + f"\n\n{marker}{text.strip()}\n"
    path.write_text(current.rstrip() + "\n")


def flush_redis(args) -> None:
    import redis

    for db in (args.redis_db, args.broker_db):
        redis.Redis.from_url(f"{REDIS}/{db}").flushdb()


def main() -> int:
    parser = argparse.ArgumentParser(description="Call target page benchmark")
    parser.add_argument("--requests", type=int, default=3000, help="per measured run")
    parser.add_argument("--seconds", type=float, default=60.0, help="bound per run")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--zips", type=int, default=500, help="distinct callers' links")
    parser.add_argument("--redis-db", type=int, default=9)
    parser.add_argument("--broker-db", type=int, default=7)
    parser.add_argument(
        "--no-write", action="store_true", help="do not update RESULTS.md"
    )
    args = parser.parse_args()

    env = bench_env(args)
    load_before = os.getloadavg()
    reset_database(env)
    flush_redis(args)
    paths = make_paths(env, args.zips)
    port = free_port()
    server = start_gunicorn(env, port, args)
    base = f"http://127.0.0.1:{port}"
    try:
        with urllib.request.urlopen(base + paths[0], timeout=30) as response:  # noqa: S310
            sample = response.read().decode()
        page_ok = "tel:" in sample and 'class="script"' in sample and "{{" not in sample
        run(f"{base}/livez", concurrency=8, requests=200, seconds=20)
        run(base + paths[0], concurrency=8, requests=200, seconds=30,
            path_for=lambda i: paths[i % len(paths)])  # fmt: skip
        livez = run(
            f"{base}/livez", concurrency=args.concurrency, requests=args.requests,
            seconds=args.seconds, label="GET /livez (trivial view)", ok_statuses=(200,),
        )  # fmt: skip
        targets = run(
            base + paths[0], concurrency=args.concurrency, requests=args.requests,
            seconds=args.seconds, ok_statuses=(200,),
            label="GET call target page (random single-district ZIPs)",
            path_for=lambda i: paths[(i * 7919) % len(paths)],
        )  # fmt: skip
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        flush_redis(args)

    load_after = os.getloadavg()
    ratio = targets.throughput / livez.throughput if livez.throughput else 0.0
    p99 = targets.percentile(99)
    checks = {
        "page_shows_phone_and_script": page_ok,
        "all_200": targets.ok == targets.count and livez.ok == livez.count,
        "p99_under_100ms": p99 < 100,
    }
    print(
        json.dumps(
            {
                "livez": livez.as_dict(),
                "targets": targets.as_dict(),
                "ratio": round(ratio, 3),
                "distinct_links": len(paths),
                "checks": checks,
            },
            indent=2,
        )
    )
    for r in (livez, targets):
        print(r.summary())
    print(f"ratio targets/livez = {ratio:.2f}; p99 {p99:.1f} ms")
    if not args.no_write:
        server_desc = f"gunicorn {args.workers} x {args.worker_class}" + (
            f" ({args.threads} threads)" if args.threads > 1 else ""
        )
        write_section(
            SECTION,
            f"""Run {time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())} by `bench/bench_call_targets.py \
--requests {args.requests} --seconds {args.seconds:g} --concurrency {args.concurrency} \
--workers {args.workers}`.
Machine: {os.cpu_count()} cores, Python {platform.python_version()}; {server_desc}, PostgreSQL
and Redis (cache) on 127.0.0.1, the demo data (`seed_demo`: every member of Congress, the
ZIP crosswalk, the TVPA bills). Each request is a different caller's link of the
`reauthorize-tvpa` call campaign, for {len(paths)} random single-district ZIP codes: the
page computes the caller's seats, targets (two senators and a representative), offices
nearest first, scripts (the cosponsor thank-you variant read from the bill's
sponsorships), outcomes so far and office saturation (cached). The load generator runs
on the same cores. Load average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f}.

| run | requests | ok | throughput/s | p50 ms | p95 ms | p99 ms |
|---|---|---|---|---|---|---|
| GET /livez (trivial view) | {livez.count} | {livez.ok} | {livez.throughput:.0f} | \
{livez.percentile(50):.1f} | {livez.percentile(95):.1f} | {livez.percentile(99):.1f} |
| GET call target page | {targets.count} | {targets.ok} | {targets.throughput:.0f} | \
{targets.percentile(50):.1f} | {targets.percentile(95):.1f} | {p99:.1f} |

- Concurrency {args.concurrency}. Target page throughput / trivial view: **{ratio:.2f}**.
  Target page p99: **{p99:.0f} ms** (target < 100 ms: {"met" if checks["p99_under_100ms"] else "MISSED"}).
- Status counts: livez {dict(livez.statuses)}, target page {dict(targets.statuses)}.
""",
        )
    return 0 if checks["page_shows_phone_and_script"] and checks["all_200"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
