"""An outside client's view of the API: two state chapters with their members, a
national staff token and a Texas chapter token, a petition, a call action, a tag.

Requests go through the test client with the token header, as any HTTP client would
send them; the tests follow the HAL links the answers give rather than build URLs."""

import pytest
from django.utils import timezone

from accounts.models import Chapter, Role
from advocacy.models import AdvocacyCampaign
from api import services
from legislators.models import Chamber, Legislator
from supporters.models import ChapterMembership, Supporter, Tag
from tests.accounts.factories import make_leader, make_user
from tests.petitions.factories import CampaignFactory, PetitionFactory

API = "/api/v1/"


class Client:
    """The test client with a token, speaking JSON."""

    def __init__(self, client, secret: str, header: str = "HTTP_OSDI_API_TOKEN"):
        self.client, self.secret, self.header = client, secret, header

    def _headers(self) -> dict:
        if self.header == "HTTP_AUTHORIZATION":
            return {self.header: f"Token {self.secret}"}
        return {self.header: self.secret}

    def get(self, url: str, **params):
        return self.client.get(url, params, **self._headers())

    def post(self, url: str, body):
        return self.client.post(
            url, body, content_type="application/json", **self._headers()
        )

    def follow(self, *rels: str):
        """From the entry point, follow each link relation in turn."""
        doc = self.get(API).json()
        for rel in rels:
            doc = self.get(doc["_links"][rel]["href"]).json()
        return doc


def member(chapter, email: str, **fields) -> Supporter:
    supporter = Supporter.objects.create(email=email, **fields)
    ChapterMembership.objects.create(chapter=chapter, supporter=supporter)
    return supporter


@pytest.fixture
def world(db):
    texas = Chapter.objects.create(name="Texas", slug="tx", kind="state", state="TX")
    ohio = Chapter.objects.create(name="Ohio", slug="oh", kind="state", state="OH")
    texans = [
        member(
            texas,
            f"texan{i}@example.org",
            first_name=f"Tex{i}",
            last_name="Ranger",
            city="Austin",
            state="TX",
            zip_code="78701",
            email_opt_in=True,
            opt_in_at=timezone.now(),
        )
        for i in range(3)
    ]
    ohioan = member(
        ohio,
        "ohioan@example.org",
        first_name="Olga",
        last_name="Buckeye",
        city="Columbus",
        state="OH",
        zip_code="43215",
        phone="+16145550123",
    )
    admin = make_user("admin@example.org", role=Role.STAFF_ADMIN)
    leader = make_leader(texas, email="leader@example.org")
    national = services.create_token(by=admin, name="national sync", chapter=None)
    chapter = services.create_token(by=leader, name="texas sync", chapter=texas)
    tag = Tag.objects.create(name="volunteer")
    texans[0].tags.add(tag)
    ohioan.tags.add(tag)
    petition = PetitionFactory(slug="generation-freedom", title="Generation Freedom")
    action = AdvocacyCampaign.objects.create(
        campaign=CampaignFactory(slug="call-tvpa", title="Reauthorize the TVPA"),
        kind=AdvocacyCampaign.Kind.CALL,
        targets_own_us_senators=True,
        script="Please act, {{ legislator_title }}.",
    )
    senator = Legislator.objects.create(
        bioguide_id="C001056",
        name="John Cornyn",
        first_name="John",
        last_name="Cornyn",
        chamber=Chamber.US_SENATE,
        state="TX",
    )
    return {
        "texas": texas,
        "ohio": ohio,
        "texans": texans,
        "ohioan": ohioan,
        "admin": admin,
        "leader": leader,
        "national": national,
        "chapter": chapter,
        "tag": tag,
        "petition": petition,
        "action": action,
        "senator": senator,
    }


@pytest.fixture
def national_api(client, world):
    return Client(client, world["national"].secret)


@pytest.fixture
def chapter_api(client, world):
    return Client(client, world["chapter"].secret)
