"""Hypothesis on every public form (issue #11, "Done when"): random and hostile values
through the HTTP test client find no 500 (the test client re-raises a view's exception),
and a chapter leader's staff pages never show a supporter of another chapter, whatever
the public forms created and whatever the leader types into the search boxes.

Example counts are bounded (``EXAMPLES`` per form) so the file runs in well under a
minute; raise ``HARBOR_FUZZ_EXAMPLES`` to search longer."""

import os
import re
import uuid

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Chapter
from supporters.models import ChapterMembership, Supporter
from tests.accounts.factories import make_leader
from tests.advocacy.conftest import call_action  # noqa: F401  (fixture)
from tests.advocacy.letters_setup import congress_letter  # noqa: F401  (fixture)
from tests.legislators.conftest import (  # noqa: F401  (fixtures)
    _fresh_zip_index,
    data_slice,
    districts,
)
from tests.petitions.factories import PetitionFactory, SupporterFactory

EXAMPLES = int(os.environ.get("HARBOR_FUZZ_EXAMPLES", "12"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HOSTILE = st.sampled_from(
    [
        "", " ", "\x00", "a\x00b", "\x1b[2J", "\r\n\r\n", "\u202eadmin", "\u2067x\u2069",
        "\ufeff", "\u200d", "<script>alert(1)</script>", "\"><img src=x>", "' OR '1'='1",
        "{{ 7|add:1 }}", "{% debug %}", "%(x)s", "%s%n", "${jndi:ldap://x}", "x" * 5000,
        "ana@example.org", " ANA@Example.ORG ", "erased-1@erased.invalid", "a@b",
        "a@[127.0.0.1]", "=HYPERLINK(\"x\")", "00000", "78701", "43215", "99999-9999",
        "\uff17\uff18\uff17\uff10\uff11", "١٢٣٤٥", "+15125550199", "555", "-1", "0", "9" * 30, "on", "true",
        "null", "../../etc/passwd", "https://example.org/\u202eexe.pdf", "😀" * 50,
    ]
)  # fmt: skip
# Any text a browser could send (no lone surrogates: they are not encodable as UTF-8).
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)
VALUE = st.one_of(HOSTILE, TEXT)


def form_data(fields: list[str]):
    """Every field present with a hostile or random value; sometimes left out, sometimes
    sent twice."""
    one = st.one_of(VALUE, VALUE.map(lambda v: [v, v + "x"]), st.none())
    return st.fixed_dictionaries(dict.fromkeys(fields, one)).map(
        lambda d: {k: v for k, v in d.items() if v is not None}
    )


@pytest.fixture
def world(db, settings, districts, call_action, congress_letter):  # noqa: F811
    # Limits would turn later examples into 429s and hide the forms behind them.
    settings.PUBLIC_FORM_RATE_LIMIT_PER_IP = 0
    settings.PUBLIC_FORM_RATE_LIMIT_PER_EMAIL = 0
    settings.PATCH_THROUGH_RATE_LIMIT_PER_IP = 0
    settings.PATCH_THROUGH_RATE_LIMIT_PER_NUMBER = 0
    texas = Chapter.objects.create(name="Texas", slug="tx", kind="state", state="TX")
    ohio = Chapter.objects.create(name="Ohio", slug="oh", kind="state", state="OH")
    Chapter.objects.create(name="National", slug="national", kind="national")
    petition = PetitionFactory(campaign=call_action.campaign)
    outsider = SupporterFactory(
        email="ohio.secret@example.org", first_name="Oona", state="OH"
    )
    ChapterMembership.objects.create(chapter=ohio, supporter=outsider)
    return {
        "petition": petition,
        "call": call_action,
        "letter": congress_letter,
        "texas": texas,
        "ohio": ohio,
    }


def _no_500(response) -> None:
    assert response.status_code < 500, response.status_code


def _token_url(client, url: str, data: dict) -> str:
    response = client.post(url, data)
    assert response.status_code in (302, 303), response.status_code
    return response["Location"]


SIGN = ["first_name", "last_name", "email", "zip_code", "phone", "comment",
        "wants_email", "is_public", "ref", "utm_source", "utm_medium", "utm_campaign",
        "website_url"]  # fmt: skip
NEWSLETTER = [f"newsletter-{f}" for f in ("email", "first_name", "zip_code", "consent")]
SIGN_ON = ["name", "kind", "city", "state", "contact_name", "contact_email",
           "website", "website_url"]  # fmt: skip
LOOKUP = ["zip_code", "address", "district"]
CALL_START = [*LOOKUP, "ref", "utm_source", "utm_medium", "utm_campaign", "website_url"]
OUTCOME = ["legislator", "office", "outcome"]
FINISH = ["first_name", "email", "wants_email", "website_url"]
LETTER = ["prefix", "first_name", "last_name", "street_address", "city", "email",
          "wants_email", "website_url"]  # fmt: skip
PATCH = ["phone_number", "call_pass", "website_url"]


@given(data=form_data(SIGN))
@FUZZ
def test_petition_sign(world, client, data):
    _no_500(client.post(world["petition"].get_absolute_url(), data))


@given(data=form_data(NEWSLETTER))
@FUZZ
def test_newsletter(world, client, data):
    _no_500(client.post(reverse("supporters:newsletter"), data))


@given(data=form_data(SIGN_ON))
@FUZZ
def test_organisation_sign_on(world, client, data):
    url = reverse("petitions:sign-ons", kwargs={"slug": world["petition"].slug})
    _no_500(client.post(url, data))


@given(data=form_data(LOOKUP))
@FUZZ
def test_legislator_lookup(world, client, data):
    _no_500(client.get(reverse("legislators:lookup"), data))


@given(data=form_data(CALL_START), patch=form_data(PATCH))
@FUZZ
def test_call_start_and_patch_request(world, client, data, patch):
    slug = world["call"].campaign.slug
    _no_500(client.post(reverse("advocacy:call", kwargs={"slug": slug}), data))
    _no_500(client.get(reverse("advocacy:call", kwargs={"slug": slug}), data))
    _no_500(
        client.post(reverse("advocacy:patch-request", kwargs={"slug": slug}), patch)
    )


@given(outcome=form_data(OUTCOME), finish=form_data(FINISH))
@FUZZ
def test_call_outcome_and_finish_email(world, client, outcome, finish):
    slug = world["call"].campaign.slug
    target = _token_url(
        client, reverse("advocacy:call", kwargs={"slug": slug}), {"zip_code": "78701"}
    )
    _no_500(client.post(target, outcome))
    _no_500(client.post(target + "done/", finish))


@given(
    start=form_data(CALL_START),
    letter=form_data(LETTER),
    texts=st.lists(VALUE, min_size=4, max_size=4),
)
@FUZZ
def test_write(world, client, start, letter, texts):
    url = reverse("advocacy:write", kwargs={"slug": world["letter"].campaign.slug})
    _no_500(client.post(url, start))
    letters = _token_url(client, url, {"zip_code": "78701"})
    page = client.get(letters)
    _no_500(page)
    pks = sorted(set(re.findall(r'name="body_(\d+)"', page.content.decode())))
    for pk, (subject, body) in zip(
        pks, zip(texts[::2], texts[1::2], strict=True), strict=False
    ):
        letter[f"subject_{pk}"], letter[f"body_{pk}"] = subject, body
    _no_500(client.post(letters, letter))


@given(token=VALUE, one_click=st.booleans())
@FUZZ
def test_unsubscribe_and_confirm_links(world, client, token, one_click):
    from urllib.parse import quote

    safe = quote(token, safe="") or "x"
    url = f"/unsubscribe/{safe}/"
    _no_500(client.get(url))
    body = {"List-Unsubscribe": "One-Click"} if one_click else {}
    _no_500(client.post(url, body))
    slug = world["petition"].slug
    _no_500(client.get(f"/petitions/{slug}/confirm/{safe}/"))
    _no_500(client.get(f"/petitions/{slug}/thanks/{safe}/"))


# --- no cross-chapter leak ---------------------------------------------------------------


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


SEARCH = ["q", "chapter", "state", "tag", "page"]


@given(
    signers=st.lists(form_data(SIGN), min_size=1, max_size=3), search=form_data(SEARCH)
)
@FUZZ
def test_a_chapter_leaders_pages_never_show_another_chapters_supporter(
    world, client, signers, search
):
    """Whoever the public forms created (with any state or ZIP), and whatever the Texas
    leader searches for, every address on their pages belongs to a Texas member."""
    from django.test import Client

    public = Client()
    for data in signers:
        data.setdefault("email", f"{uuid.uuid4().hex[:8]}@example.org")
        _no_500(public.post(world["petition"].get_absolute_url(), data))
    leader = make_leader(
        world["texas"], email=f"lead-{uuid.uuid4().hex[:6]}@example.org"
    )
    client.force_login(leader)
    texas = set(
        Supporter.objects.filter(memberships__chapter=world["texas"]).values_list(
            "email", flat=True
        )
    )
    hidden = set(Supporter.objects.values_list("email", flat=True)) - texas
    assert "ohio.secret@example.org" in hidden
    slug = world["petition"].slug
    pages = [
        client.get(reverse("supporters:list"), search),
        client.get(reverse("supporters:export"), search),
        client.get(reverse("petitions:signatures", kwargs={"slug": slug}), search),
        client.get(reverse("petitions:export", kwargs={"slug": slug}), search),
        client.get(reverse("pages:staff-dashboard")),
    ]
    for response in pages:
        _no_500(response)
        body = _body(response)
        for email in hidden:
            assert email not in body
    for supporter in Supporter.objects.exclude(email__in=texas):
        for name in ("supporters:detail", "supporters:data-export"):
            assert client.get(reverse(name, args=[supporter.pk])).status_code == 404
