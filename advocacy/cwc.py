"""Letters to members of Congress through Communicating with Congress (CWC), version 2.0.

The message is built as an lxml tree (never from string templates, so a supporter's
``</Message>`` is text, not markup), validated against the schema in
``advocacy/cwc/cwc-2.0.xsd`` before anything is sent, and POSTed as
``application/xml`` to the configured endpoint with the API key as CWC asks
(``?apikey=``). The House and the Senate run separate endpoints with separate keys:
``CWC_API_URL``/``CWC_API_KEY`` for the House, ``CWC_SENATE_API_URL``/
``CWC_SENATE_API_KEY`` for the Senate; a chamber without one has no CWC route.

Nothing here touches the database; ``advocacy.letters`` records what happened.
"""

import datetime as dt
import functools
import logging
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests
from django.conf import settings
from django.utils import timezone
from lxml import etree

from legislators.models import Chamber, Legislator

logger = logging.getLogger(__name__)

SCHEMA_PATH = Path(__file__).resolve().parent / "cwc" / "cwc-2.0.xsd"
CWC_VERSION = "2.0"

# Characters XML 1.0 cannot carry at all (lxml refuses them): dropped from typed text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Bill types as CWC names them, from Harbor's identifiers ("H.R. 2200" -> "hr").
_BILL_TYPES = {
    "hr": "hr",
    "s": "s",
    "hres": "hres",
    "sres": "sres",
    "hjres": "hjres",
    "sjres": "sjres",
    "hconres": "hconres",
    "sconres": "sconres",
}


class CwcInvalidMessage(ValueError):
    """The message does not match the CWC schema; ``errors`` says where."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors)[:500])
        self.errors = errors


class CwcDeliveryError(Exception):
    """CWC did not accept the message. ``transient``: worth retrying (network, 429,
    5xx); ``configuration``: a bad or missing key (401/403), fails loudly."""

    def __init__(
        self,
        description: str,
        *,
        status_code: int | None = None,
        transient: bool = False,
        configuration: bool = False,
    ) -> None:
        super().__init__(description)
        self.status_code = status_code
        self.transient = transient
        self.configuration = configuration


@dataclass(frozen=True)
class Constituent:
    prefix: str
    first_name: str
    last_name: str
    address1: str
    city: str
    state: str
    zip_code: str
    email: str
    phone: str = ""


@dataclass(frozen=True)
class BillRef:
    congress: int
    bill_type: str  # CWC's abbreviation: hr, s, hjres ...
    number: int


@dataclass(frozen=True)
class CwcLetter:
    delivery_id: str
    campaign_id: str
    member_office: str
    constituent: Constituent
    subject: str
    body: str
    topics: tuple[str, ...] = ()
    bills: tuple[BillRef, ...] = field(default_factory=tuple)
    pro_or_con: str = ""
    more_info: str = ""
    delivery_date: dt.date | None = None


# --- who CWC reaches -------------------------------------------------------------------


def senate_class(term_end: dt.date | None) -> int | None:
    """A senator's class from the end of their term: terms of class 1 end in 2031,
    class 2 in 2027, class 3 in 2029 (and every six years around them). The shipped data
    records the term's end, not the class."""
    if term_end is None:
        return None
    return {0: 1, 2: 2, 4: 3}.get((term_end.year - 2025) % 6)


def office_code(legislator: Legislator) -> str | None:
    """CWC's code for a member's office: ``H`` + state + two-digit district (``00``
    at-large) for the House, ``S`` + state + the senator's class minus one for the
    Senate; None for a state legislator or when the data cannot say."""
    if legislator.chamber == Chamber.US_HOUSE:
        if not str(legislator.district).isdigit():
            return None
        return f"H{legislator.state}{int(legislator.district):02d}"
    if legislator.chamber == Chamber.US_SENATE:
        number = senate_class(legislator.term_end)
        if number is None:
            return None
        return f"S{legislator.state}{number - 1:02d}"
    return None


def endpoint_for(member_office: str) -> tuple[str, str] | None:
    """(URL, API key) of the CWC endpoint for ``member_office``, or None when that
    chamber's CWC is not configured."""
    if member_office.startswith("H"):
        url, key = settings.CWC_API_URL, settings.CWC_API_KEY
    elif member_office.startswith("S"):
        url, key = settings.CWC_SENATE_API_URL, settings.CWC_SENATE_API_KEY
    else:
        return None
    if not (url and key and settings.CWC_DELIVERY_AGENT):
        return None
    return url, key


def reaches(legislator: Legislator) -> bool:
    """Whether a letter to ``legislator`` can go through CWC here."""
    code = office_code(legislator)
    return code is not None and endpoint_for(code) is not None


def bill_ref(*, jurisdiction: str, session: str, identifier: str) -> BillRef | None:
    """``("US", "119", "H.R. 2200")`` -> BillRef(119, "hr", 2200); None for a state
    bill or an identifier CWC cannot name."""
    if jurisdiction != "US" or not str(session).isdigit():
        return None
    match = re.fullmatch(r"\s*([A-Za-z. ]+?)\s*(\d+)\s*", identifier or "")
    if not match:
        return None
    kind = _BILL_TYPES.get(re.sub(r"[^a-z]", "", match[1].lower()))
    if kind is None or int(match[2]) < 1:
        return None
    return BillRef(congress=int(session), bill_type=kind, number=int(match[2]))


def new_delivery_id() -> str:
    """A fresh DeliveryId: 32 letters and digits, as CWC requires."""
    return uuid.uuid4().hex


# --- the message -----------------------------------------------------------------------


def _text(value: str) -> str:
    return _NOT_XML.sub("", value or "").strip()


