"""Supporter CSV import: rows/s and peak Python memory, against a baseline in the same run.

Baseline: a bare ``bulk_create`` of the same number of plain Supporter rows (no parsing,
validation, memberships, tags or consent). The ratio import/baseline is what to watch: the
machine is shared and noisy, absolute times are not comparable between runs.

    .venv/bin/python bench/bench_import.py [--rows 50000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/harbor_bench .venv/bin/python bench/bench_import.py

It uses its own var directory (SQLite) or the database named by DATABASE_URL, which it
migrates and empties of supporters.
"""

import argparse
import resource
import time

from _django import setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()

    setup_django()
    from django.db import connection

    from accounts.models import Chapter
    from supporters import importing
    from supporters.models import Supporter, SupporterImport

    Supporter.objects.all().delete()
    Chapter.objects.get_or_create(
        slug="national", defaults={"name": "N", "kind": "national"}
    )
    Chapter.objects.get_or_create(
        slug="texas", defaults={"name": "TX", "kind": "state", "state": "TX"}
    )
    n = args.rows

    started = time.perf_counter()
    Supporter.objects.bulk_create(
        Supporter(email=f"base{i}@example.org", first_name="B", state="TX")
        for i in range(n)
    )
    baseline = time.perf_counter() - started
    Supporter.objects.all().delete()

    header = "email,first_name,last_name,city,state,zip,phone,tags,opt_in\n"
    body = "".join(
        f"p{i}@example.org,First{i},Last,Austin,TX,78701,(512) 463-{i % 10000:04d},bench;x,yes\n"
        for i in range(n)
    )
    content = (header + body).encode()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    supporter_import = importing.create_import(
        file_name="bench.csv", content=content, chapter=None, enqueue=False
    )
    result = importing.run_import(import_id=supporter_import.pk)
    elapsed = time.perf_counter() - started
    peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) * 1024
    assert result.status == SupporterImport.Status.DONE, result.errors[:3]
    assert Supporter.objects.count() == n

    print(
        f"database: {connection.vendor}, rows: {n:,}, file: {len(content) / 1e6:.1f} MB"
    )
    print(f"baseline bulk_create: {baseline:.2f} s ({n / baseline:,.0f} rows/s)")
    print(
        f"import (validate + upsert + memberships + tags + consent): {elapsed:.2f} s "
        f"({n / elapsed:,.0f} rows/s)"
    )
    print(f"ratio import/baseline: {elapsed / baseline:.1f}x")
    print(
        f"peak RSS growth during import: {peak / 1e6:.0f} MB "
        f"({peak / len(content):.1f}x the file)"
    )


if __name__ == "__main__":
    main()
