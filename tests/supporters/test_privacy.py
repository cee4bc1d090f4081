"""A supporter's data export, erasure and the retention policy (issue #11, item 1)."""

import datetime as dt
import json
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Chapter, Role
from advocacy import selectors as advocacy_selectors
from advocacy.models import (
    AdvocacyCampaign,
    LetterDelivery,
    LetterSender,
    Outreach,
    PatchCall,
)
from alerts import selectors as alert_selectors
from alerts.models import Alert, AlertRecipient
from legislators.models import Legislator
from petitions import delivery
from petitions import selectors as petition_selectors
from petitions.models import DeliveryReport, Signature, SignatureCountShard
from petitions.services import count_signature
from reach import services as reach_services
from reach.models import DeliveryPacket
from supporters import importing, privacy, services
from supporters.models import (
    ConsentEvent,
    Subscription,
    Supporter,
    SupporterImport,
    Tag,
)
from supporters.selectors import suppressed_emails
from supporters.tasks import apply_retention_task
from tests.accounts.factories import make_leader, make_user
from tests.petitions.factories import PetitionFactory, SupporterFactory
from tests.petitions.test_delivery import _pdftotext

pytestmark = pytest.mark.django_db

EMAIL = "zelda.quixote@example.org"
# Each of these must vanish from every page and file once Zelda is erased.
PERSONAL = (
    EMAIL,
    "Zelda",
    "Quixotewicz",
    "77 Hidden Lane",
    "Marfa",
    "79843",
    "5125550199",
    "my secret comment",
    "Dear Senator, I live near the border",
)


@pytest.fixture
def world():
    texas = Chapter.objects.create(name="Texas", slug="tx", kind="state", state="TX")
    ohio = Chapter.objects.create(name="Ohio", slug="oh", kind="state", state="OH")
    petition = PetitionFactory()
    campaign = petition.campaign
    letter = AdvocacyCampaign.objects.create(
        campaign=campaign, kind=AdvocacyCampaign.Kind.LETTER, script="Please act."
    )
    call = AdvocacyCampaign.objects.create(
        campaign=campaign, kind=AdvocacyCampaign.Kind.CALL, script="Please act."
    )
    senator = Legislator.objects.create(
        name="John Cornyn", last_name="Cornyn", chamber="us_senate", state="TX",
        bioguide_id="C001056",
    )  # fmt: skip
    place = {"state": "TX", "congressional_district": "TX-23"}
    zelda = SupporterFactory(
        email=EMAIL, first_name="Zelda", last_name="Quixotewicz",
        street_address="77 Hidden Lane", city="Marfa", zip_code="79843",
        phone="+15125550199", congressional_district="TX-23",
        email_opt_in=True, opt_in_at=timezone.now(), source="petition:p",
    )  # fmt: skip
    zelda.memberships.create(chapter=texas)
    zelda.tags.add(Tag.objects.create(name="volunteer"))
    ConsentEvent.objects.create(
        supporter=zelda, kind="opt_in", at=timezone.now(), source="petition:p",
        method="petition_checkbox",
    )  # fmt: skip
    Subscription.objects.create(
        supporter=zelda, list="newsletter", subscribed_at=timezone.now()
    )
    other = SupporterFactory(email="bob@example.org", first_name="Bob", city="Austin")
    other.memberships.create(chapter=texas)
    for signer, comment in ((zelda, "my secret comment"), (other, "")):
        Signature.objects.create(
            petition=petition, supporter=signer, referral_code=uuid.uuid4().hex[:16],
            confirmed_at=timezone.now(), comment=comment, is_public=True,
            ip_hash="ab" * 32, chapter=texas, campaign=campaign, **place,
        )  # fmt: skip
        count_signature(petition_id=petition.pk)
    session = uuid.uuid4()
    sent = Outreach.objects.create(
        advocacy_campaign=letter, campaign=campaign, kind="letter", legislator=senator,
        supporter=zelda, session=session, method="email", delivery_status="sent",
        subject="Please act", body="Dear Senator, I live near the border in Marfa.",
        chapter=texas, **place,
    )  # fmt: skip
    sender = LetterSender.objects.create(
        session=session, supporter=zelda, first_name="Zelda",
        last_name="Quixotewicz", street_address="77 Hidden Lane", city="Marfa",
        state="TX", zip_code="79843", email=EMAIL,
    )  # fmt: skip
    LetterDelivery.objects.create(outreach=sent, sender=sender, method="email")
    call_session = uuid.uuid4()
    Outreach.objects.create(
        advocacy_campaign=call, campaign=campaign, kind="call", legislator=senator,
        supporter=zelda, session=call_session, method="patch_through",
        outcome="talked_to_staff", chapter=texas, **place,
    )  # fmt: skip
    PatchCall.objects.create(
        advocacy_campaign=call, session=call_session, phone_number="+15125550199",
        status="in_progress",
        legs=[{"legislator": senator.pk, "script": "Hi, I am Zelda from Marfa"}],
    )  # fmt: skip
    staff_admin = make_user("admin@example.org", role=Role.STAFF_ADMIN)
    alert = Alert.objects.create(
        chapter=texas, subject="Act now", body="Body", from_name="Harbor",
        from_email="tx@example.org", created_by=staff_admin, status="sent",
    )  # fmt: skip
    for supporter in (zelda, other):
        AlertRecipient.objects.create(
            alert=alert, supporter=supporter, email=supporter.email, status="sent",
            sent_at=timezone.now(), opened_at=timezone.now(),
        )  # fmt: skip
    return {
        "texas": texas, "ohio": ohio, "petition": petition, "campaign": campaign,
        "zelda": zelda, "other": other, "alert": alert, "admin": staff_admin,
    }  # fmt: skip


