"""Patch-through calls end to end: Harbor places the call through the real twilio
library (against the loopback fake REST API), then Twilio's webhooks, signed with the
library's own algorithm, walk it through every target; and the same webhooks forged,
unsigned, replayed or aimed at another call or leg change nothing."""

import uuid
import xml.etree.ElementTree as ET

import pytest
from twilio.request_validator import RequestValidator

from advocacy import patch_through, twilio_api
from advocacy.models import Outreach, PatchCall
from advocacy.services import Place, Source
from advocacy.targets import targets_for
from harbor.ratelimit import RateLimitedError
from legislators.selectors import representation_for

from .conftest import AUTH_TOKEN

SITE = "https://act.example.org"
PHONE = "+12125550123"


@pytest.fixture
def always_open(settings):
    settings.PATCH_THROUGH_OFFICE_DAYS = [0, 1, 2, 3, 4, 5, 6]
    settings.PATCH_THROUGH_OFFICE_OPENS = "00:00"
    settings.PATCH_THROUGH_OFFICE_CLOSES = "24:00"


@pytest.fixture
def always_closed(settings):
    settings.PATCH_THROUGH_OFFICE_DAYS = []


@pytest.fixture
def targets(call_action):
    return targets_for(
        call_action, representation_for(zip_code="78701"), supporter_city="Austin"
    )


def start(call_action, targets, *, language="en", phone=PHONE) -> PatchCall:
    return patch_through.request_patch_call(
        action=call_action,
        session=uuid.uuid4(),
        targets=targets,
        phone_number=phone,
        place=Place(zip_code="78701", state="TX", congressional_district="TX-37"),
        source=Source(referred_by_code="abc123", utm_source="news", channel="page"),
        language=language,
    )


def sign(path: str, params: dict, token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(SITE + path, params)


def webhook(client, path: str, signature: str | None = "", **params):
    """POST ``params`` to ``path`` as Twilio does: signed unless told otherwise."""
    headers = {}
    if signature == "":
        signature = sign(path, params)
    if signature is not None:
        headers["HTTP_X_TWILIO_SIGNATURE"] = signature
    return client.post(path, params, **headers)


def twiml(response) -> ET.Element:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)  # noqa: S314 - Harbor's own TwiML


def path_of(url: str) -> str:
    assert url.startswith(SITE)
    return url.removeprefix(SITE)


def test_placing_a_call_freezes_the_targets_and_asks_twilio(
    call_action, targets, fake_twilio
):
    call = start(call_action, targets)
    assert call.status == PatchCall.Status.PLACED
    assert call.call_sid.startswith("CA")
    assert call.phone_number == PHONE
    assert [leg["legislator"] for leg in call.legs] == [
        t.legislator.pk for t in targets
    ]
    assert all(leg["script"] for leg in call.legs)
    assert "zip_code" not in call.place
    (request,) = fake_twilio.calls
    assert request["To"] == PHONE
    assert request["Url"] == f"{SITE}/twilio/calls/{call.token}/answer/"
    assert request["StatusCallback"] == f"{SITE}/twilio/calls/{call.token}/status/"
    # The token is random, long enough not to be guessed, not the primary key.
    assert len(call.token) >= 32


def test_a_refused_number_fails_the_call_and_forgets_the_number(
    call_action, targets, fake_twilio
):
    with pytest.raises(twilio_api.CallNotPlacedError) as info:
        start(call_action, targets, phone="+15555550123")
    assert info.value.bad_number
    call = PatchCall.objects.get()
    assert call.status == PatchCall.Status.FAILED
    assert call.phone_number == ""
    assert all(leg["script"] == "" for leg in call.legs)


def test_targets_without_any_phone_are_not_called(call_action, targets, fake_twilio):
    for target in targets:
        target.dc_office = None
        target.nearest_district_office = None
    with pytest.raises(patch_through.NothingToCallError):
        start(call_action, targets)
    assert not fake_twilio.requests
    assert not PatchCall.objects.exists()


