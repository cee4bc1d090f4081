"""Bill sync against a loopback server serving real Congress.gov payloads (and Open
States payloads in the documented v3 shape), with scripted rate limits, errors and bad
payloads."""

import json
import logging
import re

import pytest

from campaigns.models import Campaign, CampaignBill
from legislators import sync, tasks
from legislators.http import (
    ApiClient,
    MalformedPayload,
    PermanentApiError,
    TransientApiError,
)
from legislators.models import Bill, BillAction, Legislator, Sponsorship, SyncRun

from .fakes import fixture

pytestmark = pytest.mark.django_db
BILL = "/v3/bill/117/hr/21"


@pytest.fixture
def congress(fake_api, settings):
    settings.CONGRESS_API_URL = fake_api.url + "/v3"
    settings.CONGRESS_API_KEY = "test-key"
    settings.LEGISLATORS_HTTP_MAX_ATTEMPTS = 3
    settings.LEGISLATORS_HTTP_TIMEOUT = 5
    for suffix, name in (
        ("", ""),
        ("/actions", "_actions"),
        ("/cosponsors", "_cosponsors"),
        ("/summaries", "_summaries"),
    ):
        fake_api.serve(
            BILL + suffix, fixture(f"congress-gov-api-v3/bill_117_hr_21{name}.json")
        )
    return fake_api


@pytest.fixture
def tracked_bill():
    bill = Bill.objects.create(
        jurisdiction="US", session="117", identifier="H.R. 21", title="Tracked by hand"
    )
    campaign = Campaign.objects.create(title="Cloud", slug="cloud", status="live")
    CampaignBill.objects.create(campaign=campaign, bill=bill)
    BillAction.objects.create(bill=bill, date="2021-01-04", text="Introduced in House")
    return bill


@pytest.fixture
def waits():
    return []


@pytest.fixture
def client(waits):
    return sync.congress_client(sleep=waits.append)


def snapshot(bill):
    bill.refresh_from_db()
    return (
        bill.title,
        bill.stage,
        list(bill.actions.values_list("text", flat=True)),
        list(bill.sponsorships.values_list("name", flat=True)),
    )


def test_sync_writes_the_bill_its_actions_and_sponsors(congress, tracked_bill, client):
    connolly = Legislator.objects.create(
        bioguide_id="C001078",
        name="Gerald E. Connolly",
        chamber="us_house",
        state="VA",
        district="11",
    )
    summary = sync.sync_federal_bills(client=client)
    assert summary == {"synced": 1, "failed": 0, "errors": []}
    bill = Bill.objects.get(pk=tracked_bill.pk)
    assert bill.title.startswith("FedRAMP Authorization Act")
    assert (
        bill.stage == Bill.Stage.PASSED_ONE
    )  # passed the House, referred in the Senate
    assert bill.introduced_on.isoformat() == "2021-01-04"
    assert bill.last_synced_at is not None
    assert "FedRAMP" in bill.summary
    assert "<p>" not in bill.summary
    assert bill.actions.count() == 10
    assert bill.actions.first().date.isoformat() == "2021-01-04"
    sponsor = bill.sponsorships.get(kind=Sponsorship.Kind.SPONSOR)
    assert sponsor.legislator == connolly
    cosponsors = bill.sponsorships.filter(kind=Sponsorship.Kind.COSPONSOR)
    assert sorted(c.sponsored_on.isoformat() for c in cosponsors) == ["2021-01-04"] * 2
    assert list(bill.campaign_links.values_list("campaign__slug", flat=True)) == [
        "cloud"
    ]
    request = congress.requests[0]
    assert request["headers"]["x-api-key"] == "test-key"
    assert "api_key" not in request["query"]
    assert SyncRun.objects.get(kind="sync_congress").ok


def test_sync_twice_gives_the_same_rows(congress, tracked_bill, client):
    sync.sync_federal_bills(client=client)
    first = snapshot(tracked_bill)
    sync.sync_federal_bills(client=client)
    assert snapshot(tracked_bill) == first
    assert Bill.objects.count() == 1


def test_rate_limit_is_retried_after_the_time_the_server_asks(
    congress, tracked_bill, client, waits, caplog
):
    congress.script(
        BILL + "/actions", (429, {"error": "slow down"}, {"Retry-After": "7"})
    )
    with caplog.at_level(logging.WARNING, logger="legislators.http"):
        summary = sync.sync_federal_bills(client=client)
    assert summary["synced"] == 1
    assert waits == [7.0]
    assert "HTTP 429" in caplog.text
    assert "attempt 1 of 3" in caplog.text
    assert Bill.objects.get(pk=tracked_bill.pk).actions.count() == 10


