"""ZIP → congressional districts: lookups/s and p50/p99 latency in-process, against a
baseline measured in the same run.

Three arms over the same random sample of real ZCTAs from the shipped crosswalk (plus 5%
ZIPs that are not in it):
- baseline: a plain ``dict.get`` on a dict of the same keys (the floor for any lookup);
- ``districts_for_zip``: what the lookup page uses (the per-process copy of the table);
- ``districts_for_zip_query``: the indexed ``ZipDistrict`` table queried on every call.
A second baseline, ``SELECT 1``, is the floor for the query arm.

    .venv/bin/python bench/bench_zip_lookup.py [--lookups 100000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/harbor_bench \
        .venv/bin/python bench/bench_zip_lookup.py

It uses its own var directory (SQLite) or the database named by DATABASE_URL, which it
migrates and fills with the shipped crosswalk.
"""

import argparse
import random
import time

from _django import setup_django


def measure(fn, keys):
    times = []
    clock = time.perf_counter_ns
    started = clock()
    for key in keys:
        t0 = clock()
        fn(key)
        times.append(clock() - t0)
    total = (clock() - started) / 1e9
    times.sort()
    return {
        "per_s": len(keys) / total,
        "p50_us": times[len(times) // 2] / 1000,
        "p99_us": times[int(len(times) * 0.99)] / 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lookups", type=int, default=100_000)
    parser.add_argument("--query-lookups", type=int, default=10_000)
    args = parser.parse_args()

    setup_django()
    from django.db import connection

    from legislators import selectors, services
    from legislators.models import ZipDistrict

    services.import_zip_crosswalk()
    zctas = list(ZipDistrict.objects.values_list("zcta", flat=True).distinct())
    rng = random.Random(2026)
    keys = [
        rng.choice(zctas) if rng.random() < 0.95 else f"{rng.randint(0, 99999):05d}"
        for _ in range(args.lookups)
    ]
    plain = dict.fromkeys(zctas, (("TX", 1),))

    started = time.perf_counter()
    selectors.reset_zip_index()
    selectors.districts_for_zip("78701")
    load_s = time.perf_counter() - started

    baseline = measure(plain.get, keys)
    memory = measure(selectors.districts_for_zip, keys)
    query_keys = keys[: args.query_lookups]

    def select_1(_key):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    select = measure(select_1, query_keys)
    query = measure(selectors.districts_for_zip_query, query_keys)

    print(
        f"database: {connection.vendor}, ZCTAs: {len(zctas):,}, "
        f"crosswalk load: {load_s * 1000:.0f} ms"
    )
    print(
        f"{'arm':<28}{'lookups':>9}{'per s':>12}{'p50 us':>9}{'p99 us':>9}{'p99 ratio':>11}"
    )
    rows = [
        ("baseline dict.get", len(keys), baseline, baseline),
        ("districts_for_zip (memory)", len(keys), memory, baseline),
        ("baseline SELECT 1", len(query_keys), select, select),
        ("districts_for_zip_query", len(query_keys), query, select),
    ]
    for name, n, r, base in rows:
        print(
            f"{name:<28}{n:>9,}{r['per_s']:>12,.0f}{r['p50_us']:>9.2f}{r['p99_us']:>9.2f}"
            f"{r['p99_us'] / base['p99_us']:>10.1f}x"
        )
    ok = memory["p99_us"] < 1000
    print(f"target p99 < 1 ms for the page's lookup: {'met' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