def _export(client, supporter) -> dict:
    response = client.get(reverse("supporters:data-export", args=[supporter.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def test_the_export_holds_everything_on_the_person_across_apps(world, client):
    client.force_login(world["admin"])
    data = _export(client, world["zelda"])
    assert data["format"] == privacy.EXPORT_FORMAT
    assert data["supporter"]["email"] == EMAIL
    assert data["supporter"]["street_address"] == "77 Hidden Lane"
    assert data["supporter"]["phone"] == "+15125550199"
    assert [m["chapter"] for m in data["memberships"]] == ["Texas"]
    assert data["tags"] == ["volunteer"]
    assert [e["kind"] for e in data["consent_history"]] == ["opt_in"]
    assert [s["list"] for s in data["subscriptions"]] == ["newsletter"]
    assert data["suppression"]["on_suppression_list"] is False
    assert [s["comment"] for s in data["signatures"]] == ["my secret comment"]
    bodies = [o["body"] for o in data["outreaches"]]
    assert "Dear Senator, I live near the border in Marfa." in bodies
    assert data["letter_senders"][0]["street_address"] == "77 Hidden Lane"
    assert data["patch_calls"][0]["phone_number"] == "+15125550199"
    assert data["alert_recipients"][0]["email"] == EMAIL
    assert data["alert_recipients"][0]["opened_at"]
    # Only Zelda's rows.
    assert len(data["signatures"]) == 1
    assert len(data["alert_recipients"]) == 1
    event = AuditEvent.objects.get(action=AuditEvent.Action.SUPPORTER_DATA_EXPORT)
    assert event.object_id == str(world["zelda"].pk)
    assert EMAIL not in json.dumps(event.changes)
    assert "Zelda" not in event.object_repr


def test_a_chapter_leader_exports_only_supporters_they_can_see(world, client):
    client.force_login(make_leader(world["ohio"], email="ohio@example.org"))
    url = reverse("supporters:data-export", args=[world["zelda"].pk])
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("supporters:detail", args=[world["zelda"].pk])).status_code
        == 404
    )
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SUPPORTER_DATA_EXPORT)
    client.force_login(make_leader(world["texas"], email="texas@example.org"))
    assert _export(client, world["zelda"])["supporter"]["email"] == EMAIL


def test_the_staff_page_shows_the_consent_history(world, client):
    client.force_login(world["admin"])
    services.unsubscribe_supporter(
        supporter_id=world["zelda"].pk, source="one_click:alert"
    )
    html = client.get(
        reverse("supporters:detail", args=[world["zelda"].pk])
    ).content.decode()
    assert "Consent history" in html
    assert "one_click:alert" in html
    assert "petition_checkbox" in html
    assert "Unsubscribed" in html
    assert "Opted in" in html


def _counts(world) -> dict:
    alert = world["alert"]
    tallies = advocacy_selectors.tallies(
        advocacy_selectors.outreaches_visible_to(
            world["admin"], campaign=world["campaign"]
        )
    )
    return {
        "signatures": petition_selectors.signature_count(
            petition_id=world["petition"].pk, fresh=True
        ),
        "shards": sum(SignatureCountShard.objects.values_list("count", flat=True)),
        "alert": alert_selectors.progress(alert),
        "tallies": [(t.legislator.pk, repr(t)) for t in tallies],
        "outreaches": Outreach.objects.count(),
    }


