"""Outgoing webhooks: making the deliveries of a bulk announcement, and POSTing them,
each against a baseline measured in the same run.

1. ``create_deliveries`` for N signatures announced at once (the bulk intake drain's
   shape) to two endpoints, national and a chapter's (40% of the signers are its
   members). Baseline: a bare ``bulk_create`` of the same number of delivery rows with a
   fixed small document (no reading of the records, no visibility query).
2. ``deliver`` of D deliveries in one process to a loopback receiver (claim, signed POST,
   finish). Baseline: D bare ``requests.post`` of the same bodies to the same receiver.

    .venv/bin/python bench/bench_webhooks.py [--records 20000] [--deliveries 500]
    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/harbor_webhooks_bench \\
        .venv/bin/python bench/bench_webhooks.py

It uses its own var directory (SQLite) or the database named by DATABASE_URL, which it
migrates and empties of supporters and webhooks.
"""

import argparse
import os
import sys
import time
from pathlib import Path

from _django import setup_django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--deliveries", type=int, default=500)
    args = parser.parse_args()
    os.environ.setdefault("SITE_URL", "http://127.0.0.1:8000")
    os.environ.setdefault("HARBOR_POSTAL_ADDRESS", "Bench, PO Box 1, Austin, TX")
    os.environ["WEBHOOKS_ALLOW_PRIVATE_ADDRESSES"] = "true"  # the loopback receiver
    setup_django()
    import requests
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Chapter
    from campaigns.models import Campaign
    from petitions.models import Petition, Signature
    from supporters.models import ChapterMembership, Supporter
    from tests.webhooks.receiver import Receiver
    from webhooks import payloads, services
    from webhooks.models import WebhookDelivery, WebhookEndpoint

    WebhookEndpoint.objects.all().delete()
    Supporter.objects.all().delete()
    texas, _ = Chapter.objects.get_or_create(
        slug="texas", defaults={"name": "TX", "kind": "state", "state": "TX"}
    )
    campaign = Campaign.objects.create(title="B", slug=f"b-{time.time_ns()}")
    petition = Petition.objects.create(
        campaign=campaign, title="B", slug=f"b-{time.time_ns()}", text="x"
    )
    n = args.records
    people = Supporter.objects.bulk_create(
        (
            Supporter(
                email=f"p{i}@example.org", first_name="Ana", last_name="G", state="TX"
            )
            for i in range(n)
        ),
        batch_size=2000,
    )
    ChapterMembership.objects.bulk_create(
        (ChapterMembership(supporter=p, chapter=texas) for p in people[: n * 4 // 10]),
        batch_size=2000,
    )
    signatures = Signature.objects.bulk_create(
        (
            Signature(petition=petition, supporter=p, referral_code=f"c{i:010d}")
            for i, p in enumerate(people)
        ),
        batch_size=2000,
    )
    pks = [s.pk for s in signatures]

    with Receiver() as receiver:
        national = WebhookEndpoint.objects.create(
            url=receiver.url, events=["signature.created"]
        )
        WebhookEndpoint.objects.create(
            url=receiver.url, events=["signature.created"], chapter=texas
        )
        rows = n + n * 4 // 10

        started = time.perf_counter()
        WebhookDelivery.objects.bulk_create(
            (
                WebhookDelivery(
                    endpoint=national,
                    event="signature.created",
                    object_type="petitions.signature",
                    object_id=i,
                    payload={"osdi:signature": {"identifiers": [f"harbor:{i}"]}},
                )
                for i in range(rows)
            ),
            batch_size=500,
        )
        baseline = time.perf_counter() - started
        WebhookDelivery.objects.all().delete()

        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            made = services.create_deliveries(model=Signature, pks=pks)
            elapsed = time.perf_counter() - started
        assert made == rows, made

        print(
            f"database: {connection.vendor}, records announced: {n:,}, rows: {rows:,}"
        )
        print(f"baseline bulk_create of {rows:,} rows: {baseline:.2f} s")
        print(
            f"create_deliveries: {elapsed:.2f} s ({rows / elapsed:,.0f} rows/s), "
            f"{len(queries)} queries, ratio {elapsed / baseline:.1f}x"
        )

        d = min(args.deliveries, rows)
        ids = list(
            WebhookDelivery.objects.order_by("pk").values_list("pk", flat=True)[:d]
        )
        sample = WebhookDelivery.objects.get(pk=ids[0])
        body = payloads.body_for(
            event=sample.event, key=str(sample.idempotency_key), payload=sample.payload
        )
        started = time.perf_counter()
        with requests.Session() as session:
            for _ in range(d):
                session.post(receiver.url, data=body, timeout=10).close()
        post_baseline = time.perf_counter() - started
        receiver.requests.clear()

        started = time.perf_counter()
        for pk in ids:
            services.deliver(delivery_id=pk)
        post_elapsed = time.perf_counter() - started
        done = WebhookDelivery.objects.filter(pk__in=ids, status="done").count()
        assert done == d, done
        print(
            f"baseline {d} bare POSTs (one keep-alive session): {post_baseline:.2f} s"
        )
        print(
            f"deliver x{d}: {post_elapsed:.2f} s ({d / post_elapsed:,.0f}/s in one "
            f"process), ratio {post_elapsed / post_baseline:.1f}x"
        )


if __name__ == "__main__":
    main()
