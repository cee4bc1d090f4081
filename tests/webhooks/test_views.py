"""The staff pages: endpoints set up by staff admins only (audited, the secret shown
once), seen by role through visible_to, deliveries per endpoint with "retry now", in a
fixed number of queries, in Spanish."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Role
from tests.accounts.factories import make_leader, make_user
from webhooks.models import WebhookDelivery, WebhookEndpoint

from .conftest import make_endpoint

pytestmark = pytest.mark.django_db

FORM = {
    "url": "https://crm.example.org/harbor?token=abc",
    "description": "Our CRM",
    "events": ["signature.created", "supporter.created"],
    "chapter": "",
    "is_active": "on",
}


def _deliveries(endpoint, n, **fields):
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint=endpoint,
                event="signature.created",
                object_type="petitions.signature",
                object_id=i,
                payload={"osdi:signature": {"identifiers": [f"harbor:{i}"]}},
                **fields,
            )
            for i in range(n)
        ]
    )


def test_a_staff_admin_adds_an_endpoint_sees_its_secret_once_and_it_is_audited(
    staff_client, staff_user
):
    response = staff_client.post(reverse("webhooks:create"), FORM)
    endpoint = WebhookEndpoint.objects.get()
    assert response.url == reverse("webhooks:endpoint", args=[endpoint.pk])
    assert endpoint.events == ["signature.created", "supporter.created"]
    assert endpoint.chapter is None
    assert endpoint.is_active
    first = staff_client.get(response.url).content.decode()
    assert endpoint.secret in first
    again = staff_client.get(response.url).content.decode()
    assert endpoint.secret not in again
    event = AuditEvent.objects.get(action=AuditEvent.Action.WEBHOOK_CREATED)
    assert event.actor == staff_user
    assert event.changes["host"] == "crm.example.org"
    assert "token=abc" not in str(event.changes)  # the URL's own token is not logged


def test_a_rotated_secret_is_new_shown_once_and_audited(staff_client):
    endpoint = make_endpoint("https://crm.example.org/")
    old = endpoint.secret
    response = staff_client.post(reverse("webhooks:rotate-secret", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.secret in staff_client.get(response.url).content.decode()
    assert AuditEvent.objects.filter(action="webhooks.secret").count() == 1


def test_an_edit_is_audited_with_its_difference(staff_client, chapters):
    endpoint = make_endpoint("https://crm.example.org/")
    data = FORM | {"url": "https://other.example.org/", "chapter": chapters[0].pk}
    data.pop("is_active")
    staff_client.post(reverse("webhooks:edit", args=[endpoint.pk]), data)
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.chapter, endpoint.is_active) == (
        "https://other.example.org/",
        chapters[0],
        False,
    )
    changes = AuditEvent.objects.get(action="webhooks.changed").changes
    assert changes["host"] == ["crm.example.org", "other.example.org"]
    assert changes["is_active"] == [True, False]
    assert changes["chapter"] == [None, chapters[0].pk]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("url", "ftp://crm.example.org/", "starts with https://"),
        ("url", "not a url", "Enter a valid URL."),
        ("url", "https://10.0.0.5/hook", "private network"),
        ("url", "https://me:pw@crm.example.org/", "user name and password"),
        ("events", [], "Choose at least one event."),
        ("events", ["person.deleted"], "Select a valid choice"),
        ("chapter", "999999", "Select a valid choice"),
    ],
)
def test_bad_input_is_a_clear_message_and_changes_nothing(
    staff_client, settings, field, value, message
):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    response = staff_client.post(reverse("webhooks:create"), FORM | {field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not WebhookEndpoint.objects.exists()
    assert not AuditEvent.objects.exists()


def test_chapter_leaders_and_staff_see_their_endpoints_and_change_nothing(
    client, chapters
):
    texas, california = chapters
    national = make_endpoint("https://n.example.org/", description="National CRM")
    tx = make_endpoint("https://tx.example.org/", chapter=texas, description="TX")
    ca = make_endpoint("https://ca.example.org/", chapter=california, description="CA")
    leader = make_leader(texas)
    client.force_login(leader)
    page = client.get(reverse("webhooks:endpoints")).content.decode()
    assert "TX" in page
    assert "National CRM" not in page
    assert "CA</a>" not in page
    assert "Add an endpoint" not in page
    assert client.get(reverse("webhooks:endpoint", args=[tx.pk])).status_code == 200
    for other in (national, ca):
        url = reverse("webhooks:endpoint", args=[other.pk])
        assert client.get(url).status_code == 404
    assert client.get(reverse("webhooks:create")).status_code == 403
    assert client.post(reverse("webhooks:create"), FORM).status_code == 403
    assert (
        client.post(reverse("webhooks:rotate-secret", args=[tx.pk])).status_code == 403
    )
    assert (
        tx.secret
        not in client.get(reverse("webhooks:endpoint", args=[tx.pk])).content.decode()
    )

    staff = make_user("staff@example.org", role=Role.STAFF)
    client.force_login(staff)
    page = client.get(reverse("webhooks:endpoints")).content.decode()
    assert "National CRM" in page
    assert "TX" in page
    assert client.post(reverse("webhooks:create"), FORM).status_code == 403
    assert WebhookEndpoint.objects.count() == 3


def test_anonymous_visitors_go_to_the_login_page(client):
    endpoint = make_endpoint("https://n.example.org/")
    for url in (
        reverse("webhooks:endpoints"),
        reverse("webhooks:endpoint", args=[endpoint.pk]),
        reverse("webhooks:create"),
    ):
        assert client.get(url).status_code == 302


def test_retry_now_reopens_a_failed_delivery_once_audited(
    staff_client, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint("https://n.example.org/")
    _deliveries(
        endpoint,
        1,
        status="failed",
        attempts=8,
        last_error="HTTP 500",
        response_status=500,
        finished_at=timezone.now(),
    )
    delivery = WebhookDelivery.objects.get()
    url = reverse("webhooks:retry", args=[endpoint.pk, delivery.pk])
    with django_capture_on_commit_callbacks() as sent:
        staff_client.post(url)
        staff_client.post(url)  # a double click retries once
    assert len(sent) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.finished_at) == (
        "pending",
        0,
        None,
    )
    event = AuditEvent.objects.get(action="webhooks.retried")
    assert event.changes == {"attempts": 8, "endpoint": endpoint.pk}
    other = make_endpoint("https://o.example.org/")
    wrong = reverse("webhooks:retry", args=[other.pk, delivery.pk])
    assert staff_client.post(wrong).status_code == 404


def test_the_pages_take_a_fixed_number_of_queries(
    staff_client, chapters, django_assert_max_num_queries
):
    endpoints = [
        make_endpoint(f"https://e{i}.example.org/", chapter=chapters[i % 2])
        for i in range(6)
    ]
    for endpoint in endpoints:
        _deliveries(endpoint, 5)
        _deliveries(endpoint, 3, status="failed", last_error="HTTP 404", attempts=1)
    with django_assert_max_num_queries(7):
        page = staff_client.get(reverse("webhooks:endpoints"))
    assert page.status_code == 200
    endpoint = endpoints[0]
    _deliveries(
        endpoint, 60, status="pending", attempts=2, next_attempt_at=timezone.now()
    )
    with django_assert_max_num_queries(9):
        page = staff_client.get(reverse("webhooks:endpoint", args=[endpoint.pk]))
    text = page.content.decode()
    assert text.count("Retry now") == 0  # the newest 50 are pending
    assert "Page 1 of 2" in text
    with django_assert_max_num_queries(9):
        failed = staff_client.get(
            reverse("webhooks:endpoint", args=[endpoint.pk]), {"status": "failed"}
        )
    assert failed.content.decode().count("Retry now") == 3
    bad = staff_client.get(
        reverse("webhooks:endpoint", args=[endpoint.pk]), {"status": "<nope>"}
    )
    assert bad.status_code == 200


def test_the_pages_speak_spanish(staff_client):
    endpoint = make_endpoint("https://n.example.org/")
    _deliveries(endpoint, 1, status="failed", attempts=1)
    es = {"HTTP_ACCEPT_LANGUAGE": "es"}
    listing = staff_client.get(reverse("webhooks:endpoints"), **es).content.decode()
    assert "Webhooks salientes" in listing
    detail = staff_client.get(
        reverse("webhooks:endpoint", args=[endpoint.pk]), **es
    ).content.decode()
    assert "Reintentar ahora" in detail
    form = staff_client.get(reverse("webhooks:create"), **es).content.decode()
    assert "Eventos que enviar" in form
