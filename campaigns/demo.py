"""The demo campaign."""

from accounts.models import Chapter

from .models import Campaign

STORY = """Every year, children in the United States are bought and sold for sex.
**Harbor** works so that every one of them is treated as a victim, not an offender, and so
that the people who exploit them are held to account.

- Ask the next President to make the fight against child trafficking a priority.
- Ask Congress to reauthorize and fund the Trafficking Victims Protection Act.
- Ask your state to pass and fund a full *Safe Harbor* law.
"""


def seed(log) -> None:
    national = Chapter.objects.filter(slug="national").first()
    campaign, created = Campaign.objects.get_or_create(
        slug="generation-freedom",
        defaults={
            "title": "Generation Freedom",
            "summary": "Ask the next President to invest in the fight against child trafficking.",
            "story": STORY,
            "status": Campaign.Status.LIVE,
            "chapter": national,
        },
    )
    log(f"campaigns: {campaign.title} ({'new' if created else 'exists'})")
