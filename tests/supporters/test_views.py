import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from supporters.models import Supporter, SupporterImport
from supporters.tasks import run_import_task
from tests.accounts.factories import make_leader, make_user

from .factories import ChapterFactory, MembershipFactory, SupporterFactory


def test_staff_pages_require_a_staff_login(client, db):
    for name in [
        "supporters:list",
        "supporters:import",
        "supporters:export",
        "pages:staff-dashboard",
    ]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert reverse("login") in response["Location"]
    client.force_login(make_user("plain@example.org"))
    for name in ["supporters:list", "pages:staff-dashboard"]:
        response = client.get(reverse(name))
        assert response.status_code == 403
        assert "does not have access" in response.content.decode()


def test_upload_queues_the_import_and_the_task_runs_it(
    staff_client, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile(
        "p.csv", b"email,first_name\nana@example.org,Ana\n", content_type="text/csv"
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = staff_client.post(
            reverse("supporters:import"), {"file": upload, "tag": "fair"}
        )

    supporter_import = SupporterImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "supporters:import-detail", args=[supporter_import.pk]
    )
    assert len(callbacks) == 1
    assert not Supporter.objects.exists()

    run_import_task(supporter_import.pk)

    page = staff_client.get(response["Location"])
    assert "1 new supporters" in page.content.decode()
    assert Supporter.objects.get().tags.get().name == "fair"


def test_upload_of_a_bad_file_shows_every_problem(staff_client):
    upload = SimpleUploadedFile(
        "p.csv", b"email,state\nnope,TX\nok@example.org,Narnia\n"
    )
    response = staff_client.post(reverse("supporters:import"), {"file": upload})
    run_import_task(SupporterImport.objects.get().pk)

    page = staff_client.get(response["Location"]).content.decode()
    assert "Rejected: nothing was imported" in page
    assert "not a valid email" in page
    assert "Narnia" in page
    assert not Supporter.objects.exists()


def test_upload_without_a_file_is_a_form_error(staff_client):
    response = staff_client.post(reverse("supporters:import"), {})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not SupporterImport.objects.exists()


def test_chapter_leader_exports_only_their_chapter(client, db):
    texas = ChapterFactory(slug="texas", state="TX")
    ohio = ChapterFactory(slug="ohio", state="OH")
    MembershipFactory(chapter=texas, supporter=SupporterFactory(email="tx@example.org"))
    MembershipFactory(chapter=ohio, supporter=SupporterFactory(email="oh@example.org"))
    user = make_leader(texas)
    MembershipFactory(
        chapter=texas, supporter=SupporterFactory(email="lead@example.org", user=user)
    )
    client.force_login(user)

    response = client.get(reverse("supporters:export"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert {r[0] for r in rows[1:]} == {"tx@example.org", "lead@example.org"}
    listing = client.get(reverse("supporters:list")).content.decode()
    assert "oh@example.org" not in listing
    assert "tx@example.org" in listing


def test_supporter_list_searches_with_a_bounded_number_of_queries(
    staff_client, django_assert_max_num_queries
):
    SupporterFactory.create_batch(30)
    with django_assert_max_num_queries(8):
        response = staff_client.get(
            reverse("supporters:list"), {"q": "example", "state": "TX"}
        )
    assert response.status_code == 200
    assert "30 supporters" in response.content.decode()


@pytest.mark.parametrize("query", ["<script>alert(1)</script>", "x" * 5000, "%00"])
def test_supporter_list_survives_hostile_queries(staff_client, query):
    response = staff_client.get(
        reverse("supporters:list"), {"q": query, "state": "ZZ", "page": "abc"}
    )
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()