def test_server_errors_back_off_then_give_up_leaving_the_bill_as_it_was(
    congress, tracked_bill, client, waits, caplog
):
    before = snapshot(tracked_bill)
    congress.serve(BILL + "/cosponsors", {"error": "boom"}, status=503)
    with caplog.at_level(logging.WARNING):
        summary = sync.sync_federal_bills(client=client)
    assert summary["failed"] == 1
    assert "HTTP 503 after 3 attempts" in summary["errors"][0]
    assert congress.hits(BILL + "/cosponsors") == 3
    assert len(waits) == 2
    assert waits[1] > waits[0] > 0
    assert snapshot(tracked_bill) == before
    assert not SyncRun.objects.get(kind="sync_congress").ok
    assert f"congress sync failed bill={tracked_bill.pk}" in caplog.text


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        (
            "/actions",
            {"actions": [{"text": "no date"}], "pagination": {"count": 1}},
            r"actions\[0\]: field 'actionDate'",
        ),
        (
            "/actions",
            {"actions": [{"actionDate": "soon", "text": "x"}]},
            r"field 'actionDate' is not a date",
        ),
        (
            "/cosponsors",
            {"cosponsors": "nope"},
            r"field 'cosponsors' is missing or not a list",
        ),
        ("", {"bill": {"type": "HR", "number": "21"}}, r"field 'title' is missing"),
        ("", b"<html>not json</html>", r"the body is not JSON"),
    ],
)
def test_a_malformed_payload_changes_nothing_and_says_which_field(
    congress, tracked_bill, client, path, body, message
):
    before = snapshot(tracked_bill)
    congress.serve(BILL + path, body)
    summary = sync.sync_federal_bills(client=client)
    assert summary["failed"] == 1
    assert summary["errors"][0].startswith(f"bill {tracked_bill.pk}:")
    assert re.search(message, summary["errors"][0])
    assert snapshot(tracked_bill) == before


def test_a_rejected_key_fails_at_once_and_loudly(congress, client):
    congress.serve(BILL, {"error": {"code": "API_KEY_INVALID"}}, status=403)
    with pytest.raises(PermanentApiError, match="check the API key"):
        sync.fetch_congress_bill(client, congress=117, bill_type="hr", number=21)
    assert congress.hits(BILL) == 1


def test_unreachable_server_is_transient(settings, waits):
    client = ApiClient(
        base_url="http://127.0.0.1:9", max_attempts=2, sleep=waits.append, timeout=2
    )
    with pytest.raises(TransientApiError, match="ConnectionError after 2 attempts"):
        client.get_json("bill")
    assert len(waits) == 1


def test_sync_is_disabled_and_says_so_without_a_key(settings, tracked_bill, caplog):
    settings.CONGRESS_API_KEY = ""
    settings.OPENSTATES_API_KEY = ""
    with caplog.at_level(logging.WARNING):
        assert sync.sync_federal_bills() == {"disabled": True}
        assert sync.sync_state_bills() == {"disabled": True}
    assert "CONGRESS_API_KEY is not set" in caplog.text
    assert "OPENSTATES_API_KEY is not set" in caplog.text


def test_tasks_have_stable_names_queues_and_a_beat_schedule():
    from harbor.celery import app

    assert tasks.sync_federal_bills_task.name == "legislators.sync_federal_bills"
    assert tasks.sync_state_bills_task.name == "legislators.sync_state_bills"
    assert tasks.import_reference_data_task.name == "legislators.import_reference_data"
    for task in (
        tasks.sync_federal_bills_task,
        tasks.sync_state_bills_task,
        tasks.import_reference_data_task,
    ):
        assert task.queue == "default"
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {
        "legislators.sync_federal_bills",
        "legislators.sync_state_bills",
    } <= scheduled


def test_the_sync_task_runs_the_service(congress, tracked_bill):
    congress_calls_before = len(congress.requests)
    tasks.sync_federal_bills_task()
    assert len(congress.requests) > congress_calls_before
    assert Bill.objects.get(pk=tracked_bill.pk).last_synced_at is not None


# --- Open States ----------------------------------------------------------------------


@pytest.fixture
def openstates(fake_api, settings):
    settings.OPENSTATES_API_URL = fake_api.url
    settings.OPENSTATES_API_KEY = "os-key"
    fake_api.serve("/bills", fixture("openstates-v3/bills_tx.json"))
    return fake_api


