import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Role
from alerts import services
from alerts.models import Alert, AlertRecipient
from tests.accounts.factories import make_user

from .conftest import BODY, make_alert, sender_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader_client(client, leader):
    client.force_login(leader)
    return client


def compose_data(chapter, **overrides):
    data = {
        "chapter": str(chapter.pk) if chapter else "national-list",
        "campaign": "",
        "subject": "{{ first_name }}, act now",
        "preheader": "Two minutes",
        "body": BODY,
        "from_name": "Harbor Texas",
        "from_email": sender_for(chapter),
        "reply_to": "",
        "congressional_districts": "",
        "state_upper_districts": "",
        "state_lower_districts": "",
        "petition_mode": "signed",
        "outreach_mode": "acted",
        "joined_since": "",
        "action": "save",
    }
    data.update(overrides)
    return data


def test_compose_saves_a_draft_and_shows_the_count(leader_client, texas, texans):
    response = leader_client.get(reverse("alerts:compose"))
    assert response.status_code == 200
    assert b"Harbor Texas" in response.content
    assert b"alerts/compose.js" in response.content
    response = leader_client.post(
        reverse("alerts:compose"), compose_data(texas, congressional_districts="tx-25")
    )
    alert = Alert.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("alerts:detail", kwargs={"pk": alert.pk})
    assert alert.audience == {"congressional_districts": ["TX-25"]}
    detail = leader_client.get(response["Location"])
    assert "2 people in Harbor Texas" in detail.content.decode()


def test_the_count_button_works_without_javascript_and_saves_nothing(
    leader_client, texas, texans
):
    response = leader_client.post(
        reverse("alerts:compose"), compose_data(texas, action="count", subject="")
    )
    assert response.status_code == 200
    assert "3 people in Harbor Texas" in response.content.decode()
    assert not Alert.objects.exists()


def test_live_count_json(leader_client, texas, texans):
    url = reverse("alerts:audience-count")
    response = leader_client.get(
        url, {"chapter": texas.pk, "congressional_districts": "TX-07"}
    )
    assert response.json() == {"words": "1 person in Harbor Texas"}
    bad = leader_client.get(
        url, {"chapter": texas.pk, "congressional_districts": "Texas 7"}
    )
    assert bad.status_code == 400
    assert "congressional_districts" in bad.json()["errors"]


def test_a_leader_cannot_pick_another_chapter_or_the_national_list(
    leader_client, texas, ohio, ohioans
):
    for chapter in (ohio, None):
        response = leader_client.post(reverse("alerts:compose"), compose_data(chapter))
        assert response.status_code == 400
        response = leader_client.get(
            reverse("alerts:audience-count"),
            {"chapter": chapter.pk if chapter else "national-list"},
        )
        assert response.status_code == 400
    assert not Alert.objects.exists()


def test_a_bad_merge_field_is_refused_clearly(leader_client, texas):
    response = leader_client.post(
        reverse("alerts:compose"), compose_data(texas, body="Hi {{ supporter.email }}")
    )
    assert response.status_code == 400
    assert "is not a merge field" in response.content.decode()
    assert not Alert.objects.exists()


def test_a_leader_sees_only_their_chapters_alerts(leader_client, texas, ohio):
    staff = make_user("staff@example.org", role=Role.STAFF)
    mine = make_alert(chapter=texas, user=staff, subject="Texas news")
    theirs = make_alert(chapter=ohio, user=staff, subject="Ohio news")
    national = make_alert(chapter=None, user=staff, subject="National news")
    listing = leader_client.get(reverse("alerts:list")).content.decode()
    assert "Texas news" in listing
    assert "Ohio news" not in listing
    assert "National news" not in listing
    for alert in (theirs, national):
        for name in ("detail", "preview", "progress", "preview-html", "send", "edit"):
            url = reverse(f"alerts:{name}", kwargs={"pk": alert.pk})
            assert leader_client.get(url).status_code == 404, name
        for name in ("cancel", "pause", "test", "approve"):
            url = reverse(f"alerts:{name}", kwargs={"pk": alert.pk})
            assert leader_client.post(url).status_code == 404, name
    assert (
        leader_client.get(reverse("alerts:detail", kwargs={"pk": mine.pk})).status_code
        == 200
    )


