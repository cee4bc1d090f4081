"""The staff page of API tokens: who may make which token, the secret shown once,
revoking, the audit log, and the page in Spanish."""

import re

import pytest

from accounts.models import AuditEvent, Chapter
from api.models import ApiToken
from tests.accounts.factories import make_leader, make_user

from .conftest import API, Client

PAGE = "/staff/api-tokens/"


def secret_in(response) -> str:
    match = re.search(r'class="token-secret">(hbr_[\w-]+)<', response.content.decode())
    assert match, "no secret on the page"
    return match.group(1)


def test_a_staff_admin_makes_a_national_token_and_sees_its_secret_once(client, world):
    client.force_login(world["admin"])
    response = client.post(PAGE, {"name": "Action Network", "chapter": ""})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = secret_in(response)
    token = ApiToken.objects.get(name="Action Network")
    assert token.chapter is None
    assert token.owner == world["admin"]
    # The token works, and sees every chapter.
    assert Client(client, secret).follow("osdi:people")["total_records"] == 4
    # The list shows its prefix, never the secret again.
    listing = client.get(PAGE).content.decode()
    assert token.prefix in listing
    assert secret not in listing
    event = AuditEvent.objects.get(
        action=AuditEvent.Action.API_TOKEN_CREATED, object_id=str(token.pk)
    )
    assert event.changes == {"scope": "national"}
    assert secret not in str(event.changes) + event.object_repr


def test_a_chapter_leader_makes_a_token_for_their_chapter_only(client, world):
    client.force_login(world["leader"])
    page = client.get(PAGE).content.decode()
    assert "National: every chapter" not in page
    assert f'value="{world["ohio"].pk}"' not in page
    response = client.post(PAGE, {"name": "Texas CRM", "chapter": world["texas"].pk})
    secret = secret_in(response)
    assert Client(client, secret).follow("osdi:people")["total_records"] == 3
    # Not national, not another chapter: refused, nothing made.
    for chapter in ("", world["ohio"].pk):
        refused = client.post(PAGE, {"name": "sneaky", "chapter": chapter})
        assert refused.status_code == 400
    assert not ApiToken.objects.filter(name="sneaky").exists()


def test_a_leader_sees_and_revokes_only_their_own_tokens(client, world):
    client.force_login(world["leader"])
    page = client.get(PAGE).content.decode()
    assert "texas sync" in page
    assert "national sync" not in page
    national = world["national"].token
    client.post(f"{PAGE}{national.pk}/revoke/")
    national.refresh_from_db()
    assert national.revoked_at is None
    own = world["chapter"].token
    response = client.post(f"{PAGE}{own.pk}/revoke/", follow=True)
    assert "The token was revoked." in response.content.decode()
    own.refresh_from_db()
    assert own.revoked_at is not None
    assert (
        AuditEvent.objects.filter(action=AuditEvent.Action.API_TOKEN_REVOKED).count()
        == 1
    )
    # Revoking twice changes nothing and is audited once.
    client.post(f"{PAGE}{own.pk}/revoke/")
    assert (
        AuditEvent.objects.filter(action=AuditEvent.Action.API_TOKEN_REVOKED).count()
        == 1
    )
    assert Client(client, world["chapter"].secret).get(API).status_code == 401


def test_a_staff_admin_revokes_anyones_token(client, world):
    client.force_login(world["admin"])
    client.post(f"{PAGE}{world['chapter'].token.pk}/revoke/")
    assert ApiToken.objects.get(pk=world["chapter"].token.pk).revoked_at is not None


@pytest.mark.parametrize("who", ["anonymous", "no role", "staff"])
def test_others_may_not_use_the_page(client, world, who):
    from accounts.models import Role

    if who == "no role":
        client.force_login(make_user("nobody@example.org"))
    elif who == "staff":
        client.force_login(make_user("staff@example.org", role=Role.STAFF))
    response = client.get(PAGE)
    assert response.status_code in (302, 403)
    assert client.post(PAGE, {"name": "x"}).status_code in (302, 403)
    assert not ApiToken.objects.filter(name="x").exists()


def test_a_blank_name_is_a_clear_error(client, world):
    client.force_login(world["admin"])
    response = client.post(PAGE, {"name": "   "})
    assert response.status_code == 400
    assert ApiToken.objects.count() == 2


def test_the_token_list_has_a_pinned_query_budget(
    client, world, django_assert_max_num_queries
):
    from api import services

    for i in range(10):
        chapter = Chapter.objects.create(name=f"C{i}", slug=f"c{i}", kind="national")
        leader = make_leader(chapter, email=f"leader{i}@example.org")
        services.create_token(by=leader, name=f"t{i}", chapter=chapter)
    client.force_login(world["admin"])
    with django_assert_max_num_queries(10):
        response = client.get(PAGE)
    assert response.content.decode().count("<tr>") >= 12


def test_the_page_speaks_spanish(client, world):
    client.force_login(world["leader"])
    page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Tokens de la API" in page
    assert "Crear el token" in page