def _staff_pages(world) -> list[str]:
    slug, camp = world["petition"].slug, world["campaign"].slug
    return [
        reverse("supporters:list"),
        reverse("supporters:list") + "?q=zelda",
        reverse("supporters:export"),
        reverse("supporters:detail", args=[world["zelda"].pk]),
        reverse("petitions:signatures", kwargs={"slug": slug}),
        reverse("petitions:export", kwargs={"slug": slug}),
        reverse("advocacy:staff-outreach", kwargs={"slug": camp}),
        reverse("advocacy:staff-outreach-export", kwargs={"slug": camp}),
        reverse("alerts:detail", args=[world["alert"].pk]),
        reverse("petitions:detail", kwargs={"slug": slug}),
        reverse("petitions:widget", kwargs={"slug": slug}),
        f"/admin/supporters/supporter/{world['zelda'].pk}/change/",
    ]


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_an_erased_supporter_appears_nowhere_and_every_count_stays(world, client):
    zelda = world["zelda"]
    admin = world["admin"]
    client.force_login(admin)
    # Documents rendered before the erasure list her.
    report = delivery.request_delivery_report(petition=world["petition"], user=admin)
    delivery.render_delivery_report(report_id=report.pk)
    packet = reach_services.request_delivery_packet(
        campaign=world["campaign"], user=admin
    )
    reach_services.render_delivery_packet(packet_id=packet.pk)
    assert "Zelda" in _pdftotext(bytes(DeliveryReport.objects.get().pdf))
    pages = _staff_pages(world)
    before = _counts(world)
    assert any("Zelda" in _body(client.get(url)) for url in pages)

    response = client.post(
        reverse("supporters:erase", args=[zelda.pk]), {"confirm": "on"}
    )
    assert response.status_code == 302

    assert _counts(world) == before
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = _body(response)
        for value in PERSONAL:
            assert value not in body, (url, value)
    data = _export(client, zelda)
    for value in PERSONAL:
        assert value not in json.dumps(data, ensure_ascii=False)
    # The stored documents were dropped and are rendered again without her.
    report.refresh_from_db()
    packet.refresh_from_db()
    assert report.status == "pending"
    assert not bytes(report.pdf)
    assert packet.status == "pending"
    assert not bytes(packet.pdf)
    delivery.render_delivery_report(report_id=report.pk)
    reach_services.render_delivery_packet(packet_id=packet.pk)
    report.refresh_from_db()
    packet.refresh_from_db()
    assert report.signature_count == 2
    for document in (
        _pdftotext(bytes(report.pdf)),
        _pdftotext(bytes(packet.pdf)),
        bytes(packet.csv).decode(),
    ):
        for value in PERSONAL:
            assert value not in document
    assert "Bob" in _pdftotext(bytes(report.pdf))
    # Rows kept, anonymous.
    zelda.refresh_from_db()
    assert zelda.erased_at
    assert zelda.email == privacy.erased_email(zelda.pk)
    assert not zelda.is_emailable
    assert (
        Signature.objects.filter(supporter=zelda, comment="", ip_hash="").count() == 1
    )
    assert not LetterSender.objects.exists()
    assert not LetterDelivery.objects.exists()
    assert PatchCall.objects.get().phone_number == ""
    assert "Zelda" not in json.dumps(PatchCall.objects.get().legs)
    assert AlertRecipient.objects.get(supporter=zelda).email == ""
    assert not ConsentEvent.objects.filter(supporter=zelda).exists()
    assert zelda.memberships.count() == 1  # a leader's counts of their chapter stay
    # Audited, with nothing personal.
    event = AuditEvent.objects.get(action=AuditEvent.Action.SUPPORTER_ERASED)
    assert event.actor == admin
    assert event.changes["reason"] == "request"
    for value in PERSONAL:
        assert value not in json.dumps(event.changes) + event.object_repr
    # A second erasure changes nothing.
    assert privacy.erase_supporter(by=admin, supporter_id=zelda.pk) is None


def test_only_a_staff_admin_may_erase(world, client):
    url = reverse("supporters:erase", args=[world["zelda"].pk])
    for user in (
        make_user("staff@example.org", role=Role.STAFF),
        make_leader(world["texas"], email="texas@example.org"),
    ):
        client.force_login(user)
        page = client.get(reverse("supporters:detail", args=[world["zelda"].pk]))
        assert page.status_code == 200
        assert url not in page.content.decode()
        assert client.post(url, {"confirm": "on"}).status_code == 403
    client.force_login(world["admin"])
    # Without the box ticked: a clear message, nothing changed.
    response = client.post(url, {})
    assert response.status_code == 400
    assert "Tick the box" in response.content.decode()
    world["zelda"].refresh_from_db()
    assert world["zelda"].erased_at is None


