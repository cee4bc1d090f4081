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