def test_the_whole_call_records_one_outreach_per_target(
    client, call_action, targets, fake_twilio, always_open, settings
):
    call = start(call_action, targets)
    sid = call.call_sid
    base = f"/twilio/calls/{call.token}"
    assert len(targets) == 3

    # Answered: the greeting, then the first leg.
    doc = twiml(
        webhook(client, f"{base}/answer/", CallSid=sid, CallStatus="in-progress")
    )
    assert call_action.campaign.title in doc.find("Say").text
    assert doc.find("Say").get("language") == "en-US"
    assert path_of(doc.find("Redirect").text) == f"{base}/legs/0/"
    call.refresh_from_db()
    assert call.status == PatchCall.Status.IN_PROGRESS

    # Leg 0: the script, then the office dialed in E.164.
    doc = twiml(webhook(client, f"{base}/legs/0/", CallSid=sid))
    says = " ".join(s.text for s in doc.iter("Say"))
    assert targets[0].legislator.name in says
    assert targets[0].script in says
    dial = doc.find("Dial")
    assert dial.get("hangupOnStar") == "true"
    assert dial.find("Number").text.startswith("+1")
    dialed = path_of(dial.get("action"))
    assert dialed == f"{base}/legs/0/dialed/?via=main"

    # The office answered and hung up: ask for the outcome by keypad.
    doc = twiml(webhook(client, dialed, CallSid=sid, DialCallStatus="completed"))
    gather = doc.find("Gather")
    outcome_path = path_of(gather.get("action"))
    assert outcome_path == f"{base}/legs/0/outcome/?via=main&dial=completed"
    doc = twiml(webhook(client, outcome_path, CallSid=sid, Digits="1"))
    assert path_of(doc.find("Redirect").text) == f"{base}/legs/1/"
    first = Outreach.objects.get()
    assert first.legislator == targets[0].legislator
    assert first.method == Outreach.Method.PATCH_THROUGH
    assert first.outcome == Outreach.Outcome.TALKED
    assert first.office == targets[0].dc_office
    assert first.session == call.session
    assert first.campaign == call_action.campaign
    assert first.referred_by_code == "abc123"
    assert first.utm_source == "news"
    assert first.state == "TX"
    assert first.congressional_district == "TX-37"

    # Twilio retries the same webhook: nothing is recorded twice, the call goes on.
    doc = twiml(webhook(client, outcome_path, CallSid=sid, Digits="2"))
    assert path_of(doc.find("Redirect").text) == f"{base}/legs/1/"
    assert Outreach.objects.count() == 1
    assert Outreach.objects.get().outcome == Outreach.Outcome.TALKED

    # Leg 1: busy, recorded from DialCallStatus without asking.
    twiml(webhook(client, f"{base}/legs/1/", CallSid=sid))
    doc = twiml(
        webhook(
            client,
            f"{base}/legs/1/dialed/?via=main",
            CallSid=sid,
            DialCallStatus="busy",
        )
    )
    assert path_of(doc.find("Redirect").text) == f"{base}/legs/2/"
    assert (
        Outreach.objects.get(legislator=targets[1].legislator).outcome
        == Outreach.Outcome.BUSY
    )

    # Leg 2, the last: connected, no key pressed: the dial status says talked.
    twiml(webhook(client, f"{base}/legs/2/", CallSid=sid))
    twiml(
        webhook(
            client,
            f"{base}/legs/2/dialed/?via=main",
            CallSid=sid,
            DialCallStatus="completed",
        )
    )
    doc = twiml(
        webhook(client, f"{base}/legs/2/outcome/?via=main&dial=completed", CallSid=sid)
    )
    assert doc.find("Hangup") is not None
    assert "last call" in " ".join(s.text for s in doc.iter("Say"))
    assert Outreach.objects.count() == 3
    assert set(Outreach.objects.values_list("legislator", flat=True)) == {
        t.legislator.pk for t in targets
    }

    # The call ends: the number and the scripts are forgotten.
    response = webhook(client, f"{base}/status/", CallSid=sid, CallStatus="completed")
    assert response.status_code == 204
    call.refresh_from_db()
    assert call.status == PatchCall.Status.FINISHED
    assert call.phone_number == ""
    assert all(leg["script"] == "" for leg in call.legs)
    assert call.ended_at is not None
    # A replayed status callback changes nothing.
    ended_at = call.ended_at
    webhook(client, f"{base}/status/", CallSid=sid, CallStatus="in-progress")
    call.refresh_from_db()
    assert call.status == PatchCall.Status.FINISHED
    assert call.ended_at == ended_at


