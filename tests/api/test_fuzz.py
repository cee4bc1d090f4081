"""Schemathesis against the OpenAPI description (/api/v1/openapi.json), through the
WSGI application: every operation, with a bounded number of generated requests each,
as a chapter token and as a national one. No answer may be a 500 or stray from the
described schema, and no answer to the Texas token may name the Ohio supporter."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from .conftest import member

# About a minute in all on one core: examples per operation and token.
EXAMPLES = 12


@pytest.fixture
def schema(world):
    # As Django's test client does: a request through the WSGI app must not close the
    # test's database connection (and with it the test's transaction) when it ends.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi(
            "/api/v1/openapi.json", get_wsgi_application()
        )
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def forbidden_marks(world) -> list[str]:
    """What would betray Ohio's supporters to the Texas token: their addresses, names
    and the URLs of their records."""
    ohioans = [
        world["ohioan"],
        member(world["ohio"], "second.ohioan@example.org", first_name="Zebedeeq"),
    ]
    marks = []
    for supporter in ohioans:
        marks += [supporter.email, f"/api/v1/people/{supporter.pk}/"]
        if supporter.first_name:
            marks.append(supporter.first_name)
    return marks


def fuzz(schema, secret: str, marks: list[str]) -> list[str]:
    """Run every operation; returns the failures (operation and reason)."""
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            response = case.call(headers={"OSDI-API-Token": secret})
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance]
            )
            text = response.text
            leaked = [mark for mark in marks if mark in text]
            assert not leaked, f"{case.method} {case.formatted_path}: {leaked}"

        try:
            run()
        except Exception as exc:  # noqa: BLE001 (collected, reported together)
            failures.append(f"{operation.label}: {str(exc)[:2000]}")
    return failures


@pytest.mark.django_db
def test_fuzzing_as_a_chapter_token_finds_no_500_and_no_leak(schema, world):
    marks = forbidden_marks(world)
    # The Ohioans have signed and are tagged: their rows exist behind every endpoint.
    from petitions.services import sign_petition

    sign_petition(
        petition=world["petition"],
        email="ohioan@example.org",
        first_name="Olga",
        last_name="Buckeye",
        zip_code="43215",
    )
    failures = fuzz(schema, world["chapter"].secret, marks)
    assert not failures, "\n\n".join(failures)


@pytest.mark.django_db
def test_fuzzing_as_a_national_token_finds_no_500(schema, world):
    failures = fuzz(schema, world["national"].secret, [])
    assert not failures, "\n\n".join(failures)
