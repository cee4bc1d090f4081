import datetime as dt
import email
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import AuditEvent, Role
from alerts import services
from alerts.audience import Filters
from alerts.models import Alert
from tests.accounts.factories import make_user

from .conftest import BODY, make_alert, member, sender_for

pytestmark = pytest.mark.django_db


def draft(user, chapter, **overrides):
    values = {
        "user": user,
        "chapter": chapter,
        "campaign": None,
        "subject": "{{ first_name }}, act now",
        "preheader": "",
        "body": BODY,
        "from_name": "Harbor Texas",
        "from_email": sender_for(chapter),
        "reply_to": "",
        "filters": Filters(),
    }
    values.update(overrides)
    return services.save_alert(**values)


def test_a_draft_is_saved_and_audited(texas, leader):
    alert = draft(leader, texas, filters=Filters(states=["TX"]))
    assert alert.status == Alert.Status.DRAFT
    assert alert.audience == {"states": ["TX"]}
    assert alert.source_code.startswith("al-")
    assert not alert.needs_approval
    event = AuditEvent.objects.get(action=AuditEvent.Action.ALERT_CREATED)
    assert event.object_id == str(alert.pk)


def test_a_template_reaching_anything_else_is_refused_and_nothing_is_saved(
    texas, leader
):
    with pytest.raises(ValidationError, match="not a merge field") as exc:
        draft(leader, texas, body="Hi {{ supporter.email }}")
    assert "body" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        draft(leader, texas, subject="{{ legislators }}")
    assert "subject" in exc.value.message_dict
    assert not Alert.objects.exists()


def test_a_leader_composes_only_for_chapters_they_lead(texas, ohio, national, leader):
    for chapter in (ohio, national, None):
        with pytest.raises(PermissionDenied):
            draft(leader, chapter)
    staff = make_user("staff@example.org", role=Role.STAFF)
    assert draft(staff, None).needs_approval
    assert draft(staff, national).needs_approval


def test_only_a_draft_changes(texas, leader, texans):
    alert = draft(leader, texas)
    draft(leader, texas, alert=alert, subject="New subject")
    alert.refresh_from_db()
    assert alert.subject == "New subject"
    changed = AuditEvent.objects.get(action=AuditEvent.Action.ALERT_CHANGED)
    assert changed.changes["subject"][1] == "New subject"
    services.confirm_send(alert=alert, user=leader, typed_count="3")
    with pytest.raises(ValidationError, match="Only a draft"):
        draft(leader, texas, alert=alert, subject="Sneaky")


def test_the_count_must_be_typed_as_it_is_now(texas, leader, texans):
    alert = make_alert(chapter=texas, user=leader)
    with pytest.raises(ValidationError, match="3 people in Harbor Texas"):
        services.confirm_send(alert=alert, user=leader, typed_count="4")
    member(texas, first_name="Late")  # the audience grew since the page was shown
    with pytest.raises(ValidationError, match="4 people"):
        services.confirm_send(alert=alert, user=leader, typed_count="3")
    alert.refresh_from_db()
    assert alert.status == Alert.Status.DRAFT
    assert alert.confirmed_at is None
    alert = services.confirm_send(alert=alert, user=leader, typed_count="4")
    assert alert.status == Alert.Status.SENDING
    assert alert.confirmed_count == 4
    assert alert.confirmed_by == leader
    assert (
        AuditEvent.objects.filter(action=AuditEvent.Action.ALERT_SEND_REQUESTED).count()
        == 1
    )


def test_confirming_twice_sends_once(texas, leader, texans):
    alert = make_alert(chapter=texas, user=leader)
    stale = Alert.objects.get(pk=alert.pk)
    services.confirm_send(alert=alert, user=leader, typed_count="3")
    with pytest.raises(ValidationError, match="no longer a draft"):
        services.confirm_send(alert=stale, user=leader, typed_count="3")
    assert (
        AuditEvent.objects.filter(action=AuditEvent.Action.ALERT_SEND_REQUESTED).count()
        == 1
    )


