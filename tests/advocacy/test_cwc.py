"""The CWC message: built with lxml, valid against the schema, refused when it is not;
delivery to a loopback fake CWC that validates what it receives."""

import datetime as dt

import pytest
from lxml import etree

from advocacy import cwc
from legislators.models import Chamber, Legislator
from tests.advocacy.fake_cwc import FakeCwc

from .letters_setup import configure_cwc


def _letter(**overrides) -> cwc.CwcLetter:
    values = {
        "delivery_id": cwc.new_delivery_id(),
        "campaign_id": "harbor-reauthorize-tvpa",
        "member_office": "HTX37",
        "constituent": cwc.Constituent(
            prefix="Ms.",
            first_name="Ana",
            last_name="Reyes",
            address1="100 Congress Ave",
            city="Austin",
            state="TX",
            zip_code="78701",
            email="ana@example.org",
        ),
        "subject": "Reauthorize the TVPA",
        "body": "Dear Representative, please cosponsor the reauthorization. </Message>&",
        "bills": (cwc.BillRef(congress=119, bill_type="hr", number=2200),),
        "pro_or_con": "pro",
        "delivery_date": dt.date(2026, 12, 1),
    }
    values.update(overrides)
    return cwc.CwcLetter(**values)


@pytest.fixture
def agent(settings):
    with FakeCwc() as fake:
        configure_cwc(settings, fake)
        yield fake


def test_a_letter_is_valid_cwc_xml_with_markup_kept_as_text(agent):
    payload = cwc.render(_letter())
    doc = etree.fromstring(payload)
    assert cwc.schema().validate(doc)
    assert doc.findtext("CWCVersion") == "2.0"
    assert doc.findtext("Delivery/DeliveryAgent") == "Harbor Test Network"
    assert doc.findtext("Delivery/DeliveryDate") == "20261201"
    assert doc.findtext("Recipient/MemberOffice") == "HTX37"
    assert doc.findtext("Constituent/Zip") == "78701"
    assert doc.findtext("Message/Bills/Bill/BillNumber") == "2200"
    assert doc.findtext("Message/ConstituentMessage").endswith("</Message>&")
    assert b"&lt;/Message&gt;&amp;" in payload


@pytest.mark.parametrize(
    ("overrides", "where"),
    [
        ({"member_office": "TX37"}, "MemberOffice"),
        ({"body": "Hi"}, "ConstituentMessage"),
        ({"body": "x" * 10_001}, "ConstituentMessage"),
        ({"delivery_id": "not-32-characters"}, "DeliveryId"),
        ({"subject": "Hey"}, "Subject"),
        ({"topics": ("Trafficking",)}, "LibraryOfCongressTopic"),
    ],
)
def test_an_invalid_letter_is_refused_before_sending(agent, overrides, where):
    with pytest.raises(cwc.CwcInvalidMessage, match=where):
        cwc.render(_letter(**overrides))
    assert agent.requests == []


def test_a_bad_constituent_zip_is_refused(agent):
    person = _letter().constituent
    bad = cwc.Constituent(**{**person.__dict__, "zip_code": "7870"})
    with pytest.raises(cwc.CwcInvalidMessage, match="Zip"):
        cwc.render(_letter(constituent=bad))


def test_delivery_posts_the_xml_and_the_fake_accepts_it(agent):
    cwc.deliver(cwc.render(_letter()), member_office="HTX37")
    (request,) = agent.requests
    assert request["path"] == "/v2/message"
    assert request["apikey"] == agent.api_key
    assert request["content_type"].startswith("application/xml")
    assert len(agent.accepted) == 1


def test_server_errors_are_transient_and_refusals_permanent(agent, settings):
    agent.fail_next = [503]
    with pytest.raises(cwc.CwcDeliveryError) as error:
        cwc.deliver(cwc.render(_letter()), member_office="HTX37")
    assert error.value.transient
    assert error.value.status_code == 503
    # Schema-invalid bytes sent anyway: the fake refuses them with 400, permanent.
    with pytest.raises(cwc.CwcDeliveryError) as error:
        cwc.deliver(b"<CWC><CWCVersion>2.0</CWCVersion></CWC>", member_office="HTX37")
    assert not error.value.transient
    assert error.value.status_code == 400
    settings.CWC_API_KEY = "wrong"
    with pytest.raises(cwc.CwcDeliveryError) as error:
        cwc.deliver(cwc.render(_letter()), member_office="HTX37")
    assert error.value.configuration


def test_network_failure_is_transient(settings):
    with FakeCwc() as fake:
        configure_cwc(settings, fake)
    # The server is closed now: nothing listens on that port.
    with pytest.raises(cwc.CwcDeliveryError) as error:
        cwc.deliver(b"<CWC/>", member_office="HTX37")
    assert error.value.transient


def test_office_codes_and_senate_class():
    house = Legislator(chamber=Chamber.US_HOUSE, state="TX", district="7")
    at_large = Legislator(chamber=Chamber.US_HOUSE, state="AK", district="0")
    senator = Legislator(
        chamber=Chamber.US_SENATE, state="TX", term_end=dt.date(2027, 1, 3)
    )
    class_one = Legislator(
        chamber=Chamber.US_SENATE, state="OH", term_end=dt.date(2031, 1, 3)
    )
    state = Legislator(chamber=Chamber.STATE_LOWER, state="TX", district="49")
    assert cwc.office_code(house) == "HTX07"
    assert cwc.office_code(at_large) == "HAK00"
    assert cwc.office_code(senator) == "STX01"  # class 2
    assert cwc.office_code(class_one) == "SOH00"
    assert cwc.office_code(state) is None


def test_bill_refs():
    assert cwc.bill_ref(jurisdiction="US", session="119", identifier="H.R. 2200") == (
        cwc.BillRef(119, "hr", 2200)
    )
    assert cwc.bill_ref(jurisdiction="US", session="119", identifier="S.J.Res. 7") == (
        cwc.BillRef(119, "sjres", 7)
    )
    assert cwc.bill_ref(jurisdiction="TX", session="89R", identifier="HB 12") is None


def test_without_configuration_no_member_is_reached(settings):
    settings.CWC_API_URL = ""
    house = Legislator(chamber=Chamber.US_HOUSE, state="TX", district="7")
    assert not cwc.reaches(house)
    with pytest.raises(cwc.CwcDeliveryError) as error:
        cwc.deliver(b"<CWC/>", member_office="HTX07")
    assert error.value.configuration
