import pytest

from alerts.rendering import AlertRenderer, render_for, template_errors
from supporters.models import Supporter
from tests.petitions.factories import PetitionFactory

from .conftest import make_alert

pytestmark = pytest.mark.django_db


def test_render_fills_name_legislators_with_phones_and_the_action_link(
    texas, leader, texans, legislators, campaign
):
    petition = PetitionFactory(campaign=campaign, slug="safe-harbor-now")
    alert = make_alert(chapter=texas, user=leader, campaign=campaign)
    ana = texans[0]
    subject, text, html = render_for(alert, ana)
    assert subject == "Ana, act now"
    assert "Dear Ana," in text
    assert "- Senator John Cornyn: 202-224-2934" in text
    assert "- Senator Ted Cruz: 512-916-5834" in text
    assert "- Representative Roger Williams: 202-225-9896" in text
    link = (
        f"http://testserver{petition.get_absolute_url()}?ref={alert.source_code}"
        "&utm_source=alert&utm_medium=email&utm_campaign=safe-harbor"
    )
    assert f"Act now ({link})" in text
    assert "Harbor Texas" in text
    assert "Harbor, 1 Example Street" in text
    # HTML: the list, tel: links, the link escaped in its attribute, CSS inlined.
    assert '<a href="tel:2022242934"' in html
    assert f'href="{link.replace("&", "&amp;")}"' in html
    assert "<style>" not in html
    assert 'style="' in html
    assert "Two minutes" in html  # the preheader


def test_a_recipient_in_another_district_gets_their_own_representative(
    texas, leader, texans, legislators
):
    alert = make_alert(chapter=texas, user=leader)
    renderer = AlertRenderer(alert)
    _s, ben_text, _h = renderer.render(texans[1])  # TX-07: no representative stored
    assert "Roger Williams" not in ben_text
    assert "John Cornyn" in ben_text


def test_unknown_district_says_so_and_links_the_lookup(texas, leader):
    alert = make_alert(chapter=texas, user=leader)
    nobody = Supporter(email="x@example.org", first_name="")
    _s, text, _html = render_for(alert, nobody)
    assert "Dear friend," in text
    assert "look up your legislators at http://testserver/legislators/" in text


def test_merge_values_are_escaped_never_markup(texas, leader, texans):
    texans[0].first_name = "<script>alert(1)</script>**bold**"
    alert = make_alert(chapter=texas, user=leader)
    _s, _t, html = render_for(alert, texans[0])
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<strong>bold</strong>" not in html


def test_body_markdown_is_sanitized(texas, leader, texans):
    alert = make_alert(
        chapter=texas, user=leader, body="Hi <script>x()</script> <img src=x onerror=y>"
    )
    _s, _t, html = render_for(alert, texans[0])
    assert "<script" not in html
    assert "onerror" not in html


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{{ supporter.email }}", "not a merge field"),
        ("{{ first_name|upper }}", "not a merge field"),
        ("{% load static %}", "not a merge field"),
        ("{{ password }}", "not a merge field you can use here"),
        ("[x]({{ first_name }})", "Only {{ action_link }} can be a link"),
        ('<a href="{{ action_link }}">x</a>', "cannot go inside an HTML tag"),
        ("HARBORMERGEFIELD0END", "reserved word"),
    ],
)
def test_templates_reaching_anything_else_are_refused(text, fragment):
    errors = template_errors(text)
    assert errors
    assert any(fragment in e for e in errors)


def test_allowed_fields_pass():
    assert (
        template_errors(
            "{{first_name}} {{ last_name }} {{ legislators }} [a]({{ action_link }}) "
            "{{ campaign_title }} {{ chapter_name }}"
        )
        == []
    )


def test_subject_fields_are_one_line_fields_only():
    from alerts.rendering import LINE_FIELDS

    assert template_errors("{{ legislators }}", allowed=LINE_FIELDS)


def test_renderer_reads_each_district_once(
    texas, leader, texans, legislators, django_assert_max_num_queries
):
    alert = make_alert(chapter=texas, user=leader)
    renderer = AlertRenderer(alert)
    renderer.render(texans[0])
    with django_assert_max_num_queries(0):
        renderer.render(texans[2])  # same district as texans[0]


def test_a_district_is_rendered_once_and_each_person_gets_their_own_fields(
    texas, leader, texans, legislators
):
    alert = make_alert(chapter=texas, user=leader)
    renderer = AlertRenderer(alert)
    first = renderer.render(texans[0], unsubscribe_url="http://testserver/u/a/?x=1&y=2")
    # Someone of the same district whose name looks like another field's token, and
    # has a line break in it (the subject is one header line).
    twin = Supporter(
        email="twin@example.org",
        first_name="O'Neil HARBORMERGEFIELDPERSONUNSUBEND\nSmith",
        last_name="<b>Lee</b>",
        state=texans[0].state,
        congressional_district=texans[0].congressional_district,
        state_upper_district=texans[0].state_upper_district,
        state_lower_district=texans[0].state_lower_district,
    )
    subject, text, html = renderer.render(
        twin, unsubscribe_url="http://testserver/u/b/"
    )
    assert len(renderer._shells) == 1  # the wrapper and CSS inlining ran once
    assert "\n" not in subject
    assert subject.startswith("O'Neil HARBORMERGEFIELDPERSONUNSUBEND Smith")
    assert "Dear O'Neil HARBORMERGEFIELDPERSONUNSUBEND\nSmith," in text
    assert "O&#x27;Neil HARBORMERGEFIELDPERSONUNSUBEND" in html  # filled once, escaped
    assert 'href="http://testserver/u/b/"' in html
    assert "http://testserver/u/a/" not in html
    assert 'href="http://testserver/u/a/?x=1&amp;y=2"' in first[2]
    assert first[1].count("Dear Ana,") == 1


def test_the_text_part_is_plain_text_without_markdown_emphasis(texas, leader):
    alert = make_alert(
        chapter=texas,
        user=leader,
        body="## The vote\n\n**Call** {{ first_name }} *today*, _please_.\n\n"
        "- 5 * 3 calls\n\n[Act]({{ action_link }})",
    )
    person = Supporter(first_name="Mary_Kate *Star*", email="m@example.org")

    _subject, text, html = render_for(alert, person)

    assert "The vote\n" in text
    assert "Call Mary_Kate *Star* today, please." in text  # the name as typed
    assert "- 5 * 3 calls" in text
    assert "**" not in text
    assert "##" not in text
    assert "Act (http://testserver/" in text
    assert "<strong>Call</strong>" in html