def test_an_erased_address_that_complained_is_never_mailed_again(world):
    zelda = world["zelda"]
    services.suppress_address(email=EMAIL, reason="complaint", source="webhook:test")
    privacy.erase(zelda.pk)
    assert suppressed_emails([EMAIL], include_unsubscribed=False) == {EMAIL}
    # A later CSV import re-creates her, opted in: she starts suppressed.
    job = importing.create_import(
        file_name="again.csv",
        content=f"email,first_name,opt_in\n{EMAIL},Zelda,yes\n".encode(),
        chapter=world["texas"],
        user=world["admin"],
        enqueue=False,
    )
    importing.run_import(import_id=job.pk)
    again = Supporter.objects.get(email=EMAIL)
    assert again.pk != zelda.pk
    assert again.suppressed_at is not None
    assert not again.is_emailable
    assert not Supporter.objects.filter(email=EMAIL).emailable().exists()
    assert suppressed_emails([EMAIL], include_unsubscribed=False) == {EMAIL}


def test_a_signature_after_erasure_recreates_a_suppressed_supporter(world):
    services.suppress_address(email=EMAIL, reason="bounce", source="webhook:test")
    privacy.erase(world["zelda"].pk)
    supporter, created = services.upsert_supporter(email=EMAIL, opt_in=True)
    assert created
    assert supporter.suppressed_at is not None
    assert not supporter.is_emailable


def test_erasure_scrubs_finished_imports_whose_errors_quote_the_address(world):
    # A finished import's file is dropped already (importing._end); a rejected one's
    # errors may quote a row.
    quoting = SupporterImport.objects.create(
        file_name="list.csv", status="failed", error_count=1,
        errors=[{"line": 2, "reason": f"“{EMAIL.upper()}” appears twice"}],
    )  # fmt: skip
    other = SupporterImport.objects.create(
        file_name="b.csv", status="failed", error_count=1,
        errors=[{"line": 2, "reason": "“bob@example.org” appears twice"}],
    )  # fmt: skip
    counts = privacy.erase(world["zelda"].pk)
    assert counts["imports"] == 1
    quoting.refresh_from_db()
    other.refresh_from_db()
    assert quoting.errors == []
    assert quoting.error_count == 1
    assert other.errors != []


def test_erasure_stops_what_is_still_on_its_way_to_the_person(world):
    from petitions.models import SignatureEmail

    zelda = world["zelda"]
    counted = Signature.objects.get(supporter=zelda)
    thank_you = SignatureEmail.objects.create(signature=counted, kind="thank_you")
    unconfirmed = Signature.objects.create(
        petition=PetitionFactory(), supporter=zelda,
        referral_code=uuid.uuid4().hex[:16], confirmed_at=None,
    )  # fmt: skip
    AlertRecipient.objects.filter(supporter=zelda).update(status="queued")
    before = petition_selectors.signature_count(
        petition_id=unconfirmed.petition_id, fresh=True
    )
    privacy.erase(zelda.pk)
    thank_you.refresh_from_db()
    assert thank_you.status == "skipped"
    assert not Signature.objects.filter(pk=unconfirmed.pk).exists()
    assert (
        petition_selectors.signature_count(
            petition_id=unconfirmed.petition_id, fresh=True
        )
        == before
    )
    assert AlertRecipient.objects.get(supporter=zelda).status == "suppressed"
    # The send path never mails the placeholder, whatever asks it to.
    placeholder = privacy.erased_email(zelda.pk)
    assert suppressed_emails([placeholder], include_unsubscribed=False) == {placeholder}


