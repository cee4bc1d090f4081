"""``manage.py seed_demo`` (what ./dev run loads): every app's demo data, safe to repeat.
One test, because the reference data it imports takes seconds each time."""

import pytest
from django.core.management import call_command

from accounts.models import Chapter, RoleGrant
from petitions.models import OrganisationSignOn, Petition, Signature
from petitions.selectors import signature_count
from supporters.models import Supporter


@pytest.mark.django_db
def test_seed_demo_loads_every_app_once_and_prints_the_logins(capsys):
    call_command("seed_demo", "--password", "pw-for-test-only")
    first = capsys.readouterr().out
    call_command("seed_demo", "--password", "pw-for-test-only")
    second = capsys.readouterr().out

    assert "congress: created 537" in first
    assert "congress: created 0" in second  # the re-run changes nothing
    assert Chapter.objects.count() >= 3
    assert Supporter.objects.filter(email__endswith="@demo.example.org").count() == 300
    petition = Petition.objects.get(slug="generation-freedom")
    assert petition.target == "The next President of the United States"
    assert petition.campaign.slug == "generation-freedom"
    signatures = Signature.objects.filter(petition=petition).count()
    assert signatures > 0
    assert signature_count(petition_id=petition.pk, fresh=True) == signatures
    assert OrganisationSignOn.objects.filter(status="approved").count() == 2
    # Two demo logins with their roles, printed with the password.
    assert "Staff admin: staff@example.org / pw-for-test-only" in second
    assert "Chapter leader (Texas): leader.tx@example.org / pw-for-test-only" in second
    assert set(RoleGrant.objects.values_list("role", flat=True)) == {
        "staff_admin",
        "chapter_leader",
    }
