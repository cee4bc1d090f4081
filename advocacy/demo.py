"""The demo call and letter campaigns (issue #9, item 9). Safe to run again: existing
rows are left as staff may have edited them."""

from accounts.models import Chapter
from campaigns.models import Campaign, CampaignBill
from legislators.models import Bill

from .models import AdvocacyCampaign

TVPA_STORY = """The **Trafficking Victims Protection Act** (TVPA) is the backbone of the
federal fight against human trafficking: it funds services for survivors, training for
law enforcement and the programs that reduce the demand for commercial sex. Its
authorization has to be renewed by Congress.

Call your senators and your representative: ask them to reauthorize the TVPA and to fund
end-demand programs. A call takes a minute; staff count every one.
"""

TVPA_SCRIPT = (
    "Hello, I am a constituent. I am calling to ask {{ legislator_title }} "
    "{{ legislator_last_name }} to support the reauthorization of the Trafficking "
    "Victims Protection Act, which last passed the House as {{ bill_number }}, and to "
    "fund end-demand programs that stop the buying of children for sex. Thank you."
)

TVPA_THANKS = (
    "Hello, I am a constituent. I am calling to thank {{ legislator_title }} "
    "{{ legislator_last_name }} for supporting {{ bill_number }}, the Trafficking "
    "Victims Protection Act reauthorization, and to ask them to keep pushing for its "
    "renewal and for funding of end-demand programs. Thank you."
)

TVPA_POINTS = """* The TVPA funds shelters, legal help and services for survivors of trafficking.
* Children bought and sold for sex are victims, never offenders.
* End-demand programs reduce the buying of sex that drives trafficking.
* Ask for a clear answer: will they vote to reauthorize and fund it?"""

TEXAS_STORY = """Texas has made progress, but a child who has been bought and sold can
still end up treated as an offender rather than a victim, and specialized services are
not available in every county.

Write to your state senator and state representative: ask them to pass and fund a full
**Safe Harbor** law for Texas.
"""

TEXAS_SCRIPT = (
    "Hello, I am a constituent. I ask {{ legislator_title }} "
    "{{ legislator_last_name }} to support and fund a full Safe Harbor law for Texas."
)

TEXAS_SUBJECT = "Please pass and fund a full Safe Harbor law for Texas"

# One line a paragraph: a hard break inside one shows in the letter's text box and in
# the email the office gets.
TEXAS_LETTER = "\n\n".join(
    [
        "Dear {{ legislator_title }} {{ legislator_last_name }},",
        "I am writing as your constituent to ask you to support and fund a full Safe"
        " Harbor law for Texas.",
        "A child who is bought and sold for sex is a victim of a crime. No child should"
        " be arrested, charged or held for prostitution, and no child should depend on"
        " the county they live in for the help they need to recover. A full Safe Harbor"
        " law means three things: immunity from prostitution charges for every minor;"
        " diversion to services rather than detention; and specialized shelter,"
        " counselling and advocacy, funded across the state.",
        "It also means holding accountable the adults who buy and sell children, and"
        " training the police officers, prosecutors, teachers and health workers who"
        " meet these children first, so that they are recognized and helped.",
        "Please tell me where you stand, and support a full Safe Harbor law in the"
        " coming session.",
        "Sincerely,\n{{ supporter_first_name }}\n{{ supporter_city }}",
    ]
)


def _tvpa_bills() -> list[Bill]:
    """The shipped TVPA reauthorization bills, newest Congress first."""
    bills = list(Bill.objects.filter(jurisdiction="US", title__icontains="Trafficking"))
    return sorted(bills, key=lambda b: int(b.session or 0), reverse=True)


def seed(log) -> None:
    national = Chapter.objects.filter(slug="national").first()
    texas = Chapter.objects.filter(kind=Chapter.Kind.STATE, state="TX").first()

    tvpa, _created = Campaign.objects.get_or_create(
        slug="reauthorize-tvpa",
        defaults={
            "title": "Reauthorize the Trafficking Victims Protection Act",
            "summary": "Call your members of Congress: reauthorize the TVPA and fund end-demand programs.",
            "story": TVPA_STORY,
            "status": Campaign.Status.LIVE,
            "chapter": national,
        },
    )
    bills = _tvpa_bills()
    for bill in bills:
        CampaignBill.objects.get_or_create(
            campaign=tvpa,
            bill=bill,
            defaults={"position": CampaignBill.Position.SUPPORT},
        )
    _call, call_created = AdvocacyCampaign.objects.get_or_create(
        campaign=tvpa,
        kind=AdvocacyCampaign.Kind.CALL,
        defaults={
            "targets_own_us_senators": True,
            "targets_own_us_representative": True,
            "target_bill": bills[0] if bills else None,
            "script": TVPA_SCRIPT,
            "cosponsor_script": TVPA_THANKS,
            "talking_points": TVPA_POINTS,
        },
    )
    log(
        f"advocacy: {tvpa.title} call action ({'new' if call_created else 'exists'}), "
        f"{len(bills)} TVPA bills linked"
    )

    safe_harbor, _ = Campaign.objects.get_or_create(
        slug="texas-safe-harbor",
        defaults={
            "title": "A full Safe Harbor law for Texas",
            "summary": "Write to your state lawmakers: every child bought and sold is a victim.",
            "story": TEXAS_STORY,
            "status": Campaign.Status.LIVE,
            "state": "TX",
            "chapter": texas or national,
        },
    )
    _letter, letter_created = AdvocacyCampaign.objects.get_or_create(
        campaign=safe_harbor,
        kind=AdvocacyCampaign.Kind.LETTER,
        defaults={
            "targets_own_state_senator": True,
            "targets_own_state_representative": True,
            "script": TEXAS_SCRIPT,
            "letter_subject": TEXAS_SUBJECT,
            "letter_body": TEXAS_LETTER,
        },
    )
    log(
        f"advocacy: {safe_harbor.title} letter action "
        f"({'new' if letter_created else 'exists'})"
    )