def test_no_form_can_claim_an_erased_supporters_placeholder(world, client):
    zelda = world["zelda"]
    privacy.erase(zelda.pk)
    placeholder = privacy.erased_email(zelda.pk)
    with pytest.raises(ValidationError):
        services.normalize_email(placeholder.upper())
    response = client.post(
        reverse("supporters:newsletter"),
        {"newsletter-email": placeholder, "newsletter-first_name": "Mallory",
         "newsletter-consent": "on"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "cannot receive email" in response.content.decode()
    zelda.refresh_from_db()
    assert zelda.first_name == ""
    assert not zelda.subscriptions.filter(unsubscribed_at__isnull=True).exists()


# --- retention -------------------------------------------------------------------------


def _aged(model, pk, days, **fields):
    then = timezone.now() - dt.timedelta(days=days)
    model.objects.filter(pk=pk).update(created_at=then, **fields)


def test_retention_deletes_old_unconfirmed_signatures_and_keeps_the_counters(
    world, settings
):
    settings.HARBOR_RETENTION_UNCONFIRMED_DAYS = 30
    petition = world["petition"]
    before = petition_selectors.signature_count(petition_id=petition.pk, fresh=True)
    old = SupporterFactory(email="old@example.org", source=f"petition:{petition.slug}")
    recent = SupporterFactory(email="new@example.org", source="petition:x")
    imported = SupporterFactory(email="imp@example.org", source="import:list.csv")
    for supporter in (old, recent, imported):
        Signature.objects.create(
            petition=petition, supporter=supporter,
            referral_code=uuid.uuid4().hex[:16], confirmed_at=None,
        )  # fmt: skip
    for supporter in (old, imported):
        sig = Signature.objects.get(supporter=supporter)
        _aged(Signature, sig.pk, 31)
    _aged(Signature, Signature.objects.get(supporter=world["other"]).pk, 400)

    apply_retention_task()  # what beat calls, in-process

    assert set(Signature.objects.values_list("supporter__email", flat=True)) == {
        EMAIL, "bob@example.org", "new@example.org",
    }  # fmt: skip
    # The supporter the unconfirmed signature alone created is gone; an imported one
    # stays.
    assert not Supporter.objects.filter(email="old@example.org").exists()
    assert Supporter.objects.filter(email="imp@example.org").exists()
    assert (
        petition_selectors.signature_count(petition_id=petition.pk, fresh=True)
        == before
    )
    assert sum(SignatureCountShard.objects.values_list("count", flat=True)) == before


def test_retention_anonymises_long_inactive_supporters(world, settings):
    settings.HARBOR_RETENTION_INACTIVE_YEARS = 3
    settings.HARBOR_RETENTION_UNCONFIRMED_DAYS = 0
    long_ago = timezone.now() - dt.timedelta(days=4 * 366)
    sleeper = SupporterFactory(email="sleeper@example.org")
    reader = SupporterFactory(email="reader@example.org")
    AlertRecipient.objects.create(
        alert=world["alert"], supporter=reader, email=reader.email,
        clicked_at=timezone.now() - dt.timedelta(days=30),
    )  # fmt: skip
    login = SupporterFactory(
        email="leader@example.org", user=make_user("l@example.org")
    )
    for s in (sleeper, reader, login, world["other"]):
        Supporter.objects.filter(pk=s.pk).update(
            created_at=long_ago, updated_at=long_ago
        )
    # Bob's signature and open are old too, except his open of last month is recent.
    Signature.objects.filter(supporter=world["other"]).update(
        created_at=long_ago, confirmed_at=long_ago
    )
    AlertRecipient.objects.filter(supporter=world["other"]).update(
        opened_at=long_ago, sent_at=long_ago
    )
    signatures = petition_selectors.signature_count(
        petition_id=world["petition"].pk, fresh=True
    )

    result = privacy.apply_retention()

    assert result["inactive_erased"] == 2
    erased = set(
        Supporter.objects.filter(erased_at__isnull=False).values_list("pk", flat=True)
    )
    assert erased == {sleeper.pk, world["other"].pk}
    assert Signature.objects.filter(supporter=world["other"]).exists()
    assert (
        petition_selectors.signature_count(petition_id=world["petition"].pk, fresh=True)
        == signatures
    )
    events = AuditEvent.objects.filter(action=AuditEvent.Action.SUPPORTER_ERASED)
    assert {e.via for e in events} == {"system"}
    assert events.count() == 2
    assert privacy.apply_retention()["inactive_erased"] == 0


def test_the_retention_task_is_on_the_beat_schedule():
    from harbor.celery import app

    entries = {e["task"]: e for e in app.conf.beat_schedule.values()}
    assert entries["supporters.apply_retention"]["schedule"] == 24 * 3600
    assert apply_retention_task.name == "supporters.apply_retention"


def test_the_erase_page_speaks_spanish(world, client):
    client.force_login(world["admin"])
    html = client.get(
        reverse("supporters:detail", args=[world["zelda"].pk]),
        HTTP_ACCEPT_LANGUAGE="es",
    ).content.decode()
    assert "Historial de consentimiento" in html
    assert DeliveryPacket.objects.count() == 0
