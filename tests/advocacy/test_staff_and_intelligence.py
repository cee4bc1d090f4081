import csv
import io
import re
import uuid

import pytest
from django.core.cache import cache

from accounts.models import AuditEvent, Chapter
from advocacy import selectors
from advocacy.models import Outreach
from advocacy.services import Place, Source, record_call
from legislators.models import Chamber, Legislator
from tests.accounts.factories import make_leader

STAFF_URL = "/staff/campaigns/call-test/outreach/"
EXPORT_URL = "/staff/campaigns/call-test/outreach.csv"


@pytest.fixture
def chapters(db):
    return {
        state: Chapter.objects.create(
            name=f"Harbor {state}", slug=state.lower(), kind="state", state=state
        )
        for state in ("TX", "CA")
    }


def _calls(action, state, n, outcome="talked_to_staff", legislator=None):
    legislator = (
        legislator
        or Legislator.objects.filter(chamber=Chamber.US_SENATE, state=state).first()
    )
    office = legislator.offices.filter(kind="dc").first()
    for _ in range(n):
        record_call(
            action=action,
            session=uuid.uuid4(),
            legislator=legislator,
            office=office,
            outcome=outcome,
            place=Place(zip_code="", state=state),
            source=Source(utm_source="=cmd|' /C calc'!A0"),
        )
    return legislator, office


def test_staff_page_and_export_scoped_by_chapter(
    client, staff_client, call_action, chapters
):
    tx, _ = _calls(call_action, "TX", 3)
    ca, _ = _calls(call_action, "CA", 2, outcome="left_voicemail")
    html = staff_client.get(STAFF_URL).content.decode()
    assert tx.name in html
    assert ca.name in html
    rows = list(
        csv.reader(io.StringIO(staff_client.get(EXPORT_URL).getvalue().decode()))
    )
    assert len(rows) == 1 + 5
    # Formula cells are neutralised.
    assert all(not cell.startswith("=") for row in rows for cell in row)

    leader = make_leader(chapters["TX"], email="tx@example.org")
    client.force_login(leader)
    html = client.get(STAFF_URL).content.decode()
    assert tx.name in html
    assert ca.name not in html
    response = client.get(EXPORT_URL)
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert len(rows) == 1 + 3
    assert {row[rows[0].index("state")] for row in rows[1:]} == {"TX"}
    event = AuditEvent.objects.filter(action="advocacy.export", actor=leader).get()
    assert event.changes == {"rows": 3}


def test_staff_pages_need_staff(client, call_action):
    assert client.get(STAFF_URL).status_code == 302
    assert client.get(EXPORT_URL).status_code == 302
    assert not AuditEvent.objects.filter(action="advocacy.export").exists()


def test_staff_page_query_budget(
    staff_client, call_action, chapters, django_assert_max_num_queries
):
    _calls(call_action, "TX", 2)
    with django_assert_max_num_queries(12):
        assert staff_client.get(STAFF_URL).status_code == 200
    for leg in Legislator.objects.filter(chamber=Chamber.US_HOUSE)[:30]:
        _calls(call_action, leg.state, 2, legislator=leg, outcome="voicemail_full")
    with django_assert_max_num_queries(12):
        assert staff_client.get(STAFF_URL).status_code == 200


def test_saturated_office_suggests_the_district_office(client, call_action, settings):
    settings.ADVOCACY_SATURATION_MIN_CALLS = 5
    settings.ADVOCACY_SATURATION_THRESHOLD = 0.5
    cache.clear()
    response = client.post("/campaigns/call-test/call/", {"zip_code": "78701"})
    url = response["Location"]
    html = client.get(url).content.decode()
    first = int(re.search(r'name="legislator" value="(\d+)"', html).group(1))
    assert "very busy" not in html
    legislator = Legislator.objects.get(pk=first)
    _, office = _calls(
        call_action, "TX", 4, outcome="busy_or_no_answer", legislator=legislator
    )
    _calls(call_action, "TX", 2, outcome="voicemail_full", legislator=legislator)
    # Cached: the page does not re-count on every load.
    assert "very busy" not in client.get(url).content.decode()
    cache.clear()
    loads = selectors.office_loads([office.pk])
    assert loads[office.pk].calls == 6
    assert loads[office.pk].is_saturated
    html = client.get(url).content.decode()
    assert "very busy" in html
    district = legislator.offices.filter(kind="district").exclude(phone="").first()
    if district is not None:
        assert "Try the" in html


def test_too_few_calls_are_not_saturation(call_action, settings):
    settings.ADVOCACY_SATURATION_MIN_CALLS = 10
    cache.clear()
    _, office = _calls(call_action, "TX", 3, outcome="busy_or_no_answer")
    assert not selectors.office_loads([office.pk])[office.pk].is_saturated
    assert Outreach.objects.count() == 3


def test_staff_dashboard_links_each_campaigns_calls(staff_client, call_action):
    html = staff_client.get("/staff/").content.decode()
    assert STAFF_URL in html
