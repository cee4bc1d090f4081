from django.core.management import call_command

from advocacy.models import AdvocacyCampaign
from advocacy.scripts import validate_script
from legislators.models import Bill


def test_seed_demo_makes_both_actions_and_runs_twice(db, client):
    call_command("seed_demo", password="x" * 16)
    call_command("seed_demo", password="x" * 16)
    call = AdvocacyCampaign.objects.get(
        campaign__slug="reauthorize-tvpa", kind=AdvocacyCampaign.Kind.CALL
    )
    assert call.campaign.status == "live"
    assert call.targets_own_us_senators
    assert call.targets_own_us_representative
    tvpa = set(Bill.objects.filter(title__icontains="Trafficking Victims"))
    assert tvpa
    assert {link.bill for link in call.campaign.bill_links.all()} == tvpa
    assert call.target_bill in tvpa
    letter = AdvocacyCampaign.objects.get(
        campaign__slug="texas-safe-harbor", kind=AdvocacyCampaign.Kind.LETTER
    )
    assert letter.campaign.state == "TX"
    assert letter.targets_own_state_senator
    assert letter.targets_own_state_representative
    assert "Safe Harbor" in letter.letter_body
    for action in (call, letter):
        for text in (action.script, action.cosponsor_script, action.letter_body):
            validate_script(text)
    # The demo call flow works from a Texas ZIP to the first target.
    page = client.get("/campaigns/reauthorize-tvpa/")
    assert b"/campaigns/reauthorize-tvpa/call/" in page.content
    response = client.post("/campaigns/reauthorize-tvpa/call/", {"zip_code": "78701"})
    assert response.status_code == 303
    target = client.get(response["Location"])
    assert target.status_code == 200
    assert b"Trafficking Victims Protection Act" in target.content


def test_the_demo_letter_has_no_hard_break_inside_a_paragraph():
    """The letter shows in a phone-wide text box and goes out as an email: a line break
    inside a sentence shows there as a ragged line."""
    from advocacy.demo import TEXAS_LETTER

    *paragraphs, signature = TEXAS_LETTER.split("\n\n")
    assert len(paragraphs) >= 4
    assert all("\n" not in paragraph for paragraph in paragraphs)
    assert signature.startswith("Sincerely,\n")
