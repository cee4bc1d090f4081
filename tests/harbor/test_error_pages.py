"""Error pages are the site's own, in the visitor's language (issue #8, item 9)."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "text"), [("en", "Page not found"), ("es", "Página no encontrada")]
)
def test_unknown_url_gets_the_styled_404_in_both_languages(client, lang, text):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 404
    html = response.content.decode()
    assert text in html
    assert 'class="site-header"' in html  # the site's layout, not Django's bare page


@pytest.mark.django_db
def test_a_visit_to_a_post_only_address_gets_the_styled_405(client, staff_user):
    client.force_login(staff_user)
    grant = staff_user.grants.get()
    response = client.get(reverse("accounts:revoke", args=[grant.pk]))
    assert response.status_code == 405
    assert response["Allow"] == "POST, OPTIONS"
    assert "This page only takes a form" in response.content.decode()


@pytest.mark.django_db
def test_no_role_gets_the_styled_403_saying_why(client):
    from tests.accounts.factories import make_user

    client.force_login(make_user("plain@example.org"))
    response = client.get(reverse("pages:staff-dashboard"), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 403
    assert "Tu cuenta no tiene acceso" in response.content.decode()


def test_a_server_error_gets_the_standalone_500_page(rf):
    from harbor.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


@pytest.mark.django_db
def test_an_undecodable_form_body_is_a_400_not_a_500():
    client = Client()
    response = client.generic(
        "POST",
        "/newsletter/",
        b"newsletter-email=%FF%FE",
        content_type="application/x-www-form-urlencoded; charset=ascii",
    )
    assert response.status_code == 400


def test_readme_links_point_inside_the_repository():
    text = (ROOT / "README.md").read_text()
    for target in re.findall(r"\]\(([^)#]+)\)", text):
        assert not target.startswith(("../", "/", "http://127")), target
        if not target.startswith("http"):
            assert (ROOT / target).exists(), target
    assert "?zip=" not in text  # the lookup's parameter is zip_code
    assert "../shared" not in text
