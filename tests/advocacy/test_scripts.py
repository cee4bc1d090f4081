import pytest
from django.core.exceptions import ValidationError

from advocacy.models import AdvocacyCampaign
from advocacy.scripts import ScriptContext, ScriptError, render_script, validate_script

CONTEXT = ScriptContext(
    legislator_title="Senator",
    legislator_name="Ann Smith",
    legislator_last_name="Smith",
    bill_number="S. 1",
    bill_title="A bill",
    supporter_city="Austin",
    supporter_first_name="Ana",
)


def test_renders_only_the_listed_variables():
    text = render_script(
        "{{legislator_title}} {{ legislator_last_name }}, {{ bill_number }} from "
        "{{ supporter_city }} ({{ supporter_first_name }})",
        CONTEXT,
    )
    assert text == "Senator Smith, S. 1 from Austin (Ana)"


@pytest.mark.parametrize(
    "template",
    [
        "{{ settings.SECRET_KEY }}",
        "{{ legislator_name.__class__ }}",
        "{{ legislator_name|upper }}",
        "{{ request }}",
        "{% load static %}hi",
        "{% debug %}",
        "{# hidden #}",
        "{{ legislator_name",
        "legislator_name }}",
        "{{ legislator_name[0] }}",
        "{{ 'x' }}",
        "x" * 20_001,
    ],
)
def test_refuses_everything_else(template):
    with pytest.raises(ScriptError):
        validate_script(template)
    assert render_script(template, CONTEXT) == ""


def test_secret_never_rendered(settings):
    settings.SECRET_KEY = "very-secret-value"
    assert "very-secret" not in render_script("{{ settings.SECRET_KEY }}", CONTEXT)


@pytest.mark.django_db
def test_model_clean_names_the_bad_field():
    action = AdvocacyCampaign(
        kind="call", script="{{ settings.SECRET_KEY }}", cosponsor_script="ok"
    )
    with pytest.raises(ValidationError) as info:
        action.clean()
    assert "script" in info.value.message_dict
    assert "not allowed" in info.value.message_dict["script"][0]
    assert "cosponsor_script" not in info.value.message_dict