def test_staff_without_a_role_and_anonymous_visitors_are_kept_out(client, texas):
    assert client.get(reverse("alerts:list")).status_code == 302
    client.force_login(make_user("nobody@example.org"))
    assert client.get(reverse("alerts:list")).status_code == 403


def test_alert_list_query_budget(client, texas, django_assert_max_num_queries):
    staff = make_user("staff@example.org", role=Role.STAFF)
    client.force_login(staff)
    for _ in range(3):
        make_alert(chapter=texas, user=staff)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("alerts:list")).status_code == 200
    for i in range(30):
        make_alert(
            chapter=texas if i % 2 else None, user=make_user(f"s{i}@example.org")
        )
    with django_assert_max_num_queries(max(len(small), 8)):
        assert client.get(reverse("alerts:list")).status_code == 200


def test_preview_as_a_chosen_recipient_and_the_html_frame(
    leader_client, leader, texas, texans, legislators
):
    alert = make_alert(chapter=texas, user=leader)
    url = reverse("alerts:preview", kwargs={"pk": alert.pk})
    chloe = texans[2]
    page = leader_client.get(url, {"supporter": chloe.pk}).content.decode()
    assert "Chloe, act now" in page
    assert "Senator John Cornyn: 202-224-2934" in page
    assert f"preview.html?supporter={chloe.pk}" in page
    frame = leader_client.get(
        reverse("alerts:preview-html", kwargs={"pk": alert.pk}), {"supporter": chloe.pk}
    )
    assert "default-src 'none'" in frame["Content-Security-Policy"]
    assert "Dear Chloe" in frame.content.decode()
    # Anyone outside the audience (or nonsense) falls back to the first recipient.
    for wanted in ("999999", "x", "9" * 40):
        page = leader_client.get(url, {"supporter": wanted}).content.decode()
        assert "Ana, act now" in page


def test_preview_of_another_chapters_supporter_is_never_shown(
    leader_client, leader, texas, texans, ohioans
):
    alert = make_alert(chapter=texas, user=leader)
    page = leader_client.get(
        reverse("alerts:preview", kwargs={"pk": alert.pk}), {"supporter": ohioans[0].pk}
    ).content.decode()
    assert "Olga" not in page


