"""The demo alert of ``seed_demo``: the Texas leader's Safe Harbor alert, confirmed
through the guardrails once, however often ./dev run starts."""

import pytest
from django.core.management import call_command

from alerts.models import Alert
from alerts.rendering import render_for
from supporters.models import Supporter


@pytest.mark.django_db
def test_seed_demo_confirms_one_texas_safe_harbor_alert(capsys):
    call_command("seed_demo", "--password", "pw-for-test-only")
    call_command("seed_demo", "--password", "pw-for-test-only")
    out = capsys.readouterr().out
    alert = Alert.objects.get()
    assert alert.chapter.slug == "texas"
    assert alert.campaign.slug == "safe-harbor"
    assert alert.created_by.email == "leader.tx@example.org"
    texans = Supporter.objects.emailable().filter(memberships__chapter__slug="texas")
    assert alert.confirmed_count == texans.count() > 0
    assert alert.status != Alert.Status.DRAFT
    assert "the demo alert goes to" in out
    assert "the demo alert is" in out  # the second run leaves it alone
    subject, text, _html = render_for(alert, texans.first())
    assert "call for Safe Harbor in Texas today" in subject
    assert "Senator John Cornyn" in text
    assert f"ref={alert.source_code}" in text