def test_openstates_sync_writes_state_bill_with_sponsors(openstates):
    louderback = Legislator.objects.create(
        openstates_id="ocd-person/dd3e49ca-2b2b-4a83-ae63-0ade6ccef73f",
        name="A.J. Louderback",
        chamber="state_lower",
        state="TX",
        district="30",
    )
    bill = Bill.objects.create(
        jurisdiction="TX", session="89R", identifier="HB 1", title="?"
    )
    summary = sync.sync_state_bills()
    assert summary["synced"] == 1
    bill.refresh_from_db()
    assert bill.stage == Bill.Stage.PASSED_ONE
    assert bill.openstates_id == "ocd-bill/00000000-0000-4000-8000-000000000001"
    assert bill.summary == "Creates a services program for child victims."
    assert bill.actions.count() == 4
    assert bill.sponsorships.get(kind="sponsor").legislator == louderback
    assert bill.sponsorships.get(kind="cosponsor").legislator is None
    request = openstates.requests[0]
    assert request["headers"]["x-api-key"] == "os-key"
    assert request["query"]["jurisdiction"] == [
        "ocd-jurisdiction/country:us/state:tx/government"
    ]
    assert set(request["query"]["include"]) == {
        "sponsorships",
        "actions",
        "sources",
        "abstracts",
    }


def test_openstates_malformed_bill_changes_nothing(openstates):
    bill = Bill.objects.create(
        jurisdiction="TX", session="89R", identifier="HB 1", title="?"
    )
    payload = json.loads(fixture("openstates-v3/bills_tx.json"))
    payload["results"][0]["actions"][2]["date"] = None
    openstates.serve("/bills", payload)
    summary = sync.sync_state_bills()
    assert summary["failed"] == 1
    assert "actions[2]: field 'date'" in summary["errors"][0]
    bill.refresh_from_db()
    assert (bill.title, bill.actions.count()) == ("?", 0)


def test_openstates_empty_result_is_reported(openstates):
    Bill.objects.create(jurisdiction="TX", session="89R", identifier="HB 9", title="?")
    openstates.serve("/bills", {"results": [], "pagination": {}})
    summary = sync.sync_state_bills()
    assert "no bill HB 9 in TX 89R" in summary["errors"][0]


def test_malformed_payload_is_a_permanent_error():
    assert issubclass(MalformedPayload, PermanentApiError)


def test_sync_bills_command_reports_each_source(
    settings, congress, tracked_bill, capsys
):
    from django.core.management import call_command

    settings.OPENSTATES_API_KEY = ""
    congress.serve(BILL + "/actions", {"error": "boom"}, status=500)
    settings.LEGISLATORS_HTTP_MAX_ATTEMPTS = 1
    call_command("sync_bills")
    out, err = capsys.readouterr()
    assert "congress: synced 0, failed 1" in out
    assert "openstates: disabled (no API key set)" in out
    assert "HTTP 500 after 1 attempts" in err


def test_openstates_sync_keeps_only_web_source_links(openstates):
    from django.test import Client

    bill = Bill.objects.create(
        jurisdiction="TX", session="89R", identifier="HB 1", title="?"
    )
    payload = json.loads(fixture("openstates-v3/bills_tx.json"))
    good = payload["results"][0]["sources"][0]["url"]
    payload["results"][0]["sources"] = [
        {"url": "javascript:alert(1)", "note": ""},
        {"url": " JavaScript:alert(2)", "note": ""},
        {"url": "data:text/html,<script>alert(3)</script>", "note": ""},
        {"url": "ftp://example.org/bill.txt", "note": ""},
        {"url": 12, "note": ""},
        {"url": good, "note": ""},
    ]
    openstates.serve("/bills", payload)
    assert sync.sync_state_bills()["synced"] == 1
    bill.refresh_from_db()
    assert bill.source_urls == [good]
    html = Client().get(bill.get_absolute_url()).content.decode()
    assert good.replace("&", "&amp;") in html
    assert "alert(" not in html
    assert "javascript:" not in html.lower()


def _bad_order(bill):
    bill["actions"][0]["order"] = "first"


def _actions_not_a_list(bill):
    bill["actions"] = 5


def _action_not_an_object(bill):
    bill["actions"][1] = "Filed"


def _organization_not_an_object(bill):
    bill["actions"][0]["organization"] = "House"


