"""Input that once caused a 500 or a leak; each is now a clear 4xx and changes nothing."""

from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from supporters import importing
from supporters.models import ChapterMembership, Supporter, SupporterImport
from tests.accounts.factories import make_leader
from tests.conftest import drain_signatures

from .supporters.factories import ChapterFactory, MembershipFactory, SupporterFactory


@pytest.mark.parametrize("url", ["/legislators/", "/accounts/login/", "/"])
def test_form_body_that_is_not_valid_in_its_charset_is_a_400(db, url):
    client = Client(enforce_csrf_checks=True)
    # With a CSRF cookie, CsrfViewMiddleware reads the body to find the token.
    client.cookies["csrftoken"] = "abcdefghijklmnopqrstuvwxyzABCDEF"
    # generic() sends the bytes as they are (post() would re-encode them); three bytes
    # are never valid UTF-16.
    response = client.generic(
        "POST",
        url,
        data=b"a=b",
        content_type="application/x-www-form-urlencoded; charset=utf-16",
    )
    assert response.status_code == 400
    assert b"could not be read" in response.content


def test_unknown_charset_falls_back_to_utf8(db):
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = "abcdefghijklmnopqrstuvwxyzABCDEF"
    response = client.generic(
        "POST",
        "/accounts/login/",
        data=b"username=a",
        content_type="application/x-www-form-urlencoded; charset=no-such-charset",
    )
    assert response.status_code == 403  # the missing CSRF token, not a crash


@pytest.fixture
def texas_leader(db):
    texas = ChapterFactory(slug="texas", state="TX")
    user = make_leader(texas)
    leader = SupporterFactory(email="lead@example.org", user=user)
    ChapterMembership.objects.create(chapter=texas, supporter=leader)
    return user, texas


def test_chapter_leader_import_never_touches_other_chapters_supporters(
    client, texas_leader
):
    user, texas = texas_leader
    ohio = ChapterFactory(slug="ohio", state="OH")
    outsider = MembershipFactory(
        chapter=ohio,
        supporter=SupporterFactory(
            email="oh@example.org", first_name="Chloe", state="OH"
        ),
    ).supporter
    client.force_login(user)
    upload = SimpleUploadedFile(
        "p.csv",
        b"email,first_name,opt_in\noh@example.org,Changed,yes\nnew@example.org,New,yes\n",
    )

    response = client.post(
        "/staff/supporters/import/", {"file": upload, "chapter": texas.pk}
    )
    supporter_import = SupporterImport.objects.get()
    importing.run_import(import_id=supporter_import.pk)

    outsider.refresh_from_db()
    assert outsider.first_name == "Chloe"
    assert set(outsider.chapters.all()) == {ohio}
    new = Supporter.objects.get(email="new@example.org")
    assert texas in new.chapters.all()
    page = client.get(response["Location"]).content.decode()
    assert "2 rows imported into your chapter" in page
    assert "updated" not in page
    export = b"".join(client.get("/staff/supporters/export.csv").streaming_content)
    assert b"oh@example.org" not in export


def test_chapter_leader_must_choose_their_chapter(client, texas_leader):
    user, _texas = texas_leader
    client.force_login(user)
    upload = SimpleUploadedFile("p.csv", b"email\na@example.org\n")
    response = client.post("/staff/supporters/import/", {"file": upload})
    assert response.status_code == 400
    assert not SupporterImport.objects.exists()


def test_admin_lists_only_visible_memberships_consents_and_imports(
    client, texas_leader
):
    from django.contrib.auth.models import Permission

    user, _texas = texas_leader
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="supporters", codename__startswith="view_"
        )
    )
    ohio = ChapterFactory(slug="ohio", state="OH")
    MembershipFactory(chapter=ohio, supporter=SupporterFactory(email="oh@example.org"))
    other = make_leader(ohio, email="ohlead@example.org")
    hidden_import = importing.create_import(
        file_name="secret.csv",
        content=b"email\nx\n",
        chapter=None,
        user=other,
        enqueue=False,
    )
    client.force_login(user)

    memberships = client.get(
        f"/admin/supporters/chaptermembership/?chapter__id__exact={ohio.pk}"
    )
    assert memberships.status_code == 200
    assert "oh@example.org" not in memberships.content.decode()
    imports = client.get(
        f"/admin/supporters/supporterimport/{hidden_import.pk}/change/"
    )
    assert imports.status_code == 302  # "doesn't exist" redirect, not the record


