"""Deliveries made for new records, and the delivery itself against a loopback
receiver: signed, retried on 429/5xx/network errors with backoff, failed for good on
other answers, and a chapter's endpoint never gets another chapter's records."""

import json
import math
import uuid
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from harbor.events import announce_created
from petitions.models import Signature
from supporters.models import ChapterMembership, Supporter
from tests.petitions.factories import PetitionFactory, SupporterFactory
from webhooks import services, transport
from webhooks.models import WebhookDelivery

from .conftest import ALL_EVENTS, make_endpoint, member, sign
from .receiver import verify

pytestmark = pytest.mark.django_db


def _due(delivery: WebhookDelivery) -> None:
    """Time passes: the backoff is over."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_signature_makes_one_delivery_that_arrives_signed(
    receiver, chapters, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(receiver.url)
    supporter = member(
        chapters[0], street_address="12 Secret Street", phone="+15125550100"
    )
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(supporter, comment="Please.")
    (delivery,) = WebhookDelivery.objects.all()
    assert (delivery.event, delivery.object_id) == ("signature.created", signature.pk)
    assert delivery.status == "pending"

    services.deliver(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (
        "done",
        1,
        200,
    )
    (request,) = receiver.requests
    headers, body = request["headers"], request["body"]
    assert verify(endpoint.secret, headers, body)
    assert not verify("another-secret", headers, body)
    assert headers["Idempotency-Key"] == str(delivery.idempotency_key)
    assert headers["X-Harbor-Event"] == "signature.created"
    document = json.loads(body)
    assert document["idempotency_key"] == str(delivery.idempotency_key)
    assert document["event"] == "signature.created"
    sig = document["osdi:signature"]
    assert sig["identifiers"] == [f"harbor:{signature.pk}"]
    assert sig["comments"] == "Please."
    assert sig["harbor:confirmed"] is True
    assert sig["_links"]["osdi:petition"]["href"].endswith(
        f"/api/v1/petitions/{signature.petition_id}/"
    )
    person = sig["_embedded"]["osdi:person"]
    assert person["identifiers"] == [f"harbor:{supporter.pk}"]
    assert person["email_addresses"][0]["address"] == supporter.email
    # No more personal data than a CRM needs to match the person.
    assert "Secret Street" not in body.decode()
    assert "5550100" not in body.decode()
    assert delivery.payload == {}  # delivered: Harbor's copy of the data is dropped


def test_a_signed_timestamp_stops_a_replay_and_a_changed_body_fails(receiver):
    body = b'{"event":"x"}'
    old = str(int(timezone.now().timestamp()) - 3600)
    headers = {
        "X-Harbor-Timestamp": old,
        "X-Harbor-Signature": transport.signature("s", old, body),
    }
    assert not verify("s", headers, body)  # an hour old: refused
    now = str(int(timezone.now().timestamp()))
    headers = {
        "X-Harbor-Timestamp": now,
        "X-Harbor-Signature": transport.signature("s", old, body),
    }
    assert not verify("s", headers, body)  # the timestamp is signed: not swappable
    headers["X-Harbor-Signature"] = transport.signature("s", now, body)
    assert verify("s", headers, body)
    assert not verify("s", headers, body + b" ")


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_transient_answer_is_retried_with_backoff_and_the_same_key(
    receiver, chapters, django_capture_on_commit_callbacks, status
):
    make_endpoint(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        sign(member(chapters[0]))
    delivery = WebhookDelivery.objects.get()
    receiver.statuses = [status]

    services.deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert (delivery.attempts, delivery.response_status) == (1, status)
    assert delivery.last_error == f"HTTP {status}"
    assert delivery.next_attempt_at > timezone.now()
    assert services.deliver(delivery_id=delivery.pk) is None  # not due yet

    _due(delivery)
    services.deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (
        "done",
        2,
        200,
    )
    keys = [r["headers"]["Idempotency-Key"] for r in receiver.requests]
    assert keys == [str(delivery.idempotency_key)] * 2
    assert receiver.requests[0]["body"] == receiver.requests[1]["body"]


def test_retry_after_is_honoured(
    receiver, chapters, django_capture_on_commit_callbacks
):
    make_endpoint(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        sign(member(chapters[0]))
    delivery = WebhookDelivery.objects.get()
    receiver.statuses = [429]
    receiver.headers_for[429] = {"Retry-After": "1800"}
    services.deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.next_attempt_at > timezone.now() + timedelta(minutes=29)


@pytest.mark.parametrize("status", [400, 401, 404, 410])
def test_another_4xx_fails_for_good_at_once(
    receiver, chapters, django_capture_on_commit_callbacks, status
):
    make_endpoint(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        sign(member(chapters[0]))
    delivery = WebhookDelivery.objects.get()
    receiver.statuses = [status]
    services.deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (
        "failed",
        1,
        status,
    )
    assert delivery.finished_at is not None
    assert services.deliver(delivery_id=delivery.pk) is None


def test_a_redirect_is_not_followed(
    receiver, chapters, django_capture_on_commit_callbacks
):
    make_endpoint(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        sign(member(chapters[0]))
    delivery = WebhookDelivery.objects.get()
    receiver.statuses = [302]
    receiver.headers_for[302] = {"Location": "http://169.254.169.254/latest/"}
    services.deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert "redirects are not followed" in delivery.last_error
    assert len(receiver.requests) == 1


def test_a_network_failure_is_retried_until_max_attempts_then_failed(
    chapters, django_capture_on_commit_callbacks
):
    # A port nobody listens on: connection refused.
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    make_endpoint(f"http://127.0.0.1:{port}/hook")
    with django_capture_on_commit_callbacks(execute=True):
        sign(member(chapters[0]))
    delivery = WebhookDelivery.objects.get()
    for attempt in range(1, WebhookDelivery.max_attempts + 1):
        services.deliver(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        assert delivery.last_error == "ConnectionError"
        _due(delivery)
    assert delivery.status == "failed"
    assert delivery.response_status is None
    assert services.deliver(delivery_id=delivery.pk) is None


def test_a_private_address_is_refused_outside_tests(
    receiver, chapters, django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    make_endpoint(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        sign(member(chapters[0]))
    delivery = WebhookDelivery.objects.get()
    services.deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert "private" in delivery.last_error
    assert receiver.requests == []  # not a byte sent
    for url in ("http://127.0.0.1/x", "http://10.1.2.3/", "http://[::1]/",
                "http://localhost:8000/", "http://169.254.169.254/"):  # fmt: skip
        assert transport.url_problem(url) == "private"
    assert transport.url_problem("ftp://example.org/") == "scheme"
    assert transport.url_problem("https://u:p@example.org/") == "credentials"
    assert transport.url_problem("https://hooks.example.org/x?token=1") == ""


def test_a_chapter_endpoint_never_gets_another_chapters_records(
    chapters, django_capture_on_commit_callbacks
):
    from advocacy.models import AdvocacyCampaign, Outreach
    from tests.reach.test_packets import _leg

    texas, california = chapters
    national = make_endpoint("https://n.example.org/", events=ALL_EVENTS)
    tx = make_endpoint("https://tx.example.org/", chapter=texas, events=ALL_EVENTS)
    petition = PetitionFactory()
    call = AdvocacyCampaign.objects.create(
        campaign=petition.campaign, kind=AdvocacyCampaign.Kind.CALL, script="Act."
    )
    senator = _leg(name="A B", chamber="us_senate", state="TX")
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            ana = SupporterFactory(email="ana@example.org")
            ChapterMembership.objects.create(supporter=ana, chapter=texas)
            carla = SupporterFactory(email="carla@example.org", state="CA")
            ChapterMembership.objects.create(supporter=carla, chapter=california)
            loner = SupporterFactory(email="loner@example.org")
        sign(ana, petition)
        # Credited to Texas, but the signer is California's: not Texas's to see.
        sign(carla, petition, chapter=texas)
        sign(loner, petition)
        for who, chapter in ((ana, texas), (carla, california), (None, texas)):
            Outreach.objects.create(
                advocacy_campaign=call, campaign=petition.campaign, kind="call",
                legislator=senator, supporter=who, session=uuid.uuid4(),
                method="click_to_call", chapter=chapter, outcome="left_voicemail",
            )  # fmt: skip

    def received(endpoint):
        return sorted(
            (d.event, d.object_id)
            for d in WebhookDelivery.objects.filter(endpoint=endpoint)
        )

    sigs = {s.supporter_id: s.pk for s in Signature.objects.all()}
    calls = {o.supporter_id: o.pk for o in Outreach.objects.all()}
    assert len(received(national)) == 3 + 3 + 3
    assert received(tx) == sorted(
        [
            ("supporter.created", ana.pk),
            ("signature.created", sigs[ana.pk]),
            ("outreach.created", calls[ana.pk]),
            ("outreach.created", calls[None]),  # a Texas call with no supporter
        ]
    )
    documents = json.dumps(
        list(
            WebhookDelivery.objects.filter(endpoint=tx).values_list(
                "payload", flat=True
            )
        )
    )
    assert "carla@example.org" not in documents
    assert "loner@example.org" not in documents


def test_an_endpoint_gets_only_its_events_and_none_when_off(
    receiver, chapters, django_capture_on_commit_callbacks
):
    people = make_endpoint(receiver.url, events=["supporter.created"])
    make_endpoint(receiver.url, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        supporter = member(chapters[0])
        sign(supporter)
    (delivery,) = WebhookDelivery.objects.all()
    assert (delivery.endpoint, delivery.event) == (people, "supporter.created")
    # Turned off before it was sent: skipped, nothing sent.
    people.is_active = False
    people.save()
    services.deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "skipped"
    assert receiver.requests == []


def test_nothing_is_made_for_a_rolled_back_record(
    chapters, django_capture_on_commit_callbacks
):
    make_endpoint("https://n.example.org/")
    supporter = member(chapters[0])
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                sign(supporter)
                raise RuntimeError
        except RuntimeError:
            pass
    assert not WebhookDelivery.objects.exists()


def test_a_bulk_announce_of_1000_records_makes_deliveries_in_a_few_queries(
    chapters, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    texas, _ = chapters
    national = make_endpoint("https://n.example.org/")
    tx = make_endpoint("https://tx.example.org/", chapter=texas)
    petition = PetitionFactory()
    people = Supporter.objects.bulk_create(
        [SupporterFactory.build(email=f"p{i}@example.org") for i in range(1000)]
    )
    ChapterMembership.objects.bulk_create(
        [ChapterMembership(supporter=p, chapter=texas) for p in people[:400]]
    )
    signatures = Signature.objects.bulk_create(
        [
            Signature(petition=petition, supporter=p, referral_code=f"c{i:07d}")
            for i, p in enumerate(people)
        ]
    )
    with django_capture_on_commit_callbacks() as callbacks:
        announce_created(Signature, [s.pk for s in signatures])
    # The endpoints; then two batches of 500 records: a read and a visibility query
    # each, and the INSERTs (500 rows each on PostgreSQL; SQLite's limit of 999
    # parameters cuts them smaller); the transaction's own statements.
    fields = [f for f in WebhookDelivery._meta.concrete_fields if not f.primary_key]
    per_insert = min(500, connection.ops.bulk_batch_size(fields, [None] * 500))
    inserts = math.ceil(1000 / per_insert) + math.ceil(400 / per_insert)
    with django_assert_max_num_queries(1 + 2 * 2 + inserts + 3):
        for callback in callbacks:
            callback()
    assert WebhookDelivery.objects.filter(endpoint=national).count() == 1000
    assert WebhookDelivery.objects.filter(endpoint=tx).count() == 400
    keys = set(WebhookDelivery.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == 1400


def test_a_burst_is_queued_as_one_fan_out_message(
    chapters, django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOKS_ENQUEUE_INLINE_MAX = 2
    make_endpoint("https://n.example.org/")
    petition = PetitionFactory()
    people = Supporter.objects.bulk_create(
        [SupporterFactory.build(email=f"p{i}@example.org") for i in range(5)]
    )
    signatures = Signature.objects.bulk_create(
        [
            Signature(petition=petition, supporter=p, referral_code=f"c{i:07d}")
            for i, p in enumerate(people)
        ]
    )
    with django_capture_on_commit_callbacks() as outer:
        announce_created(Signature, [s.pk for s in signatures])
    with django_capture_on_commit_callbacks() as inner:
        for callback in outer:
            callback()
    assert len(inner) == 1  # one message for the burst
    # The fan-out (a worker's task) queues every pending delivery of its range.
    pks = list(WebhookDelivery.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks() as sends:
        assert services.enqueue_deliveries(first_pk=min(pks), last_pk=max(pks)) == 5
    assert len(sends) == 5


def test_task_names_and_queue_are_pinned():
    from webhooks import tasks

    assert (
        tasks.deliver_task.name == WebhookDelivery.job_task_name == "webhooks.deliver"
    )
    assert tasks.enqueue_deliveries_task.name == "webhooks.enqueue_deliveries"
    assert tasks.deliver_task.queue == WebhookDelivery.job_queue == "bulk"


def test_a_documents_links_are_the_apis_own_urls(chapters, settings):
    """Every href in a signature's document resolves to the OSDI API's view of it."""
    from urllib.parse import urlsplit

    from django.urls import resolve

    from webhooks import payloads

    signature = sign(member(chapters[0]))
    document = payloads._signatures([signature.pk])[signature.pk]["osdi:signature"]
    hrefs = [link["href"] for link in document["_links"].values()]
    assert len(hrefs) == 3
    for href in hrefs:
        match = resolve(urlsplit(href).path)
        assert match.namespace == "api", href


def test_an_erased_supporters_deliveries_are_not_made_and_keep_no_copy(
    receiver, chapters
):
    from supporters import privacy

    endpoint = make_endpoint(receiver.url, events=ALL_EVENTS)
    ana = member(chapters[0], first_name="Ana")
    signature = sign(ana)
    services.create_deliveries(model=Supporter, pks=[ana.pk])
    services.create_deliveries(model=Signature, pks=[signature.pk])
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert deliveries.count() == 2
    assert all(payload for payload in deliveries.values_list("payload", flat=True))
    privacy.erase(ana.pk)
    assert set(deliveries.values_list("status", flat=True)) == {
        WebhookDelivery.Status.SKIPPED
    }
    assert list(deliveries.values_list("payload", flat=True)) == [{}, {}]
    assert "Ana" not in json.dumps(list(deliveries.values_list("payload", flat=True)))