def _sponsor_not_an_object(bill):
    bill["sponsorships"] = ["A.J. Louderback"]


def _sources_not_a_list(bill):
    bill["sources"] = 5


def _order_out_of_range(bill):
    bill["actions"][0]["order"] = 10**30


def _id_too_long(bill):
    bill["id"] = "ocd-bill/" + "x" * 100


def _id_of_another_bill(bill):
    bill["id"] = SECOND_OS_ID  # the unique key refuses it


SECOND_OS_ID = "ocd-bill/00000000-0000-4000-8000-000000000002"


@pytest.mark.parametrize(
    "break_first",
    [
        _bad_order,
        _actions_not_a_list,
        _action_not_an_object,
        _organization_not_an_object,
        _sponsor_not_an_object,
        _sources_not_a_list,
        _order_out_of_range,
        _id_too_long,
        _id_of_another_bill,
    ],
)
def test_openstates_sync_skips_a_malformed_bill_and_syncs_the_rest(
    openstates, caplog, break_first
):
    first = Bill.objects.create(
        jurisdiction="TX", session="89R", identifier="HB 1", title="?"
    )
    second = Bill.objects.create(
        jurisdiction="TX",
        session="89R",
        identifier="HB 2",
        title="?",
        openstates_id=SECOND_OS_ID,  # synced before
    )
    bad = json.loads(fixture("openstates-v3/bills_tx.json"))
    break_first(bad["results"][0])
    good = json.loads(fixture("openstates-v3/bills_tx.json"))
    good["results"][0].update(identifier="HB 2", id=SECOND_OS_ID)
    openstates.script("/bills", (200, bad), (200, good))
    with caplog.at_level(logging.WARNING, logger="legislators.sync"):
        summary = sync.sync_state_bills()
    assert [r["query"]["identifier"] for r in openstates.requests] == [
        ["HB 1"],
        ["HB 2"],
    ]
    assert (summary["synced"], summary["failed"]) == (1, 1)
    assert summary["errors"][0].startswith(f"bill {first.pk}: TX 89R HB 1: ")
    assert f"openstates sync failed bill={first.pk} TX 89R HB 1: " in caplog.text
    first.refresh_from_db()
    assert (first.title, first.openstates_id, first.last_synced_at) == ("?", None, None)
    assert not first.actions.exists()
    assert not first.sponsorships.exists()
    second.refresh_from_db()
    assert second.title.startswith("Relating to services")
    assert second.actions.count() == 4
    assert not SyncRun.objects.get(kind="sync_openstates").ok


@pytest.mark.parametrize(
    ("break_first", "reason"),
    [
        (lambda bill: bill.update(sponsors=5), "field 'sponsors' is not a list"),
        (
            lambda bill: bill.update(sponsors=["Rep. Connolly"]),
            r"sponsors\[0\]: not an object",
        ),
        (lambda bill: bill.update(number="20x"), "not a bill of Congress"),
    ],
)
def test_congress_sync_skips_a_malformed_bill_and_syncs_the_rest(
    congress, tracked_bill, client, caplog, break_first, reason
):
    first = Bill.objects.create(
        jurisdiction="US", session="117", identifier="H.R. 20", title="?"
    )
    payload = json.loads(fixture("congress-gov-api-v3/bill_117_hr_21.json"))
    payload["bill"]["number"] = "20"
    break_first(payload["bill"])
    congress.serve("/v3/bill/117/hr/20", payload)
    for suffix in ("/actions", "/cosponsors", "/summaries"):
        congress.serve(
            "/v3/bill/117/hr/20" + suffix,
            fixture(f"congress-gov-api-v3/bill_117_hr_21_{suffix[1:]}.json"),
        )
    with caplog.at_level(logging.WARNING, logger="legislators.sync"):
        summary = sync.sync_federal_bills(client=client)
    assert (summary["synced"], summary["failed"]) == (1, 1)
    assert summary["errors"][0].startswith(f"bill {first.pk}: US 117 H.R. 20: ")
    assert re.search(reason, summary["errors"][0])
    assert f"congress sync failed bill={first.pk} US 117 H.R. 20: " in caplog.text
    first.refresh_from_db()
    assert (first.title, first.last_synced_at) == ("?", None)
    assert not first.actions.exists()
    assert tracked_bill.actions.count() == 10


# --- Responses cut off in transit -----------------------------------------------------