def test_invalid_filters_select_nobody_instead_of_everybody(staff_client):
    SupporterFactory.create_batch(3)
    listing = staff_client.get("/staff/supporters/", {"state": "TX", "chapter": "abc"})
    assert "0 supporters" in listing.content.decode()
    export = staff_client.get(
        "/staff/supporters/export.csv", {"q": "x" * 201, "state": "TX"}
    )
    assert export.status_code == 400


def test_import_header_with_a_huge_cell_or_too_many_columns_is_rejected(db):
    for content in [
        b"email," + b"a" * 200 * 1024 + b"\nx@example.org,1\n",
        b"email," + b",".join([b"first"] * 5000) + b"\n",
    ]:
        supporter_import = importing.create_import(
            file_name="x.csv", content=content, chapter=None, enqueue=False
        )
        result = importing.run_import(import_id=supporter_import.pk)
        assert result.status == SupporterImport.Status.FAILED
        assert result.errors[0]["line"] == 0
        assert "Line 1" in result.errors[0]["reason"]
    assert not Supporter.objects.exists()


@pytest.mark.parametrize("zip_code", ["\uff11\uff12\uff13\uff14\uff15", "1234\u2075"])
def test_non_ascii_digits_are_not_a_zip(zip_code):
    from django.core.exceptions import ValidationError

    from supporters.services import normalize_zip

    with pytest.raises(ValidationError, match="not a ZIP code"):
        normalize_zip(zip_code)


# --- junk on the public forms: a field error, a 400 and nothing stored ----------------

SIGN = {
    "first_name": "Ana", "last_name": "Garcia", "email": "ana@example.org",
    "zip_code": "78701", "comment": "", "wants_email": "on", "is_public": "on",
}  # fmt: skip
NEWSLETTER = {"email": "neo@example.org", "first_name": "Neo", "zip_code": "78701"}
SIGN_ON = {
    "name": "Sunny Shelter", "kind": "nonprofit", "city": "Austin", "state": "TX",
    "contact_name": "Lee", "contact_email": "lee@sunny.example",
    "website": "https://sunny.example",
}  # fmt: skip
# Each value as it arrives on the wire (percent-encoded), so invalid UTF-8 can be sent.
JUNK = {
    "zip": ("00000", "none begins with 000"),
    "email": ("user%40localhost", "has no full domain"),
    "bad bytes": ("Bad%FF%FEbytes", "could not be read"),
    "override": (quote("Ann\u202eadmin"), "change its direction"),
    "isolate": (quote("\u2067Ann\u2069"), "change its direction"),
    "mark": (quote("Ann\u200f"), "change its direction"),
    "arabic mark": (quote("\u061cAnn"), "change its direction"),
    "url override": (quote("https://sunny.example/\u202eexe.pdf"), "its direction"),
}
CASES = [
    # (form, field, junk)
    ("sign", "zip_code", "zip"),
    ("sign", "email", "email"),
    ("sign", "first_name", "bad bytes"),
    ("sign", "last_name", "override"),
    ("sign", "first_name", "isolate"),
    ("sign", "comment", "mark"),
    ("sign", "comment", "bad bytes"),
    ("newsletter", "zip_code", "zip"),
    ("newsletter", "email", "email"),
    ("newsletter", "first_name", "bad bytes"),
    ("newsletter", "first_name", "arabic mark"),
    ("sign-on", "contact_email", "email"),
    ("sign-on", "name", "bad bytes"),
    ("sign-on", "contact_name", "override"),
    ("sign-on", "city", "mark"),
    ("sign-on", "website", "url override"),
]


