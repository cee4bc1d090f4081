"""The alert freeze alone, two ways, on PostgreSQL: chunks assigned by the INSERT itself
(``alerts.sending._freeze_into_chunks``, what ``start_sending`` does) against the former
two passes (INSERT ... SELECT, then a windowed UPDATE of every row, ``_freeze`` +
``_cut_chunks``), each followed by the suppression check, alternated, each in a
transaction rolled back so every round sees the same tables.

Drops and recreates its own database ``harbor_alerts_bench`` (``BENCH_DB``), writes N
opted-in supporters of one chapter (COPY), then times the rounds. Baseline in the same
run: reading the N supporter ids. Prints one line per round and a summary; never part of
the test suite.

    .venv/bin/python bench/bench_alert_freeze.py --recipients 200000 --rounds 3
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BENCH_DB", "harbor_alerts_bench")
os.environ.setdefault("BENCH_REDIS", "redis://127.0.0.1:6381")

from bench import bench_alert_send as send_bench  # noqa: E402


def _insert_without_chunks(alert) -> None:
    """The former first pass: INSERT ... SELECT with no chunk (cut afterwards)."""
    from django.db import connection
    from django.db.models import F

    from alerts import sending
    from alerts.models import AlertRecipient

    select_sql, params = (
        sending.audience_supporters(alert)
        .order_by()
        .values(frozen_id=F("pk"), frozen_email=F("email"))
        .query.sql_with_params()
    )
    table = AlertRecipient._meta.db_table
    sql = (
        f'INSERT INTO "{table}" (alert_id, supporter_id, email, status, '  # noqa: S608
        "esp_message_id, error, machine_open) "
        f"SELECT %s, q.frozen_id, q.frozen_email, 'queued', '', '', FALSE FROM ({select_sql}) q "
        "WHERE TRUE ON CONFLICT (alert_id, supporter_id) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [alert.pk, *params])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipients", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    env = send_bench.bench_env(argparse.Namespace(cache_db=3, broker_db=1))
    os.environ.update(env)
    send_bench.reset_database()
    import subprocess

    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT, env=os.environ, check=True,
    )  # fmt: skip
    os.environ["DJANGO_SETTINGS_MODULE"] = "harbor.settings"
    import django

    django.setup()
    from django.db import transaction

    from alerts import sending
    from alerts.models import Alert, AlertChunk, AlertRecipient
    from supporters.models import Supporter

    alert = send_bench.make_data(args.recipients)
    size = 100

    def one_pass(a):
        sending._freeze_into_chunks(a, size)
        dropped = sending._drop_suppressed(a)
        return sending._settle_chunks(a, size, drifted=bool(dropped))

    def two_passes(a):
        _insert_without_chunks(a)
        sending._drop_suppressed(a)
        return sending._cut_chunks(a, size)

    times: dict[str, list[float]] = {"one pass": [], "two passes": []}
    for _round in range(args.rounds):
        for name, freeze in (("two passes", two_passes), ("one pass", one_pass)):
            with transaction.atomic():
                locked = Alert.objects.select_for_update().get(pk=alert.pk)
                t = time.monotonic()
                chunk_ids = freeze(locked)
                elapsed = time.monotonic() - t
                rows = AlertRecipient.objects.filter(alert=alert, chunk__isnull=False)
                assert rows.count() == args.recipients, name
                assert len(chunk_ids) == AlertChunk.objects.filter(alert=alert).count()
                transaction.set_rollback(True)
            times[name].append(elapsed)
            print(f"{name}: {elapsed:.2f} s", flush=True)
    t = time.monotonic()
    ids = list(Supporter.objects.values_list("pk", flat=True))
    baseline = time.monotonic() - t
    assert len(ids) == args.recipients
    one = statistics.median(times["one pass"])
    two = statistics.median(times["two passes"])
    print(
        f"recipients {args.recipients:,}, {args.rounds} rounds (medians): one pass "
        f"{one:.2f} s, two passes {two:.2f} s ({two / one:.2f}x); baseline (read the "
        f"ids) {baseline:.2f} s: one pass {one / baseline:.1f}x, two passes "
        f"{two / baseline:.1f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