def _add(parent: etree._Element, tag: str, value: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, tag)
    if value is not None:
        child.text = _text(str(value))
    return child


def build_message(letter: CwcLetter) -> etree._Element:
    """The CWC 2.0 XML tree of ``letter``, with the delivery agent from settings. Pure;
    call ``validate`` before sending."""
    root = etree.Element("CWC")
    _add(root, "CWCVersion", CWC_VERSION)

    delivery = _add(root, "Delivery")
    _add(delivery, "DeliveryId", letter.delivery_id)
    date = letter.delivery_date or timezone.localdate()
    _add(delivery, "DeliveryDate", date.strftime("%Y%m%d"))
    _add(delivery, "DeliveryAgent", settings.CWC_DELIVERY_AGENT)
    _add(
        delivery, "DeliveryAgentAckEmailAddress", settings.CWC_DELIVERY_AGENT_ACK_EMAIL
    )
    contact = _add(delivery, "DeliveryAgentContact")
    _add(contact, "DeliveryAgentContactName", settings.CWC_DELIVERY_AGENT_CONTACT_NAME)
    _add(
        contact, "DeliveryAgentContactEmail", settings.CWC_DELIVERY_AGENT_CONTACT_EMAIL
    )
    _add(
        contact, "DeliveryAgentContactPhone", settings.CWC_DELIVERY_AGENT_CONTACT_PHONE
    )
    _add(delivery, "CampaignId", letter.campaign_id[:500])
    if settings.CWC_ORGANIZATION:
        _add(delivery, "Organization", settings.CWC_ORGANIZATION)

    recipient = _add(root, "Recipient")
    _add(recipient, "MemberOffice", letter.member_office)
    _add(recipient, "IsResponseRequested", "Y")
    _add(recipient, "NewsletterOptIn", "N")

    person = letter.constituent
    constituent = _add(root, "Constituent")
    _add(constituent, "Prefix", person.prefix)
    _add(constituent, "FirstName", person.first_name)
    _add(constituent, "LastName", person.last_name)
    _add(constituent, "Address1", person.address1)
    _add(constituent, "City", person.city)
    _add(constituent, "StateAbbreviation", person.state)
    _add(constituent, "Zip", person.zip_code)
    if person.phone:
        _add(constituent, "Phone", person.phone)
    _add(constituent, "Email", person.email)

    message = _add(root, "Message")
    _add(message, "Subject", letter.subject)
    topics = _add(message, "LibraryOfCongressTopics")
    for topic in letter.topics or (settings.CWC_LIBRARY_OF_CONGRESS_TOPIC,):
        _add(topics, "LibraryOfCongressTopic", topic)
    if letter.bills:
        bills = _add(message, "Bills")
        for ref in letter.bills:
            bill = _add(bills, "Bill")
            _add(bill, "BillCongress", str(ref.congress))
            _add(bill, "BillTypeAbbreviation", ref.bill_type)
            _add(bill, "BillNumber", str(ref.number))
    if letter.pro_or_con:
        _add(message, "ProOrCon", letter.pro_or_con)
    if letter.more_info:
        _add(message, "MoreInfo", letter.more_info)
    _add(message, "ConstituentMessage", letter.body)
    return root


@functools.cache
def schema() -> etree.XMLSchema:
    """The CWC 2.0 schema, parsed once per process."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def validate(doc: etree._Element) -> None:
    """Raise CwcInvalidMessage unless ``doc`` matches the CWC schema."""
    checker = schema()
    if not checker.validate(doc):
        errors = [f"line {e.line}: {e.message}" for e in checker.error_log]
        raise CwcInvalidMessage(errors or ["does not match the CWC schema"])


def to_bytes(doc: etree._Element) -> bytes:
    return etree.tostring(doc, xml_declaration=True, encoding="UTF-8")


def render(letter: CwcLetter) -> bytes:
    """Build, validate and serialize ``letter``: the exact bytes CWC will receive.
    Raises CwcInvalidMessage when the letter cannot be a valid CWC message."""
    doc = build_message(letter)
    validate(doc)
    return to_bytes(doc)


# --- delivery --------------------------------------------------------------------------


def deliver(payload: bytes, *, member_office: str) -> None:
    """POST one validated message to the CWC endpoint of ``member_office``.

    Not safe to repeat blindly (CWC would deliver twice): the caller claims its job row
    first. Raises CwcDeliveryError: transient for network errors, timeouts, 429 and 5xx;
    configuration for 401/403 or an endpoint not configured; permanent otherwise (CWC
    refused the message: 400 with its list of errors). The description carries the
    status code only: CWC's error text may quote the constituent's details."""
    endpoint = endpoint_for(member_office)
    if endpoint is None:
        raise CwcDeliveryError("CWC is not configured", configuration=True)
    url, key = endpoint
    try:
        response = requests.post(
            url,
            params={"apikey": key},
            data=payload,
            headers={"Content-Type": "application/xml; charset=utf-8"},
            timeout=settings.CWC_HTTP_TIMEOUT,
        )
    except requests.RequestException as exc:
        raise CwcDeliveryError(
            f"CWC unreachable ({type(exc).__name__})", transient=True
        ) from exc
    status = response.status_code
    if 200 <= status < 300:
        logger.info("cwc accepted office=%s", member_office)
        return
    description = f"CWC refused the letter (HTTP {status})"
    if status == 429 or status >= 500:
        raise CwcDeliveryError(description, status_code=status, transient=True)
    if status in (401, 403):
        raise CwcDeliveryError(description, status_code=status, configuration=True)
    logger.warning(
        "cwc refused office=%s status=%s errors=%d",
        member_office,
        status,
        response.text.count("<Error>"),
    )
    raise CwcDeliveryError(description, status_code=status)
