"""The real twilio library against the loopback fake REST API, and the webhook
signature check with the library's own validator."""

import base64

import pytest
from django.test import RequestFactory
from twilio.request_validator import RequestValidator

from advocacy import twilio_api

from .conftest import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER


def test_off_until_account_token_and_number_are_all_set(settings):
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_FROM_NUMBER = ""
    assert not twilio_api.is_configured()
    settings.TWILIO_FROM_NUMBER = FROM_NUMBER
    assert twilio_api.is_configured()


def test_place_call_posts_to_the_calls_resource_as_twilio_expects(fake_twilio):
    placed = twilio_api.place_call(
        to="+12125550123",
        answer_url="https://act.example.org/twilio/answer/",
        status_callback_url="https://act.example.org/twilio/status/",
    )
    assert placed.sid.startswith("CA")
    assert len(placed.sid) == 34
    assert placed.status == "queued"
    (request,) = fake_twilio.requests
    assert request["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json"
    assert request["content_type"] == "application/x-www-form-urlencoded"
    basic = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    assert request["auth"] == f"Basic {basic}"
    form = request["form"]
    assert form["To"] == "+12125550123"
    assert form["From"] == FROM_NUMBER
    assert form["Url"] == "https://act.example.org/twilio/answer/"
    assert form["Method"] == "POST"
    assert form["StatusCallback"] == "https://act.example.org/twilio/status/"
    assert form["StatusCallbackEvent"] == [
        "initiated",
        "ringing",
        "answered",
        "completed",
    ]


def test_a_number_twilio_refuses_is_a_bad_number(fake_twilio):
    with pytest.raises(twilio_api.CallNotPlacedError, match="21211") as info:
        twilio_api.place_call(
            to="+15555550123", answer_url="https://a/", status_callback_url="https://b/"
        )
    assert info.value.bad_number


def test_a_twilio_outage_is_not_a_bad_number(fake_twilio):
    fake_twilio.fail_next = [503]
    with pytest.raises(twilio_api.CallNotPlacedError) as info:
        twilio_api.place_call(
            to="+12125550123", answer_url="https://a/", status_callback_url="https://b/"
        )
    assert not info.value.bad_number


def test_a_wrong_auth_token_is_refused_by_the_api(fake_twilio, settings):
    settings.TWILIO_AUTH_TOKEN = "wrong"
    with pytest.raises(twilio_api.CallNotPlacedError, match="20003"):
        twilio_api.place_call(
            to="+12125550123", answer_url="https://a/", status_callback_url="https://b/"
        )


def test_an_unreachable_api_is_a_clear_error(settings, fake_twilio):
    settings.TWILIO_API_BASE_URL = "http://127.0.0.1:9"  # nothing listens on discard
    with pytest.raises(twilio_api.CallNotPlacedError, match="ConnectionError"):
        twilio_api.place_call(
            to="+12125550123", answer_url="https://a/", status_callback_url="https://b/"
        )


def _signed_post(path: str, params: dict, *, token: str = AUTH_TOKEN, url: str = ""):
    signature = RequestValidator(token).compute_signature(
        url or f"https://act.example.org{path}", params
    )
    return RequestFactory().post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


def test_a_signature_over_the_public_url_and_params_is_valid(fake_twilio):
    params = {"CallSid": "CA" + "1" * 32, "CallStatus": "in-progress", "Digits": "1"}
    request = _signed_post("/twilio/calls/abc/answer/?leg=2", params)
    assert twilio_api.has_valid_signature(request)


@pytest.mark.parametrize(
    "tamper",
    ["token", "param", "extra_param", "url", "missing"],
)
def test_a_signature_that_does_not_match_is_refused(fake_twilio, tamper):
    path = "/twilio/calls/abc/answer/"
    params = {"CallSid": "CA" + "1" * 32, "Digits": "1"}
    if tamper == "token":
        request = _signed_post(path, params, token="another-token")
    elif tamper == "url":
        request = _signed_post(path, params, url="https://evil.example/" + path)
    else:
        request = _signed_post(path, params)
        if tamper == "param":
            request.POST = request.POST.copy()
            request.POST["Digits"] = "2"
        elif tamper == "extra_param":
            request.POST = request.POST.copy()
            request.POST["To"] = "+12125550123"
        elif tamper == "missing":
            del request.META["HTTP_X_TWILIO_SIGNATURE"]
    assert not twilio_api.has_valid_signature(request)


def test_no_auth_token_means_no_request_is_valid(fake_twilio, settings):
    request = _signed_post("/twilio/calls/abc/answer/", {"CallSid": "CA1"})
    settings.TWILIO_AUTH_TOKEN = ""
    assert not twilio_api.has_valid_signature(request)