def test_typed_counts_in_words_and_nonsense(texas, leader):
    assert services.parse_typed_count("4,210") == 4210
    assert services.parse_typed_count(" 4 210 ") == 4210
    for bad in ("", "four", "٤٢", "-3", "1" * 12):
        assert services.parse_typed_count(bad) is None


def test_an_empty_audience_is_not_sent(texas, leader):
    alert = make_alert(chapter=texas, user=leader)
    with pytest.raises(ValidationError, match="Nobody"):
        services.confirm_send(alert=alert, user=leader, typed_count="0")


def test_schedule_for_later_or_refuse_the_past(texas, leader, texans):
    alert = make_alert(chapter=texas, user=leader)
    with pytest.raises(ValidationError, match="future"):
        services.confirm_send(
            alert=alert,
            user=leader,
            typed_count="3",
            scheduled_for=timezone.now() - dt.timedelta(minutes=1),
        )
    at = timezone.now() + dt.timedelta(hours=2)
    alert = services.confirm_send(
        alert=alert, user=leader, typed_count="3", scheduled_for=at
    )
    assert alert.status == Alert.Status.SCHEDULED
    assert alert.scheduled_for == at


def test_beyond_one_chapter_a_staff_admin_approves(texas, national, texans):
    staff = make_user("staff@example.org", role=Role.STAFF)
    admin = make_user("admin@example.org", role=Role.STAFF_ADMIN)
    alert = make_alert(chapter=None, user=staff, needs_approval=True)
    alert = services.confirm_send(alert=alert, user=staff, typed_count="3")
    assert alert.status == Alert.Status.AWAITING_APPROVAL
    with pytest.raises(PermissionDenied):
        services.approve_alert(alert=alert, user=staff)
    alert = services.approve_alert(alert=alert, user=admin)
    assert alert.status == Alert.Status.SENDING
    assert alert.approved_by == admin
    assert (
        AuditEvent.objects.filter(action=AuditEvent.Action.ALERT_APPROVED).count() == 1
    )
    with pytest.raises(ValidationError, match="not waiting"):
        services.approve_alert(alert=alert, user=admin)


def test_the_daily_cap_per_chapter(settings, texas, ohio, leader, texans):
    settings.ALERTS_DAILY_CAP_PER_CHAPTER = 2
    now = make_alert(chapter=texas, user=leader)
    services.confirm_send(alert=now, user=leader, typed_count="3")
    later = make_alert(chapter=texas, user=leader)
    services.confirm_send(
        alert=later,
        user=leader,
        typed_count="3",
        scheduled_for=timezone.now() + dt.timedelta(hours=3),
    )
    third = make_alert(chapter=texas, user=leader)
    with pytest.raises(ValidationError, match="already sent 2 alerts today"):
        services.confirm_send(alert=third, user=leader, typed_count="3")
    third.refresh_from_db()
    assert third.status == Alert.Status.DRAFT
    # Another chapter has its own cap; an alert cancelled before any mail went out is
    # given back, one that went out is not.
    assert services.sent_today(ohio) == 0
    services.control_alert(alert=later, user=leader, action="cancel")
    services.control_alert(alert=now, user=leader, action="cancel")
    assert services.sent_today(texas) == 1
    services.confirm_send(alert=third, user=leader, typed_count="3")
    settings.ALERTS_DAILY_CAP_PER_CHAPTER = 0
    services.confirm_send(
        alert=make_alert(chapter=texas, user=leader), user=leader, typed_count="3"
    )