def test_test_send_then_confirm_and_send_then_progress(
    settings, leader_client, leader, texas, texans
):
    from pathlib import Path

    alert = make_alert(chapter=texas, user=leader)
    response = leader_client.post(reverse("alerts:test", kwargs={"pk": alert.pk}))
    assert response.status_code == 302
    assert len(list(Path(settings.HARBOR_MAIL_DIR).glob("*.eml"))) == 1

    send_url = reverse("alerts:send", kwargs={"pk": alert.pk})
    page = leader_client.get(send_url).content.decode()
    assert "3 people in Harbor Texas" in page
    wrong = leader_client.post(send_url, {"typed_count": "30", "when": "now"})
    assert wrong.status_code == 400
    assert "exactly as shown" in wrong.content.decode()
    past = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    late = leader_client.post(
        send_url, {"typed_count": "3", "when": "later", "scheduled_for": past}
    )
    assert late.status_code == 400
    response = leader_client.post(send_url, {"typed_count": "3", "when": "now"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == Alert.Status.SENDING
    # A second submit (back button) changes nothing.
    leader_client.post(send_url, {"typed_count": "3", "when": "now"})
    assert AuditEvent.objects.filter(action="alerts.send").count() == 1

    # The engine froze the audience (no worker runs here: all queued); progress counts
    # what the engine and tracking write on the rows.
    assert alert.recipient_count == 3
    for i, s in enumerate(texans):
        AlertRecipient.objects.filter(alert=alert, supporter=s).update(
            status="sent" if i < 2 else "queued",
            delivered_at=timezone.now() if i == 0 else None,
            opened_at=timezone.now() if i == 0 else None,
            machine_open=i == 1,
        )
    data = leader_client.get(reverse("alerts:progress", kwargs={"pk": alert.pk})).json()
    assert data["total"] == 3
    assert data["sent"] == 2
    assert data["queued"] == 1
    assert data["delivered"] == 1
    assert data["opened"] == 1  # the machine open is not counted
    assert data["percent"] == 66
    assert data["status"] == "sending"


def test_progress_is_one_query(leader, texas, django_assert_num_queries):
    from alerts.selectors import progress

    alert = make_alert(chapter=texas, user=leader)
    with django_assert_num_queries(1):
        progress(alert)


def test_pause_resume_cancel_buttons(leader_client, leader, texas, texans):
    alert = make_alert(chapter=texas, user=leader)
    services.confirm_send(alert=alert, user=leader, typed_count="3")
    for action, status in (
        ("pause", "paused"),
        ("resume", "sending"),
        ("cancel", "cancelled"),
    ):
        leader_client.post(reverse(f"alerts:{action}", kwargs={"pk": alert.pk}))
        alert.refresh_from_db()
        assert alert.status == status
    assert (
        leader_client.get(reverse("alerts:pause", kwargs={"pk": alert.pk})).status_code
        == 405
    )


def test_national_alert_waits_for_a_staff_admins_approval(client, texas, texans):
    staff = make_user("staff@example.org", role=Role.STAFF)
    admin = make_user("admin@example.org", role=Role.STAFF_ADMIN)
    client.force_login(staff)
    client.post(reverse("alerts:compose"), compose_data(None))
    alert = Alert.objects.get()
    assert alert.needs_approval
    client.post(
        reverse("alerts:send", kwargs={"pk": alert.pk}),
        {"typed_count": "3", "when": "now"},
    )
    alert.refresh_from_db()
    assert alert.status == Alert.Status.AWAITING_APPROVAL
    client.post(reverse("alerts:approve", kwargs={"pk": alert.pk}))
    alert.refresh_from_db()
    assert alert.status == Alert.Status.AWAITING_APPROVAL  # staff is not a staff admin
    client.force_login(admin)
    page = client.get(
        reverse("alerts:detail", kwargs={"pk": alert.pk})
    ).content.decode()
    assert "Approve and send" in page
    client.post(reverse("alerts:approve", kwargs={"pk": alert.pk}))
    alert.refresh_from_db()
    assert alert.status == Alert.Status.SENDING
    assert alert.approved_by == admin


def test_hostile_input_is_a_clear_4xx(leader_client, leader, texas):
    alert = make_alert(chapter=texas, user=leader)
    send_url = reverse("alerts:send", kwargs={"pk": alert.pk})
    for data in ({}, {"typed_count": "\x00"}, {"typed_count": "1" * 50, "when": "now"},
                 {"typed_count": "3", "when": "later", "scheduled_for": "yesterday"}):  # fmt: skip
        assert leader_client.post(send_url, data).status_code == 400
    count = reverse("alerts:audience-count")
    for params in ({"chapter": "x"}, {"chapter": texas.pk, "states": "ZZ"},
                   {"chapter": texas.pk, "petition": "99999999999999999999"},
                   {"chapter": texas.pk, "joined_since": "2026-13-45"}):  # fmt: skip
        assert leader_client.get(count, params).status_code == 400


def test_a_from_name_with_a_line_break_is_refused(leader_client, texas, texans):
    """A CR/LF in the From header's name: a clear message, no draft saved."""
    response = leader_client.post(
        reverse("alerts:compose"),
        compose_data(texas, from_name="Harbor Texas\r\nBcc: victim@example.org"),
    )
    assert response.status_code == 400
    assert "one line of plain text" in response.content.decode()
    assert not Alert.objects.exists()


def test_markup_in_the_body_or_a_name_is_text_on_the_preview_page(
    client, leader, texas, texans
):
    """The plain-text part is shown escaped: a leader's body (or a supporter's name)
    never runs as script on the page a staff admin opens to review the alert."""
    texans[0].first_name = "<img src=x onerror=alert(1)>"
    texans[0].save()
    alert = make_alert(
        chapter=texas,
        user=leader,
        body="Dear {{ first_name }}, <script>alert(2)</script>",
    )
    client.force_login(make_user("admin@example.org", role=Role.STAFF_ADMIN))
    page = client.get(
        reverse("alerts:preview", kwargs={"pk": alert.pk}),
        {"supporter": texans[0].pk},
    ).content.decode()
    assert "<script>alert(2)" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page


def test_a_big_alerts_send_returns_at_once_and_a_worker_freezes_it(
    settings, leader_client, leader, texas, texans
):
    """Beyond ALERTS_FREEZE_IN_REQUEST_UP_TO the request only queues an AlertStart job:
    the page says preparing; the job (what the worker runs) freezes and cuts chunks."""
    from alerts import sending
    from alerts.models import AlertStart

    settings.ALERTS_FREEZE_IN_REQUEST_UP_TO = 2
    alert = make_alert(chapter=texas, user=leader)
    send_url = reverse("alerts:send", kwargs={"pk": alert.pk})

    response = leader_client.post(send_url, {"typed_count": "3", "when": "now"})

    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == Alert.Status.PREPARING
    assert not AlertRecipient.objects.filter(alert=alert).exists()
    job = AlertStart.objects.get(alert=alert)
    assert job.status == "pending"
    assert job.job_queue == "bulk"
    page = leader_client.get(response["Location"]).content.decode()
    assert "The audience is being prepared" in page
    assert 'id="preparing-note"' in page
    progress = leader_client.get(reverse("alerts:progress", kwargs={"pk": alert.pk}))
    assert progress.json()["status"] == "preparing"

    assert sending.run_start(job_id=job.pk) == "started"

    alert.refresh_from_db()
    assert alert.status == Alert.Status.SENDING
    assert alert.recipient_count == 3
    assert alert.chunks.count() == 1
    # A redelivered message finds nothing to claim.
    assert sending.run_start(job_id=job.pk) == "unclaimed"


def test_a_preparing_alert_cancelled_before_its_freeze_is_never_frozen(
    settings, leader, texas, texans
):
    from alerts import sending
    from alerts.models import AlertStart

    settings.ALERTS_FREEZE_IN_REQUEST_UP_TO = 0
    alert = make_alert(chapter=texas, user=leader)
    services.confirm_send(alert=alert, user=leader, typed_count="3")
    alert.refresh_from_db()
    assert alert.status == Alert.Status.PREPARING
    assert sending.cancel(alert) is True

    job = AlertStart.objects.get(alert=alert)
    assert sending.run_start(job_id=job.pk) == "cancelled"
    assert not AlertRecipient.objects.filter(alert=alert).exists()
    job.refresh_from_db()
    assert job.status == "skipped"


def test_an_alert_that_ended_with_failures_says_so_on_its_page(
    leader_client, leader, texas, texans
):
    alert = make_alert(chapter=texas, user=leader)
    services.confirm_send(alert=alert, user=leader, typed_count="3")
    AlertRecipient.objects.filter(alert=alert, supporter=texans[0]).update(
        status="failed", error="ESP: rejected"
    )
    AlertRecipient.objects.filter(alert=alert).exclude(supporter=texans[0]).update(
        status="sent"
    )
    Alert.objects.filter(pk=alert.pk).update(status=Alert.Status.SENT_WITH_FAILURES)

    page = leader_client.get(reverse("alerts:detail", kwargs={"pk": alert.pk}))

    text = page.content.decode()
    assert "Sent, with failures" in text
    assert "1 recipient could not be sent to" in text
    data = leader_client.get(reverse("alerts:progress", kwargs={"pk": alert.pk})).json()
    assert (data["status"], data["failed"], data["sent"]) == (
        "sent_with_failures",
        1,
        2,
    )


def test_a_leader_posting_the_national_offices_address_is_refused_clearly(
    leader_client, texas
):
    """Probe: the compose form posted with the national office's From address."""
    response = leader_client.post(
        reverse("alerts:compose"),
        compose_data(texas, from_email="national@harbor.example.org"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "You can send only from" in page
    assert "texas@example.org" in page
    assert not Alert.objects.exists()
