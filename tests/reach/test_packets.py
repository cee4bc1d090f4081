"""Delivery packets: each targeted legislator's own constituents who signed, called and
wrote (names and city only), as a PDF in every script and a CSV, rendered as a job,
requested from a staff page scoped by role."""

import csv
import io
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Chapter
from advocacy.models import AdvocacyCampaign, Outreach
from legislators.models import Legislator
from petitions.models import Signature
from reach import selectors, services, tasks
from reach.models import DeliveryPacket
from tests.accounts.factories import make_leader
from tests.petitions.factories import PetitionFactory, SupporterFactory
from tests.petitions.test_delivery import _pdftotext

pytestmark = pytest.mark.django_db


def _leg(**values) -> Legislator:
    federal = values["chamber"].startswith("us_")
    key = "bioguide_id" if federal else "openstates_id"
    values.setdefault(
        key,
        f"B{Legislator.objects.count():06d}"
        if federal
        else f"ocd-person/{uuid.uuid4()}",
    )
    return Legislator.objects.create(**values)


@pytest.fixture
def world():
    texas = Chapter.objects.create(name="Texas", slug="tx", kind="state", state="TX")
    california = Chapter.objects.create(
        name="California", slug="ca", kind="state", state="CA"
    )
    petition = PetitionFactory()
    campaign = petition.campaign
    call = AdvocacyCampaign.objects.create(
        campaign=campaign,
        kind=AdvocacyCampaign.Kind.CALL,
        targets_own_us_senators=True,
        targets_own_us_representative=True,
        script="Please act.",
    )
    letter = AdvocacyCampaign.objects.create(
        campaign=campaign, kind=AdvocacyCampaign.Kind.LETTER, script="Please act."
    )
    legs = {
        "cornyn": _leg(name="John Cornyn", last_name="Cornyn", party="Republican",
                       chamber="us_senate", state="TX"),
        "tx07": _leg(name="Lizzie Fletcher", last_name="Fletcher", party="Democrat",
                     chamber="us_house", state="TX", district="7"),
        "tx37": _leg(name="Lloyd Doggett", last_name="Doggett", party="Democrat",
                     chamber="us_house", state="TX", district="37"),
        "ca12": _leg(name="Lateefah Simon", last_name="Simon", party="Democrat",
                     chamber="us_house", state="CA", district="12"),
        "named": _leg(name="Named Target", last_name="Target", party="Independent",
                      chamber="us_house", state="OH", district="3"),
        "txsen14": _leg(name="Sarah Eckhardt", last_name="Eckhardt", party="Democrat",
                        chamber="state_upper", state="TX", district="14"),
    }  # fmt: skip
    call.target_legislators.add(legs["named"])

    def sign(first, last, city, place, chapter, *, confirmed=True, **extra):
        supporter = SupporterFactory(
            first_name=first, last_name=last, city=city, phone="+15125550100",
            street_address="12 Secret Street", **extra,
        )  # fmt: skip
        Signature.objects.create(
            petition=petition,
            supporter=supporter,
            referral_code=uuid.uuid4().hex[:16],
            confirmed_at=timezone.now() if confirmed else None,
            chapter=chapter,
            **place,
        )
        return supporter

    def reach(supporter, legislator, kind, place, chapter, **extra):
        Outreach.objects.create(
            advocacy_campaign=call if kind == "call" else letter,
            campaign=campaign,
            kind=kind,
            legislator=legislator,
            supporter=supporter,
            session=uuid.uuid4(),
            method="click_to_call" if kind == "call" else "email",
            chapter=chapter,
            **place,
            **extra,
        )

    tx07 = {"state": "TX", "congressional_district": "TX-07",
            "state_upper_district": "14"}  # fmt: skip
    tx37 = {"state": "TX", "congressional_district": "TX-37"}
    ca12 = {"state": "CA", "congressional_district": "CA-12"}
    maryam = sign("مريم", "العربي", "الرياض", tx07, texas)
    li = sign("李", "小龙", "北京", tx37, texas)
    anita = SupporterFactory(first_name="अनीता", last_name="शर्मा", city="पुणे")
    sign("Unconfirmed", "Signer", "Austin", tx07, texas, confirmed=False)
    sign("Carla", "Cruz", "Oakland", ca12, california)
    reach(maryam, legs["tx07"], "call", tx07, texas, outcome="left_voicemail")
    reach(li, legs["cornyn"], "call", tx37, texas, outcome="talked_to_staff")
    reach(
        li, legs["tx07"], "call", tx37, texas, outcome="talked_to_staff"
    )  # not theirs
    reach(anita, legs["tx37"], "letter", tx37, texas, delivery_status="sent")
    reach(anita, legs["cornyn"], "letter", tx37, texas, delivery_status="no_route")
    reach(None, legs["tx37"], "call", tx37, texas, outcome="busy_or_no_answer")
    reach(None, legs["tx37"], "call", tx37, texas, outcome="skipped")
    return {"campaign": campaign, "legs": legs, "texas": texas,
            "california": california}  # fmt: skip


