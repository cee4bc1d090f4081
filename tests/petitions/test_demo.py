import pytest
from django.core.management import call_command

from petitions.models import OrganisationSignOn, Petition, Signature
from petitions.selectors import signature_count


@pytest.mark.django_db
def test_seed_demo_creates_the_generation_freedom_petition_once():
    call_command("seed_demo", password="demo-password-123")
    call_command("seed_demo", password="demo-password-123")
    petition = Petition.objects.get(slug="generation-freedom")
    assert petition.target == "The next President of the United States"
    assert petition.campaign.slug == "generation-freedom"
    signatures = Signature.objects.filter(petition=petition).count()
    assert signatures > 0
    assert signature_count(petition_id=petition.pk, fresh=True) == signatures
    assert OrganisationSignOn.objects.filter(status="approved").count() == 2


def test_video_file_url_must_be_a_site_path_or_https():
    from django.core.exceptions import ValidationError

    from campaigns.models import validate_video_url

    validate_video_url("/media/story.mp4")
    validate_video_url("https://cdn.example.org/story.mp4")
    for bad in (
        "//evil.example/x.mp4",
        "http://x.example/a.mp4",
        "javascript:alert(1)",
    ):
        with pytest.raises(ValidationError):
            validate_video_url(bad)
