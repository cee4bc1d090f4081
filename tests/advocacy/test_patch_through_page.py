"""The call page's "Harbor calls you" form, on the real call flow (the signed pass),
against the loopback fake of Twilio's REST API."""

import re

import pytest

from advocacy.models import Outreach, PatchCall

from .test_patch_through import PHONE, webhook


@pytest.fixture
def always_open(settings):
    settings.PATCH_THROUGH_OFFICE_DAYS = [0, 1, 2, 3, 4, 5, 6]
    settings.PATCH_THROUGH_OFFICE_OPENS = "00:00"
    settings.PATCH_THROUGH_OFFICE_CLOSES = "24:00"


def start_pass(client, lang: str = "", **tracking) -> str:
    """Go through the call flow's start page; return the pass token."""
    query = f"?lang={lang}" if lang else ""
    response = client.post(
        f"/campaigns/call-test/call/{query}", {"zip_code": "78701", **tracking}
    )
    assert response.status_code == 303, response.content
    match = re.search(r"/call/([^/?]+)/", response["Location"])
    return match[1]


def call_me(client, token: str, lang: str = "", **overrides):
    data = {"phone_number": "(212) 555-0123", "call_pass": token, "website_url": ""}
    data.update(overrides)
    query = f"?lang={lang}" if lang else ""
    return client.post(f"/campaigns/call-test/call/patch/{query}", data)


def test_the_call_page_offers_the_call_only_when_twilio_is_configured(
    client, call_action, settings
):
    token = start_pass(client)
    page = client.get(f"/campaigns/call-test/call/{token}/").content.decode()
    assert "Or let Harbor call you" not in page
    assert 'href="tel:' in page
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_AUTH_TOKEN = "token"
    settings.TWILIO_FROM_NUMBER = "+12025550100"
    page = client.get(f"/campaigns/call-test/call/{token}/").content.decode()
    assert "Or let Harbor call you" in page
    assert f'value="{token}"' in page
    assert 'action="/campaigns/call-test/call/patch/"' in page


def test_call_me_calls_the_targets_of_the_pass_with_its_attribution(
    client, call_action, fake_twilio, always_open
):
    token = start_pass(client, ref="abc123", utm_source="news")
    response = call_me(client, token)
    call = PatchCall.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith(
        f"/campaigns/call-test/call/patch/{call.token}/?pass="
    )
    assert fake_twilio.calls[0]["To"] == PHONE
    assert call.phone_number == PHONE
    assert call.source["referred_by_code"] == "abc123"
    assert call.source["utm_source"] == "news"
    assert call.place["state"] == "TX"
    assert call.place["congressional_district"] == "TX-37"
    page = client.get(response["Location"]).content.decode()
    assert "ending in 0123" in page
    assert f"/campaigns/call-test/call/{token}/" in page  # back to the pass

    # The first leg recorded by Twilio's webhooks is the pass's outreach too.
    sid = call.call_sid
    base = f"/twilio/calls/{call.token}"
    webhook(client, f"{base}/answer/", CallSid=sid)
    webhook(client, f"{base}/legs/0/", CallSid=sid)
    webhook(
        client, f"{base}/legs/0/dialed/?via=main", CallSid=sid, DialCallStatus="busy"
    )
    outreach = Outreach.objects.get()
    assert outreach.method == Outreach.Method.PATCH_THROUGH
    assert outreach.referred_by_code == "abc123"
    page = client.get(f"/campaigns/call-test/call/{token}/").content.decode()
    assert "Call 2 of 3" in page
    # The number is gone from the page once the call is over.
    webhook(client, f"{base}/status/", CallSid=sid, CallStatus="completed")
    page = client.get(response["Location"]).content.decode()
    assert "0123" not in page
    assert "Thank you for calling" in page


def test_a_second_call_me_while_the_first_runs_does_not_ring_again(
    client, call_action, fake_twilio
):
    token = start_pass(client)
    first = call_me(client, token)
    second = call_me(client, token)
    assert second["Location"] == first["Location"]
    assert len(fake_twilio.calls) == 1


def test_only_the_targets_not_called_yet_are_called(client, call_action, fake_twilio):
    token = start_pass(client)
    page = client.get(f"/campaigns/call-test/call/{token}/").content.decode()
    legislator = re.search(r'name="legislator" value="(\d+)"', page)[1]
    client.post(
        f"/campaigns/call-test/call/{token}/",
        {"legislator": legislator, "outcome": "talked_to_staff"},
    )
    call_me(client, token)
    call = PatchCall.objects.get()
    assert len(call.legs) == 2
    assert int(legislator) not in [leg["legislator"] for leg in call.legs]


def test_call_me_in_spanish_calls_in_spanish(client, call_action, fake_twilio):
    token = start_pass(client, lang="es")
    page = client.get(f"/campaigns/call-test/call/{token}/?lang=es").content.decode()
    assert 'action="/campaigns/call-test/call/patch/?lang=es"' in page
    assert "O deje que Harbor le llame" in page
    response = call_me(client, token, lang="es")
    assert PatchCall.objects.get().language == "es"
    assert "lang=es" in response["Location"]
    assert (
        "Harbor le está llamando" in client.get(response["Location"]).content.decode()
    )


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("12", "valid phone number"),
        ("not a number", "valid phone number"),
        ("+44 20 7946 0958", "United States"),
        ("", "required"),
        ("(212) 555-0188", "could not call this number"),
    ],
)
def test_a_bad_number_is_a_clear_message_and_no_call(
    client, call_action, fake_twilio, phone, message
):
    fake_twilio.refused = {"+12125550188"}
    response = call_me(client, start_pass(client), phone_number=phone)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PatchCall.objects.exclude(status=PatchCall.Status.FAILED).exists()


def test_a_forged_or_damaged_pass_is_a_clear_message(client, call_action, fake_twilio):
    token = start_pass(client)
    for bad in (token[:-3] + "abc", "x" * 3000, ""):
        response = call_me(client, bad)
        assert response.status_code == 400
    assert (
        "not valid or has expired"
        in call_me(client, token[:-3] + "abc").content.decode()
    )
    assert not fake_twilio.requests


def test_a_twilio_outage_is_a_clear_message(client, call_action, fake_twilio):
    fake_twilio.fail_next = [500]
    response = call_me(client, start_pass(client))
    assert response.status_code == 503
    assert "could not be placed" in response.content.decode()


def test_too_many_call_me_requests_are_refused(
    client, call_action, fake_twilio, settings
):
    settings.PATCH_THROUGH_RATE_LIMIT_PER_NUMBER = 1
    assert call_me(client, start_pass(client)).status_code == 302
    PatchCall.objects.update(ended_at="2026-12-01T00:00:00Z")
    response = call_me(client, start_pass(client))
    assert response.status_code == 429
    assert len(fake_twilio.calls) == 1


def test_a_bot_filling_the_honeypot_is_not_called(client, call_action, fake_twilio):
    response = call_me(client, start_pass(client), website_url="http://spam.example")
    assert response.status_code == 302
    assert not fake_twilio.requests
    assert client.get(response["Location"]).status_code == 200


def test_without_twilio_there_is_no_call_me(client, call_action):
    assert call_me(client, start_pass(client)).status_code == 404


def test_another_actions_status_page_is_a_404(client, call_action, fake_twilio):
    call_me(client, start_pass(client))
    call = PatchCall.objects.get()
    assert client.get(f"/campaigns/other/call/patch/{call.token}/").status_code == 404
    assert client.get("/campaigns/call-test/call/patch/nope/").status_code == 404