ACTIONS_BODY = fixture("congress-gov-api-v3/bill_117_hr_21_actions.json")
CUT_OFF = [
    pytest.param({"cut_after": 200}, id="content-length-not-reached"),
    pytest.param({"cut_after": 200, "chunked": True}, id="chunk-not-finished"),
    pytest.param({"truncate": 200}, id="json-body-truncated"),
]


def _cut(how: dict) -> tuple:
    """A scripted response: the actions payload cut off as ``how`` says."""
    if "truncate" in how:
        return (200, ACTIONS_BODY[: how["truncate"]])
    return (200, ACTIONS_BODY, {}, how)


@pytest.mark.parametrize("how", CUT_OFF)
def test_a_response_cut_off_mid_body_is_retried_with_back_off(
    congress, tracked_bill, client, waits, caplog, how
):
    congress.script(BILL + "/actions", _cut(how))
    with caplog.at_level(logging.WARNING, logger="legislators.http"):
        summary = sync.sync_federal_bills(client=client)
    assert summary == {"synced": 1, "failed": 0, "errors": []}
    assert congress.hits(BILL + "/actions") == 2
    assert len(waits) == 1
    assert "attempt 1 of 3" in caplog.text
    assert Bill.objects.get(pk=tracked_bill.pk).actions.count() == 10


@pytest.mark.parametrize("how", CUT_OFF)
def test_a_bill_whose_responses_keep_being_cut_off_is_recorded_and_the_rest_synced(
    congress, tracked_bill, client, waits, how
):
    other = Bill.objects.create(
        jurisdiction="US", session="117", identifier="H.R. 20", title="?"
    )
    payload = json.loads(fixture("congress-gov-api-v3/bill_117_hr_21.json"))
    payload["bill"]["number"] = "20"
    congress.serve("/v3/bill/117/hr/20", payload)
    for suffix in ("/actions", "/cosponsors", "/summaries"):
        congress.serve(
            "/v3/bill/117/hr/20" + suffix,
            fixture(f"congress-gov-api-v3/bill_117_hr_21_{suffix[1:]}.json"),
        )
    before = snapshot(tracked_bill)
    if "truncate" in how:
        congress.serve(BILL + "/actions", ACTIONS_BODY[: how["truncate"]])
    else:
        congress.serve(BILL + "/actions", ACTIONS_BODY, **how)
    summary = sync.sync_federal_bills(client=client)
    assert (summary["synced"], summary["failed"]) == (1, 1)
    (error,) = summary["errors"]
    assert error.startswith(f"bill {tracked_bill.pk}: US 117 H.R. 21: ")
    assert "after 3 attempts" in error
    assert congress.hits(BILL + "/actions") == 3
    assert snapshot(tracked_bill) == before
    other.refresh_from_db()
    assert other.last_synced_at is not None
    run = SyncRun.objects.get(kind="sync_congress")
    assert not run.ok
    assert run.summary["errors"] == [error]


def test_sync_bills_goes_on_to_open_states_after_a_cut_off_congress_response(
    settings, congress, openstates, tracked_bill, capsys
):
    from django.core.management import call_command

    settings.LEGISLATORS_HTTP_MAX_ATTEMPTS = 1
    congress.serve(
        BILL, fixture("congress-gov-api-v3/bill_117_hr_21.json"), cut_after=50
    )
    state_bill = Bill.objects.create(
        jurisdiction="TX", session="89R", identifier="HB 1", title="?"
    )
    call_command("sync_bills")
    out, err = capsys.readouterr()
    assert "congress: synced 0, failed 1" in out
    assert "openstates: synced 1, failed 0" in out
    assert "ChunkedEncodingError after 1 attempts" in err
    assert set(SyncRun.objects.values_list("kind", "ok")) == {
        ("sync_congress", False),
        ("sync_openstates", True),
    }
    state_bill.refresh_from_db()
    assert state_bill.actions.count() == 4


@pytest.mark.parametrize(
    ("body", "cut_off"),
    [
        (b'{"bills": [{"title": "FedRAMP', True),
        (b'{"bills": [{"title": "FedRAMP"}, ', True),
        (b'{"bills": [{"laws": nu', True),
        (b"", False),  # not a JSON document at all
        (b"<html>Bad gateway</html>", False),
        (b'{"bills": [}', False),
    ],
)
def test_a_cut_off_json_body_is_told_from_a_body_that_is_not_json(body, cut_off):
    from legislators.http import is_cut_off_json

    with pytest.raises(json.JSONDecodeError) as caught:
        json.loads(body)
    assert is_cut_off_json(caught.value) is cut_off
