import factory
from django.utils import timezone

from campaigns.models import Campaign
from petitions.models import Petition
from supporters.models import Supporter


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    title = factory.Sequence(lambda n: f"Campaign {n}")
    slug = factory.Sequence(lambda n: f"campaign-{n}")
    summary = "Ask for change."
    story = "A **story**."
    status = Campaign.Status.LIVE


class PetitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Petition

    campaign = factory.SubFactory(CampaignFactory)
    title = factory.Sequence(lambda n: f"Petition {n}")
    slug = factory.Sequence(lambda n: f"petition-{n}")
    text = "We ask the *President* to act."
    target = "The next President of the United States"
    goal = 100
    status = Petition.Status.OPEN
    starts_at = factory.LazyFunction(
        lambda: timezone.now() - timezone.timedelta(days=1)
    )


class SupporterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supporter

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = "Ana"
    last_name = "Garcia"
    city = "Austin"
    state = "TX"
    zip_code = "78701"