def test_a_closed_office_offers_voicemail_or_skip_in_spanish(
    client, call_action, targets, fake_twilio, always_closed
):
    call = start(call_action, targets, language="es")
    sid = call.call_sid
    base = f"/twilio/calls/{call.token}"
    webhook(client, f"{base}/answer/", CallSid=sid)
    doc = twiml(webhook(client, f"{base}/legs/0/", CallSid=sid))
    assert doc.find("Dial") is None
    gather = doc.find("Gather")
    assert gather.find("Say").get("language") == "es-US"
    assert "Ahora está cerrada" in gather.find("Say").text
    assert "Pulse 2 para dejar un mensaje de voz" in " ".join(
        say.text for say in gather.iter("Say")
    )
    choice = path_of(gather.get("action"))
    # 2: a voicemail at the closed Washington office.
    doc = twiml(webhook(client, choice, CallSid=sid, Digits="2"))
    assert doc.find("Dial").find("Number").text.startswith("+1")
    # 1 is not offered while the district office is closed too: it skips.
    twiml(
        webhook(
            client,
            f"{base}/legs/0/dialed/?via=main",
            CallSid=sid,
            DialCallStatus="completed",
        )
    )
    twiml(
        webhook(
            client,
            f"{base}/legs/0/outcome/?via=main&dial=completed",
            CallSid=sid,
            Digits="2",
        )
    )
    doc = twiml(webhook(client, f"{base}/legs/1/choice/", CallSid=sid, Digits="1"))
    assert doc.find("Dial") is None
    assert path_of(doc.find("Redirect").text) == f"{base}/legs/2/"
    outcomes = dict(Outreach.objects.values_list("legislator", "outcome"))
    assert outcomes == {
        targets[0].legislator.pk: Outreach.Outcome.VOICEMAIL,
        targets[1].legislator.pk: Outreach.Outcome.SKIPPED,
    }
    assert set(Outreach.objects.values_list("language", flat=True)) == {"es"}


@pytest.fixture
def placed(call_action, targets, fake_twilio, always_open, client):
    call = start(call_action, targets)
    webhook(client, f"/twilio/calls/{call.token}/answer/", CallSid=call.call_sid)
    return call


@pytest.mark.parametrize(
    "signature", [None, "", "not-a-signature"], ids=["missing", "empty", "wrong"]
)
@pytest.mark.parametrize(
    "endpoint",
    [
        "answer/",
        "legs/0/",
        "legs/0/choice/",
        "legs/0/dialed/",
        "legs/0/outcome/",
        "status/",
    ],
)
def test_unsigned_or_badly_signed_webhooks_are_refused(
    client, placed, endpoint, signature
):
    path = f"/twilio/calls/{placed.token}/{endpoint}"
    headers = {} if signature is None else {"HTTP_X_TWILIO_SIGNATURE": signature}
    before = PatchCall.objects.values().get()
    response = client.post(
        path,
        {
            "CallSid": placed.call_sid,
            "Digits": "3",
            "CallStatus": "completed",
            "DialCallStatus": "busy",
        },
        **headers,
    )
    assert response.status_code == 403
    assert PatchCall.objects.values().get() == before
    assert not Outreach.objects.exists()


def test_a_signature_made_with_another_token_is_refused(client, placed):
    path = f"/twilio/calls/{placed.token}/legs/0/choice/"
    params = {"CallSid": placed.call_sid, "Digits": "3"}
    response = webhook(client, path, sign(path, params, token="guessed"), **params)
    assert response.status_code == 403
    assert not Outreach.objects.exists()


def test_a_signature_for_other_params_is_refused(client, placed):
    path = f"/twilio/calls/{placed.token}/legs/0/choice/"
    signature = sign(path, {"CallSid": placed.call_sid, "Digits": "2"})
    response = webhook(client, path, signature, CallSid=placed.call_sid, Digits="3")
    assert response.status_code == 403
    assert not Outreach.objects.exists()


def test_a_signature_for_another_url_is_refused(client, placed):
    """A signature of one leg's URL does not open another's (the query counts too)."""
    params = {"CallSid": placed.call_sid, "DialCallStatus": "busy"}
    signature = sign(f"/twilio/calls/{placed.token}/legs/0/dialed/?via=main", params)
    response = webhook(
        client,
        f"/twilio/calls/{placed.token}/legs/0/dialed/?via=district",
        signature,
        **params,
    )
    assert response.status_code == 403


def test_an_unknown_call_token_is_a_404_without_changes(client, placed):
    response = webhook(
        client,
        "/twilio/calls/not-a-real-token/legs/0/choice/",
        CallSid=placed.call_sid,
        Digits="3",
    )
    assert response.status_code == 404
    assert not Outreach.objects.exists()
    response = webhook(
        client,
        "/twilio/calls/not-a-real-token/status/",
        CallSid=placed.call_sid,
        CallStatus="completed",
    )
    assert response.status_code == 404
    assert PatchCall.objects.get().status == PatchCall.Status.IN_PROGRESS