def test_test_send_goes_to_oneself_through_the_send_path(
    settings, texas, leader, texans, legislators
):
    alert = make_alert(chapter=texas, user=leader, reply_to="replies@example.org")
    assert services.send_test(alert=alert, user=leader, sample=texans[0])
    files = list(Path(settings.HARBOR_MAIL_DIR).glob("*.eml"))
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes())
    assert message["To"] == "leader.tx@example.org"
    assert message["Subject"] == "[Test] Ana, act now"
    assert message["From"] == "Harbor Texas <texas@example.org>"
    assert message["Reply-To"] == "replies@example.org"
    parts = {
        p.get_content_type(): p.get_payload(decode=True).decode()
        for p in message.walk()
        if not p.is_multipart()
    }
    assert "Senator John Cornyn: 202-224-2934" in parts["text/plain"]
    assert 'href="tel:2022242934"' in parts["text/html"]
    assert (
        AuditEvent.objects.filter(action=AuditEvent.Action.ALERT_TEST_SENT).count() == 1
    )
    # Nobody in the audience received anything.
    assert all("leader.tx" in f.read_text(errors="ignore") for f in files)


def test_pause_resume_cancel_are_audited_once_each(texas, leader, texans):
    alert = make_alert(chapter=texas, user=leader)
    services.confirm_send(alert=alert, user=leader, typed_count="3")
    assert services.control_alert(alert=alert, user=leader, action="pause")
    assert not services.control_alert(alert=alert, user=leader, action="pause")
    assert services.control_alert(alert=alert, user=leader, action="resume")
    assert services.control_alert(alert=alert, user=leader, action="cancel")
    assert alert.status == Alert.Status.CANCELLED
    actions = list(
        AuditEvent.objects.filter(action__startswith="alerts.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[-3:] == ["alerts.paused", "alerts.resumed", "alerts.cancelled"]


def test_a_leader_cannot_control_another_chapters_alert(texas, ohio, leader):
    staff = make_user("staff@example.org", role=Role.STAFF)
    alert = make_alert(chapter=ohio, user=staff)
    with pytest.raises(PermissionDenied):
        services.control_alert(alert=alert, user=leader, action="cancel")
    with pytest.raises(PermissionDenied):
        services.confirm_send(alert=alert, user=leader, typed_count="0")


def test_the_sender_is_the_chapters_own_else_its_name_else_the_sites(settings, texas):
    settings.ALERTS_FROM_NAME = "Harbor"
    settings.ALERTS_FROM_EMAIL = "alerts@example.org"
    texas.alert_from_email = ""  # not configured
    assert services.default_sender(texas) == {
        "from_name": "Harbor Texas",
        "from_email": "alerts@example.org",
        "reply_to": "",
    }
    texas.alert_from_name = "Texas team"
    texas.alert_from_email = "texas@example.org"
    texas.alert_reply_to = "replies@example.org"
    assert services.default_sender(texas) == {
        "from_name": "Texas team",
        "from_email": "texas@example.org",
        "reply_to": "replies@example.org",
    }
    assert services.default_sender(None)["from_name"] == "Harbor"


def test_a_site_that_cannot_send_alerts_undoes_the_confirmation(
    settings, texas, leader, texans
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    alert = make_alert(chapter=texas, user=leader)
    with pytest.raises(ValidationError, match="cannot send alerts yet"):
        services.confirm_send(alert=alert, user=leader, typed_count="3")
    alert.refresh_from_db()
    assert alert.status == Alert.Status.DRAFT
    assert alert.confirmed_at is None
    assert not alert.recipients.exists()
    settings.EMAIL_BACKEND = "harbor.mail_backends.FileEmailBackend"
    alert = services.confirm_send(alert=alert, user=leader, typed_count="3")
    assert alert.status == Alert.Status.SENDING


def test_an_approval_that_cannot_start_is_undone(settings, texas, texans):
    staff = make_user("staff@example.org", role=Role.STAFF)
    admin = make_user("admin@example.org", role=Role.STAFF_ADMIN)
    alert = make_alert(chapter=None, user=staff, needs_approval=True)
    services.confirm_send(alert=alert, user=staff, typed_count="3")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with pytest.raises(ValidationError, match="cannot send alerts yet"):
        services.approve_alert(alert=Alert.objects.get(pk=alert.pk), user=admin)
    alert.refresh_from_db()
    assert alert.status == Alert.Status.AWAITING_APPROVAL
    assert alert.approved_at is None


def test_a_leader_may_send_only_from_the_chapters_sender_or_the_default(
    settings, texas, leader
):
    """A probe: a leader posting the national office's address as From (or a stranger's
    as Reply-To) is refused with a clear message, nothing saved."""
    settings.ALERTS_FROM_EMAIL = "alerts@example.org"
    for from_email, reply_to, field in (
        ("national@harbor.example.org", "", "from_email"),
        ("texas@example.org", "someone@elsewhere.example", "reply_to"),
    ):
        with pytest.raises(ValidationError) as refused:
            draft(leader, texas, from_email=from_email, reply_to=reply_to)
        assert field in refused.value.message_dict
        assert "texas@example.org" in refused.value.message_dict[field][0]
    assert not Alert.objects.exists()
    # The chapter's sender, its reply-to, or the site's default: fine (any case).
    texas.alert_reply_to = "replies@example.org"
    texas.save()
    draft(leader, texas, from_email="Texas@Example.org", reply_to="replies@example.org")
    draft(leader, texas, from_email="alerts@example.org")
    assert Alert.objects.count() == 2


def test_a_staff_admin_chooses_any_sender_but_a_leader_cannot_confirm_it(
    texas, leader, texans
):
    admin = make_user("admin@example.org", role=Role.STAFF_ADMIN)
    alert = draft(admin, texas, from_email="national@harbor.example.org")
    with pytest.raises(ValidationError, match="You can send only from"):
        services.confirm_send(alert=alert, user=leader, typed_count="3")
    alert.refresh_from_db()
    assert alert.confirmed_at is None


def test_a_staff_admin_cannot_approve_their_own_national_alert(national, texans):
    author = make_user("author@example.org", role=Role.STAFF_ADMIN)
    other = make_user("other@example.org", role=Role.STAFF_ADMIN)
    member(national, first_name="Nia")
    alert = draft(author, national)
    count = services.audience_for_alert(alert, sender=author).count()
    alert = services.confirm_send(alert=alert, user=author, typed_count=str(count))
    assert alert.status == Alert.Status.AWAITING_APPROVAL

    with pytest.raises(PermissionDenied, match="another staff admin must approve"):
        services.approve_alert(alert=alert, user=author)
    alert.refresh_from_db()
    assert alert.approved_at is None

    alert = services.approve_alert(alert=alert, user=other)
    assert alert.approved_by == other


@pytest.mark.django_db(transaction=True)
def test_two_senders_confirming_the_last_alert_of_the_day_at_once_send_one(
    settings, monkeypatch
):
    """The daily cap's check and the confirmation run under the chapter's row lock: the
    second sender waits, then finds the cap reached. (PostgreSQL: SQLite has no row
    locks and serializes writers anyway.)"""
    import threading
    import time

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    from tests.accounts.factories import make_leader
    from tests.supporters.factories import ChapterFactory

    settings.ALERTS_DAILY_CAP_PER_CHAPTER = 1
    texas = ChapterFactory(slug="texas", state="TX", alert_from_email="tx@example.org")
    first = make_leader(texas, email="one@example.org")
    second = make_leader(texas, email="two@example.org")
    member(texas, first_name="Ana")
    alerts = [draft(first, texas), draft(second, texas)]
    real_check = services._check_daily_cap

    def check_then_linger(alert):
        real_check(alert)
        time.sleep(0.5)  # both would pass here without the lock

    monkeypatch.setattr(services, "_check_daily_cap", check_then_linger)
    later = timezone.now() + dt.timedelta(hours=2)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def confirm(alert, user):
        try:
            barrier.wait()
            services.confirm_send(
                alert=alert, user=user, typed_count="1", scheduled_for=later
            )
            outcomes.append("confirmed")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=confirm, args=(a, u))
        for a, u in zip(alerts, (first, second), strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["confirmed", "refused"]
    assert Alert.objects.filter(confirmed_at__isnull=False).count() == 1
