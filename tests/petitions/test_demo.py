import pytest


@pytest.mark.django_db
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