def test_a_webhook_for_another_call_sid_is_ignored(client, placed):
    response = webhook(
        client,
        f"/twilio/calls/{placed.token}/legs/0/choice/",
        CallSid="CA" + "f" * 32,
        Digits="3",
    )
    assert response.status_code == 404
    assert not Outreach.objects.exists()


@pytest.mark.parametrize("leg", [1, 2, 3, 99])
def test_a_forged_leg_records_nothing_and_resumes_the_current_one(client, placed, leg):
    base = f"/twilio/calls/{placed.token}"
    for path, params in [
        (f"{base}/legs/{leg}/choice/", {"Digits": "3"}),
        (f"{base}/legs/{leg}/dialed/?via=main", {"DialCallStatus": "busy"}),
        (f"{base}/legs/{leg}/outcome/?via=main&dial=completed", {"Digits": "1"}),
        (f"{base}/legs/{leg}/", {}),
    ]:
        doc = twiml(webhook(client, path, CallSid=placed.call_sid, **params))
        assert path_of(doc.find("Redirect").text) == f"{base}/legs/0/"
    assert not Outreach.objects.exists()
    placed.refresh_from_db()
    assert placed.target_index == 0


def test_get_is_not_allowed(client, placed):
    response = client.get(f"/twilio/calls/{placed.token}/answer/")
    assert response.status_code == 405


def test_a_call_not_answered_fails_and_forgets_the_number(
    client, call_action, targets, fake_twilio
):
    call = start(call_action, targets)
    response = webhook(
        client,
        f"/twilio/calls/{call.token}/status/",
        CallSid=call.call_sid,
        CallStatus="no-answer",
    )
    assert response.status_code == 204
    call.refresh_from_db()
    assert call.status == PatchCall.Status.FAILED
    assert call.phone_number == ""


def test_the_supporter_hanging_up_during_a_leg_still_records_it(client, placed):
    base = f"/twilio/calls/{placed.token}"
    webhook(client, f"{base}/legs/0/", CallSid=placed.call_sid)
    webhook(client, f"{base}/status/", CallSid=placed.call_sid, CallStatus="completed")
    doc = twiml(
        webhook(
            client,
            f"{base}/legs/0/dialed/?via=main",
            CallSid=placed.call_sid,
            DialCallStatus="completed",
        )
    )
    assert doc.find("Hangup") is not None
    assert Outreach.objects.get().outcome == Outreach.Outcome.TALKED


def test_call_me_requests_are_limited_per_number_and_per_ip(db, settings):
    settings.PATCH_THROUGH_RATE_LIMIT_PER_NUMBER = 2
    settings.PATCH_THROUGH_RATE_LIMIT_PER_IP = 3
    for _ in range(2):
        patch_through.check_patch_call_limits(ip_address="10.0.0.1", phone_number=PHONE)
    with pytest.raises(RateLimitedError, match="number"):
        patch_through.check_patch_call_limits(ip_address="10.0.0.2", phone_number=PHONE)
    patch_through.check_patch_call_limits(
        ip_address="10.0.0.1", phone_number="+12125550199"
    )
    with pytest.raises(RateLimitedError, match="ip"):
        patch_through.check_patch_call_limits(
            ip_address="10.0.0.1", phone_number="+12125550198"
        )


def test_calls_never_reported_ended_are_ended_and_forget_the_number(
    call_action, targets, fake_twilio, settings
):
    import datetime as dt

    from django.utils import timezone

    from advocacy.tasks import expire_patch_calls_task
    from harbor.celery import app

    settings.PATCH_THROUGH_MAX_CALL_MINUTES = 120
    old, answered, recent = (start(call_action, targets) for _ in range(3))
    PatchCall.objects.filter(pk=answered.pk).update(status=PatchCall.Status.IN_PROGRESS)
    now = timezone.now()
    PatchCall.objects.filter(pk__in=[old.pk, answered.pk]).update(
        created_at=now - dt.timedelta(minutes=121)
    )
    assert patch_through.expire_patch_calls(now=now) == 2
    assert patch_through.expire_patch_calls(now=now) == 0
    rows = {c.pk: c for c in PatchCall.objects.all()}
    assert rows[old.pk].status == PatchCall.Status.FAILED
    assert rows[answered.pk].status == PatchCall.Status.FINISHED
    assert rows[old.pk].phone_number == rows[answered.pk].phone_number == ""
    assert rows[recent.pk].phone_number == PHONE
    assert rows[recent.pk].ended_at is None
    # The task is the service; its name and schedule are pinned.
    assert expire_patch_calls_task.name == "advocacy.expire_patch_calls"
    assert expire_patch_calls_task() == 0
    assert {"task": "advocacy.expire_patch_calls", "schedule": 900} in (
        app.conf.beat_schedule.values()
    )