def _by_name(packets):
    return {p.legislator.name: p for p in packets}


def test_each_target_lists_only_its_own_constituents(world, staff_user):
    packets = _by_name(
        selectors.delivery_packet(staff_user, campaign=world["campaign"])
    )

    # Every targeted seat with acting constituents, plus the named target; not the
    # state senator (a national campaign targets members of Congress).
    assert set(packets) == {
        "John Cornyn", "Lizzie Fletcher", "Lloyd Doggett", "Lateefah Simon",
        "Named Target",
    }  # fmt: skip
    fletcher = packets["Lizzie Fletcher"]
    assert (fletcher.signatures, fletcher.calls, fletcher.letters) == (1, 1, 0)
    assert [(c.name, c.city, c.signed, c.called) for c in fletcher.listed] == [
        ("مريم العربي", "الرياض", True, True)
    ]
    doggett = packets["Lloyd Doggett"]
    # Li signed, Anita wrote, one caller without a name; the skipped call is not counted.
    assert (doggett.signatures, doggett.calls, doggett.letters) == (1, 1, 1)
    assert doggett.unnamed == 1
    assert doggett.constituent_count == 3
    assert {c.name: (c.signed, c.wrote) for c in doggett.listed} == {
        "李 小龙": (True, False),
        "अनीता शर्मा": (False, True),
    }
    cornyn = packets["John Cornyn"]
    # Senators: every Texan who acted; the letter with no route did not reach him.
    assert (cornyn.signatures, cornyn.calls, cornyn.letters) == (2, 1, 0)
    assert packets["Lateefah Simon"].signatures == 1
    assert packets["Named Target"].constituent_count == 0


def test_a_chapter_leader_gets_only_their_chapters_actions(world):
    leader = make_leader(world["california"])
    packets = _by_name(selectors.delivery_packet(leader, campaign=world["campaign"]))
    assert packets["Lateefah Simon"].signatures == 1
    assert "Lizzie Fletcher" not in packets
    names = {c.name for p in packets.values() for c in p.listed}
    assert names == {"Carla Cruz"}


def test_the_pdf_draws_every_script_and_holds_no_contact_details(world, staff_user):
    packets = selectors.delivery_packet(staff_user, campaign=world["campaign"])
    pdf = services.documents.render_packet_pdf(title="TVPA", packets=packets)
    text = _pdftotext(pdf)
    for word in ("العربي", "الرياض", "小龙", "北京", "Fletcher", "Doggett"):
        assert word in text
    # Devanagari: pdftotext reorders vowel signs; its consonants are all there.
    assert "श" in text
    assert "पु" in text or "प" in text
    for secret in ("example.org", "555", "Secret Street", "Unconfirmed"):
        assert secret not in text


def test_the_csv_lists_names_and_cities_formula_safe(world, staff_user):
    packets = selectors.delivery_packet(staff_user, campaign=world["campaign"])
    body = services.documents.render_packet_csv(packets).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["legislator", "legislator_id", "seat", "name", "city",
                       "signed", "called", "wrote"]  # fmt: skip
    assert ["Lizzie Fletcher", world["legs"]["tx07"].bioguide_id, "TX-07",
            "مريم العربي", "الرياض", "yes", "yes", ""] in rows  # fmt: skip
    assert "example.org" not in body
    assert "Secret" not in body