def _form_post(client, form: str, petition, field: str, raw_value: str):
    """POST ``form`` with ``field`` set to the raw (percent-encoded) value; returns the
    response and the id of the field's error list."""
    from urllib.parse import urlencode

    from django.urls import reverse

    if form == "sign":
        url, data, prefix = petition.get_absolute_url(), SIGN, ""
    elif form == "newsletter":
        url, data, prefix = reverse("supporters:newsletter"), NEWSLETTER, "newsletter-"
        data = {**data, "consent": "on"}
    else:
        url = reverse("petitions:sign-ons", kwargs={"slug": petition.slug})
        data, prefix = SIGN_ON, ""
    fields = {f"{prefix}{k}": v for k, v in data.items() if k != field}
    body = f"{urlencode(fields)}&{prefix}{field}={raw_value}"
    response = client.generic(
        "POST", url, data=body.encode("ascii"),
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    return response, f'id="id_{prefix}{field}-errors"'


@pytest.mark.parametrize(("form", "field", "junk"), CASES)
def test_junk_on_public_forms_is_a_field_error_and_stores_nothing(
    client, db, form, field, junk
):
    from petitions.models import OrganisationSignOn, Signature
    from tests.petitions.factories import PetitionFactory

    petition = PetitionFactory()
    raw_value, message = JUNK[junk]
    response, error_list = _form_post(client, form, petition, field, raw_value)

    assert response.status_code == 400
    html = response.content.decode()
    assert error_list in html  # shown next to its field
    assert message in html
    assert not Supporter.objects.exists()
    assert not Signature.objects.exists()
    assert not OrganisationSignOn.objects.exists()


def test_rejected_bidi_name_never_reaches_the_recent_signers(client, db):
    from tests.petitions.factories import PetitionFactory

    petition = PetitionFactory()
    _form_post(client, "sign", petition, "first_name", quote("\u202eAnn"))
    html = client.get(petition.get_absolute_url()).content.decode()
    assert "\u202e" not in html


def test_names_in_other_scripts_still_sign(client, db):
    from petitions.models import Signature
    from tests.petitions.factories import PetitionFactory

    petition = PetitionFactory()
    # Arabic and Hebrew find their direction without controls; Persian uses the ZWNJ.
    for i, name in enumerate(["مريم", "דוד", "Mehr\u200cdad", "李小龙"]):
        data = {**SIGN, "first_name": name, "email": f"s{i}@example.org"}
        assert client.post(petition.get_absolute_url(), data).status_code == 302
    drain_signatures()
    assert Signature.objects.count() == 4


# --- control characters in search boxes and GET filters -------------------------------


@pytest.fixture
def ana_signed(db):
    from petitions import services
    from tests.petitions.factories import PetitionFactory

    petition = PetitionFactory(title="Generation Freedom")
    services.sign_petition(
        petition=petition, email="ana@example.org", first_name="Ana",
        last_name="Garcia", zip_code="78701",
    )  # fmt: skip
    drain_signatures()
    return petition


def _search_urls(slug: str) -> list[tuple[str, bool]]:
    """(URL, whether Ana Garcia's row is on it). ``An%00a`` is searched as "An a"."""
    return [
        ("/staff/supporters/?q=An%00a", True),
        ("/staff/supporters/?q=ana%40example.org%00&state=T%00X", False),
        ("/staff/supporters/export.csv?q=An%00a", True),
        (f"/staff/petitions/{slug}/signatures/?q=An%00a", True),
        (f"/staff/petitions/{slug}/signatures.csv?q=An%00a", True),
        ("/admin/supporters/supporter/?q=An%00a", True),
        ("/admin/supporters/supporter/?state__exact=T%00X&q=%1b", False),
        ("/admin/accounts/chapter/?q=%00", False),
        ("/admin/petitions/signature/?channel__exact=pa%00ge", False),
        ("/admin/petitions/petition/?q=Gener%00ation", False),
        ("/admin/petitions/organisationsignon/?q=a%00", False),
    ]


def test_control_characters_in_search_boxes_and_filters_are_spaces(
    staff_client, ana_signed
):
    for url, finds_ana in _search_urls(ana_signed.slug):
        response = staff_client.get(url)
        assert response.status_code == 200, url
        body = (
            b"".join(response.streaming_content)
            if response.streaming
            else response.content
        ).decode()
        assert ("Garcia" in body) == finds_ana, url
        assert "\x00" not in body


def test_control_characters_in_public_query_strings_are_spaces(client, ana_signed):
    page = client.get(f"/petitions/{ana_signed.slug}/?utm_source=a%00b&ref=%1b")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="a b"' in html
    assert "\x00" not in html
    assert "\x1b" not in html
    lookup = client.get("/legislators/?zip_code=787%0001")
    assert lookup.status_code < 500