@pytest.mark.django_db(transaction=True)
def test_the_same_webhook_at_the_same_moment_records_one_outreach(
    call_action, targets, fake_twilio
):
    """Twilio retrying while the first request still runs: two threads, one
    outreach."""
    import threading

    from django.db import connection

    call = start(call_action, targets)
    leg = patch_through.leg_of(call, 0)
    barrier = threading.Barrier(4)
    results = []

    def record():
        try:
            barrier.wait()
            fresh = PatchCall.objects.select_related("advocacy_campaign__campaign").get(
                pk=call.pk
            )
            results.append(
                patch_through.record_leg(
                    patch_call=fresh,
                    leg=leg,
                    outcome=Outreach.Outcome.TALKED,
                    office=leg.main_office,
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=record) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]
    assert Outreach.objects.count() == 1
    call.refresh_from_db()
    assert call.target_index == 1


def test_webhooks_need_no_csrf_token_but_the_form_does(
    call_action, targets, fake_twilio
):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    call = start(call_action, targets)
    response = webhook(
        strict, f"/twilio/calls/{call.token}/answer/", CallSid=call.call_sid
    )
    assert response.status_code == 200
    response = strict.post(
        "/campaigns/call-test/call/patch/",
        {"phone_number": PHONE, "call_pass": "x"},
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/twilio/calls/{token}/legs/99999999999999999999999999/",
        "/twilio/calls/{token}/legs/0/outcome/?via=%00&dial=" + "x" * 5000,
        "/twilio/calls/" + "t" * 3000 + "/answer/",
        "/twilio/calls/%F0%9F%92%A5/status/",
    ],
)
def test_hostile_webhook_urls_are_never_a_500(client, placed, path):
    path = path.format(token=placed.token)
    response = webhook(client, path, CallSid=placed.call_sid, Digits="9" * 100)
    assert response.status_code in (200, 400, 404)
    # Only the current leg (0) may be recorded, and then with a known outcome.
    for outreach in Outreach.objects.all():
        assert outreach.legislator_id == placed.legs[0]["legislator"]
        assert outreach.outcome == Outreach.Outcome.BUSY


def test_a_signed_webhook_without_a_call_sid_is_ignored(client, placed):
    response = webhook(
        client, f"/twilio/calls/{placed.token}/legs/0/choice/", Digits="3"
    )
    assert response.status_code == 404
    assert not Outreach.objects.exists()


def test_a_saturated_line_offers_the_district_office_first(
    client, call_action, targets, fake_twilio, always_open, settings
):
    from django.core.cache import cache

    settings.ADVOCACY_SATURATION_MIN_CALLS = 2
    settings.ADVOCACY_SATURATION_THRESHOLD = 0.5
    cache.clear()
    target = next(t for t in targets if t.nearest_district_office and t.dc_office)
    index = targets.index(target)
    for _ in range(2):  # two other callers found the Washington line busy
        Outreach.objects.create(
            advocacy_campaign=call_action,
            kind="call",
            legislator=target.legislator,
            session=uuid.uuid4(),
            office=target.dc_office,
            method=Outreach.Method.CLICK_TO_CALL,
            outcome=Outreach.Outcome.BUSY,
        )
    call = start(call_action, targets)
    call.target_index = index
    call.save(update_fields=["target_index"])
    base = f"/twilio/calls/{call.token}"
    doc = twiml(webhook(client, f"{base}/legs/{index}/", CallSid=call.call_sid))
    assert doc.find("Dial") is None
    said = " ".join(say.text for say in doc.find("Gather").iter("Say"))
    assert "line is very busy right now" in said
    assert f"Press 1 to call the {target.nearest_district_office.label}" in said
    assert "Press 2 to try it anyway" in said
    doc = twiml(
        webhook(
            client, f"{base}/legs/{index}/choice/", CallSid=call.call_sid, Digits="1"
        )
    )
    dial = doc.find("Dial")
    assert path_of(dial.get("action")) == f"{base}/legs/{index}/dialed/?via=district"
    assert dial.find("Number").text == patch_through.dialable(
        target.nearest_district_office.phone
    )
