"""Demo chapters and a few hundred sample supporters (deterministic, example.org emails)."""

import random

from django.utils import timezone

from accounts.models import Chapter

from .models import ChapterMembership, Supporter, Tag

CHAPTERS = [
    ("Harbor National", "national", "national", ""),
    ("Harbor Texas", "texas", "state", "TX"),
    ("Harbor Ohio", "ohio", "state", "OH"),
]
FIRST = [
    "Ana",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Femi",
    "Grace",
    "Hugo",
    "Ines",
    "Jamal",
    "Keiko",
    "Luis",
    "Maya",
    "Noah",
    "Olga",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
]
LAST = [
    "Garcia",
    "Nguyen",
    "Smith",
    "Okafor",
    "Cohen",
    "Patel",
    "Kowalski",
    "Brown",
    "Hernandez",
    "Kim",
    "Johnson",
    "Silva",
    "Murphy",
    "Ali",
    "Rossi",
]
PLACES = [("Austin", "TX", "78701"), ("Houston", "TX", "77002"), ("El Paso", "TX", "79901"),
          ("Columbus", "OH", "43215"), ("Cleveland", "OH", "44114"), ("Dayton", "OH", "45402"),
          ("Denver", "CO", "80202"), ("Atlanta", "GA", "30303"), ("Seattle", "WA", "98101")]  # fmt: skip
SAMPLE_SIZE = 300


def seed(log) -> None:
    chapters = {}
    for name, slug, kind, state in CHAPTERS:
        chapters[slug], _ = Chapter.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "state": state}
        )
    volunteer, _ = Tag.objects.get_or_create(name="volunteer")
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    now = timezone.now()
    existing = set(
        Supporter.objects.filter(email__endswith="@demo.example.org").values_list(
            "email", flat=True
        )
    )
    new = []
    for i in range(SAMPLE_SIZE):
        email = f"supporter{i:04d}@demo.example.org"
        if email in existing:
            continue
        city, state, zip_code = rng.choice(PLACES)
        opted = rng.random() < 0.8
        new.append(
            Supporter(
                email=email,
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
                city=city,
                state=state,
                zip_code=zip_code,
                source="demo",
                email_opt_in=opted,
                opt_in_at=now if opted else None,
                opt_in_source="demo" if opted else "",
                opt_in_method="demo" if opted else "",
            )
        )
    created = Supporter.objects.bulk_create(new)
    memberships = []
    for supporter in created:
        memberships.append(
            ChapterMembership(chapter=chapters["national"], supporter=supporter)
        )
        for chapter in chapters.values():
            if chapter.state and chapter.state == supporter.state:
                memberships.append(
                    ChapterMembership(chapter=chapter, supporter=supporter)
                )
    ChapterMembership.objects.bulk_create(memberships, ignore_conflicts=True)
    volunteer.supporters.add(*created[::7])
    log(f"supporters: {len(chapters)} chapters, {len(created)} new sample supporters")
