"""The delivery PDF for a big petition, in-process: time, size and peak memory.

Creates N confirmed signers (names and cities in Latin, Cyrillic, Greek, CJK, Arabic,
Hebrew and Devanagari, one in six not Latin; one in 20 with a comment, one comment in
five in Arabic), then renders
``petitions.delivery.render_delivery_pdf`` as the worker does. SQLite in a temporary
directory unless DATABASE_URL is set (that database then gets the rows and keeps them).

    .venv/bin/python bench/bench_delivery.py [--signers 100000]
"""

import argparse
import io
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._django import setup_django

NAMES = [
    # (first, last, city); the first five are Latin, as most signers' are.
    ("Ana", "García", "Austin"),
    ("James", "Okafor", "Columbus"),
    ("Mary-Kate", "O\u2019Brien", "Boston"),
    ("Nguyễn", "Thị Lan", "Houston"),
    ("Christopher", "Montgomery-Fitzgerald", "Rancho Santa Margarita"),
    ("李", "小龙", "北京"),
    ("مريم", "العربي", "الرياض"),
    ("דוד", "כהן", "חיפה"),
    ("Анна", "Иванова", "Москва"),
    ("Ελένη", "Παπαδοπούλου", "Αθήνα"),
    ("अनीता", "शर्मा", "पुणे"),
]
LATIN_WEIGHT = 10  # each Latin name this many times for each other one
COMMENTS = [
    "Every child deserves to be safe. I sign for my daughter and for every girl "
    "who was sold before anyone noticed.",
    "Fund the services survivors need: housing, counselling, a lawyer.",
    "No child is a criminal for what was done to them. Pass Safe Harbor now.",
    "Train teachers and nurses to see the signs.",
    "كل طفل يستحق الأمان. لن نتوقف حتى يتحرر كل طفل.",
]


def make_signers(count: int):
    from django.utils import timezone

    from petitions.models import Petition, Signature
    from supporters.models import Supporter
    from tests.petitions.factories import PetitionFactory

    petition = Petition.objects.filter(slug="bench-delivery").first()
    if petition is None:
        petition = PetitionFactory(slug="bench-delivery", title="Generation Freedom",
                                   text="We ask:\n\n1. Fund the TVPA.\n2. Pass Safe "
                                        "Harbor laws.\n3. Train police.\n")  # fmt: skip
    Signature.objects.filter(petition=petition).delete()
    Supporter.objects.filter(email__endswith="@bench.example").delete()
    weighted = [
        n for i, n in enumerate(NAMES) for _ in range(LATIN_WEIGHT if i < 5 else 1)
    ]
    now = timezone.now()
    for start in range(0, count, 5000):
        batch = range(start, min(start + 5000, count))
        supporters = Supporter.objects.bulk_create(
            Supporter(
                email=f"s{i}@bench.example",
                first_name=weighted[i % len(weighted)][0],
                last_name=weighted[i % len(weighted)][1],
                city=weighted[i % len(weighted)][2],
                state="TX",
                zip_code="78701",
                congressional_district=f"TX-{i % 38 + 1:02d}",
            )
            for i in batch
        )
        Signature.objects.bulk_create(
            Signature(
                petition=petition,
                supporter=supporter,
                referral_code=f"b{i:010d}",
                confirmed_at=now,
                comment=COMMENTS[i // 20 % len(COMMENTS)] if i % 20 == 0 else "",
            )
            for i, supporter in zip(batch, supporters, strict=True)
        )
    return petition


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--signers", type=int, default=100_000)
    args = parser.parse_args()
    setup_django()
    from pypdf import PdfReader

    from petitions import delivery
    from petitions.models import Signature

    petition = make_signers(args.signers)
    signatures = Signature.objects.filter(petition=petition).select_related("supporter")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    pdf = delivery.render_delivery_pdf(petition=petition, signatures=signatures)
    seconds = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(
        f"signers={args.signers} seconds={seconds:.1f} pages={pages} "
        f"pdf_mb={len(pdf) / 1e6:.1f} peak_rss_growth_mb={(rss_after - rss_before) / 1024:.0f} "
        f"signers_per_second={args.signers / seconds:.0f}"
    )


if __name__ == "__main__":
    main()
