import factory
from django.utils import timezone

from accounts.models import Chapter
from supporters.models import ChapterMembership, Supporter


class ChapterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chapter
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Chapter {n}")
    slug = factory.Sequence(lambda n: f"chapter-{n}")
    kind = Chapter.Kind.STATE
    state = "TX"


class SupporterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supporter

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    state = "TX"
    zip_code = "78701"
    email_opt_in = True
    opt_in_at = factory.LazyFunction(timezone.now)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChapterMembership

    chapter = factory.SubFactory(ChapterFactory)
    supporter = factory.SubFactory(SupporterFactory)