def test_a_requested_packet_is_audited_and_rendered_once_by_the_job(
    world, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        packet = services.request_delivery_packet(
            campaign=world["campaign"], user=staff_user
        )
    assert len(callbacks) == 1
    event = AuditEvent.objects.get(action=AuditEvent.Action.DELIVERY_REQUESTED)
    assert event.changes == {"delivery_packet": packet.pk}

    tasks.render_delivery_packet_task(packet.pk)
    packet.refresh_from_db()
    assert packet.status == DeliveryPacket.Status.DONE
    assert packet.legislator_count == 5
    assert bytes(packet.pdf).startswith(b"%PDF")
    assert "Doggett" in bytes(packet.csv).decode("utf-8-sig")
    # Redelivered: nothing to claim, nothing rendered again.
    assert services.render_delivery_packet(packet_id=packet.pk) is None
    assert tasks.render_delivery_packet_task.name == "reach.render_delivery_packet"


def test_the_staff_page_requests_and_lists_packets_in_a_fixed_number_of_queries(
    world, staff_client, staff_user, django_assert_max_num_queries
):
    url = reverse("reach:packets", kwargs={"slug": world["campaign"].slug})
    response = staff_client.post(url)
    assert response.status_code == 302
    for packet in DeliveryPacket.objects.all():
        services.render_delivery_packet(packet_id=packet.pk)
    for _ in range(5):
        DeliveryPacket.objects.create(
            campaign=world["campaign"], requested_by=staff_user
        )
    with django_assert_max_num_queries(8):
        response = staff_client.get(url)
    assert response.status_code == 200
    done = DeliveryPacket.objects.get(status="done")
    assert f"/packets/{done.pk}.pdf" in response.content.decode()
    pdf = staff_client.get(
        reverse(
            "reach:packet-file",
            kwargs={"slug": world["campaign"].slug, "pk": done.pk, "fmt": "pdf"},
        )
    )
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_another_leaders_packet_cannot_be_seen_or_downloaded(world, client, staff_user):
    packet = services.request_delivery_packet(
        campaign=world["campaign"], user=staff_user
    )
    services.render_delivery_packet(packet_id=packet.pk)
    leader = make_leader(world["texas"])
    client.force_login(leader)
    slug = world["campaign"].slug
    page = client.get(reverse("reach:packets", kwargs={"slug": slug}))
    assert f"/packets/{packet.pk}.pdf" not in page.content.decode()
    for fmt in ("pdf", "csv"):
        url = reverse(
            "reach:packet-file", kwargs={"slug": slug, "pk": packet.pk, "fmt": fmt}
        )
        assert client.get(url).status_code == 404


def test_anonymous_and_non_staff_are_turned_away(world, client):
    url = reverse("reach:packets", kwargs={"slug": world["campaign"].slug})
    assert client.get(url).status_code == 302
    assert client.post(url).status_code == 302
    assert not DeliveryPacket.objects.exists()


def test_a_packet_in_progress_is_said_with_a_reload_link_not_a_timed_refresh(
    world, staff_client, staff_user
):
    """A page that reloads itself every few seconds throws a screen reader back to the
    top (axe: meta-refresh); the page says the packet is coming and links to itself."""
    url = reverse("reach:packets", kwargs={"slug": world["campaign"].slug})
    DeliveryPacket.objects.create(campaign=world["campaign"], requested_by=staff_user)
    text = staff_client.get(url).content.decode()
    assert 'http-equiv="refresh"' not in text
    assert "A packet is being prepared" in text
    assert f'<a href="{url}">Reload this page to get it.</a>' in text
    for packet in DeliveryPacket.objects.all():
        services.render_delivery_packet(packet_id=packet.pk)
    assert "A packet is being prepared" not in staff_client.get(url).content.decode()


def test_the_staff_page_speaks_spanish(world, staff_client):
    url = reverse("reach:packets", kwargs={"slug": world["campaign"].slug})
    page = staff_client.get(url, HTTP_ACCEPT_LANGUAGE="es")
    assert "Preparar un nuevo paquete de entrega" in page.content.decode()


def test_a_real_worker_renders_a_requested_packet(
    celery_worker_process, world, client, staff_user
):
    client.force_login(staff_user)
    url = reverse("reach:packets", kwargs={"slug": world["campaign"].slug})
    assert client.post(url).status_code == 302

    def done():
        packet = DeliveryPacket.objects.first()
        return packet is not None and packet.status == "done" and packet

    packet = celery_worker_process(done, timeout=120)
    assert packet.legislator_count == 5
    assert "Doggett" in _pdftotext(bytes(packet.pdf))


def test_a_campaign_without_placed_actions_says_so(staff_user):
    campaign = PetitionFactory().campaign
    # Signed without a state or district: nobody's constituent.
    Signature.objects.create(
        petition=PetitionFactory(campaign=campaign),
        supporter=SupporterFactory(),
        referral_code="nowhere",
        confirmed_at=timezone.now(),
    )
    packets = selectors.delivery_packet(staff_user, campaign=campaign)
    assert packets == []
    pdf = services.documents.render_packet_pdf(title=campaign.title, packets=packets)
    assert "No targeted legislator has a constituent" in _pdftotext(pdf)
