"""The demo petition: Generation Freedom, with demo signatures and organisation sign-ons."""

import random

from django.utils import timezone

from campaigns.models import Campaign
from supporters.models import Supporter

from . import services
from .models import OrganisationSignOn, Petition, Signature

TEXT = """We, the undersigned, ask the next President of the United States to make the fight
against child trafficking a priority from the first day in office:

1. **Fund** the Trafficking Victims Protection Act in full, every year.
2. **Protect** every exploited child as a victim, never as an offender, in every state.
3. **Train** the people who meet children at risk: teachers, nurses, flight crews, hotel staff.

A generation free from trafficking is possible. It starts with a promise.
"""
COMMENTS = ["", "", "", "For my daughters.", "I am a teacher and I see the risk every day.",
            "Safe Harbor now!", "", "No child is for sale."]  # fmt: skip
SIGN_ONS = [
    ("Lone Star Youth Shelter", "nonprofit", "Austin", "TX"),
    ("Buckeye Tours & Travel", "travel", "Columbus", "OH"),
]
DEMO_SIGNATURES = 120


def seed(log) -> None:
    campaign = Campaign.objects.filter(slug="generation-freedom").first()
    if campaign is None:
        log("petitions: no generation-freedom campaign, skipped")
        return
    petition, created = Petition.objects.get_or_create(
        slug="generation-freedom",
        defaults={
            "campaign": campaign,
            "title": "Generation Freedom: a promise to end child trafficking",
            "text": TEXT,
            "target": "The next President of the United States",
            "goal": 100000,
            "status": Petition.Status.OPEN,
            "starts_at": timezone.now(),
        },
    )
    rng = random.Random(4)  # noqa: S311 - demo data, not security
    signed = set(petition.signatures.values_list("supporter_id", flat=True))
    supporters = Supporter.objects.filter(email__endswith="@demo.example.org").order_by(
        "pk"
    )
    new = []
    for supporter in supporters[:DEMO_SIGNATURES]:
        if supporter.pk in signed:
            continue
        is_public = rng.random() < 0.7
        new.append(
            Signature(
                petition=petition,
                supporter=supporter,
                comment=rng.choice(COMMENTS),
                is_public=is_public,
                # Demo signers "typed" their own record's name and city.
                public_name=supporter.first_name if is_public else "",
                public_city=supporter.city if is_public else "",
                confirmed_at=timezone.now(),
                referral_code=services.new_referral_code(),
                utm_source=rng.choice(["", "", "facebook", "email"]),
                channel="demo",
            )
        )
    Signature.objects.bulk_create(new, ignore_conflicts=True)
    services.recount_signatures(petition_id=petition.pk)
    for name, kind, city, state in SIGN_ONS:
        sign_on, _ = OrganisationSignOn.objects.get_or_create(
            petition=petition,
            name=name,
            contact_email="partners@demo.example.org",
            defaults={
                "kind": kind,
                "city": city,
                "state": state,
                "contact_name": "Demo Contact",
            },
        )
        if sign_on.status == OrganisationSignOn.Status.PENDING:
            services.review_sign_ons(sign_on_ids=[sign_on.pk], approve=True, user=None)
    log(
        f"petitions: {petition.title} ({'new' if created else 'exists'}), "
        f"{len(new)} new demo signatures"
    )
