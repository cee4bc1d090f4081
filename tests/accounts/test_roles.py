"""Staff power comes from role grants alone, and only a staff admin changes them."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts import services
from accounts.models import AuditEvent, Role, RoleGrant
from supporters.models import ChapterMembership
from tests.supporters.factories import (
    ChapterFactory,
    MembershipFactory,
    SupporterFactory,
)

from .factories import make_leader, make_user


@pytest.fixture
def world(db):
    texas = ChapterFactory(slug="texas", state="TX", name="Harbor Texas")
    california = ChapterFactory(slug="california", state="CA", name="Harbor California")
    national = ChapterFactory(slug="national", kind="national", state="")
    tx = MembershipFactory(
        chapter=texas, supporter=SupporterFactory(email="tx@example.org")
    ).supporter
    ca = MembershipFactory(
        chapter=california,
        supporter=SupporterFactory(email="ca@example.org", state="CA"),
    ).supporter
    leader = make_leader(texas, email="lead@example.org")
    # The leader is also a supporter of their own chapter (and of the national one).
    own = SupporterFactory(email="lead@example.org", user=leader)
    MembershipFactory(chapter=texas, supporter=own)
    MembershipFactory(chapter=national, supporter=own)
    # Every permission Django has: roles and rows must still hold.
    leader.user_permissions.set(Permission.objects.all())
    return {
        "texas": texas, "california": california, "national": national,
        "tx": tx, "ca": ca, "leader": leader, "own": own,
    }  # fmt: skip


def _export(client) -> set[str]:
    response = client.get(reverse("supporters:export"))
    text = b"".join(response.streaming_content).decode()
    return {row[0] for row in list(csv.reader(io.StringIO(text)))[1:]}


def test_the_probe_escalation_through_the_admin_inline_is_refused(client, world):
    client.force_login(world["leader"])
    own = world["own"]
    url = f"/admin/supporters/supporter/{own.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Harbor Texas" in html
    assert "Harbor California" not in html  # not even offered as a choice
    existing = list(
        ChapterMembership.objects.filter(supporter=own, chapter=world["texas"])
    )
    data = {
        "email": own.email, "first_name": "", "last_name": "", "street_address": "",
        "city": "", "state": "TX", "zip_code": "", "phone": "",
        "congressional_district": "", "state_upper_district": "",
        "state_lower_district": "", "source": "", "opt_in_source": "",
        "opt_in_method": "", "suppression_reason": "",
        "memberships-TOTAL_FORMS": "2", "memberships-INITIAL_FORMS": "1",
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-id": str(existing[0].pk), "memberships-0-supporter": str(own.pk),
        "memberships-0-chapter": str(world["texas"].pk),
        "memberships-1-supporter": str(own.pk),
        "memberships-1-chapter": str(world["california"].pk),
        "consent_events-TOTAL_FORMS": "0", "consent_events-INITIAL_FORMS": "0",
        "consent_events-MIN_NUM_FORMS": "0", "consent_events-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with an error
    assert "Select a valid choice" in response.content.decode()
    assert not ChapterMembership.objects.filter(
        supporter=own, chapter=world["california"]
    ).exists()
    # And even a membership would give nothing: visibility comes from grants.
    ChapterMembership.objects.create(supporter=own, chapter=world["california"])
    assert _export(client) == {"tx@example.org", "lead@example.org"}


def test_a_leader_with_every_permission_cannot_reach_other_chapters_or_roles(
    client, world
):
    client.force_login(world["leader"])
    assert _export(client) == {"tx@example.org", "lead@example.org"}
    listing = client.get(reverse("supporters:list")).content.decode()
    assert "ca@example.org" not in listing
    assert (
        client.get(f"/admin/supporters/supporter/{world['ca'].pk}/change/").status_code
        == 302
    )
    memberships = client.get("/admin/supporters/chaptermembership/").content.decode()
    assert "ca@example.org" not in memberships
    assert "Harbor California" not in memberships
    # Logins, groups, roles and the audit log are a staff admin's alone.
    for url in [
        "/admin/accounts/user/", f"/admin/accounts/user/{world['leader'].pk}/change/",
        "/admin/auth/group/", "/admin/accounts/auditevent/",
        reverse("accounts:roles"), reverse("accounts:audit"),
    ]:  # fmt: skip
        assert client.get(url).status_code in (403, 302), url
    response = client.post(
        reverse("accounts:roles"),
        {"email": "lead@example.org", "role": "staff_admin"},
    )
    assert response.status_code == 403
    response = client.post(
        f"/admin/accounts/user/{world['leader'].pk}/change/",
        {"email": "lead@example.org", "is_active": "on"},
    )
    assert response.status_code in (403, 302)
    assert world["leader"].grants.count() == 1
    # Chapters: a leader cannot add or edit one either.
    assert client.get("/admin/accounts/chapter/add/").status_code == 403
    with pytest.raises(Exception, match="staff admin"):
        services.grant_role(by=world["leader"], user=world["leader"], role=Role.STAFF)


def test_membership_admin_offers_only_led_chapters(client, world):
    client.force_login(world["leader"])
    response = client.post(
        "/admin/supporters/chaptermembership/add/",
        {"supporter": str(world["tx"].pk), "chapter": str(world["california"].pk)},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    response = client.post(
        "/admin/supporters/chaptermembership/add/",
        {"supporter": str(world["ca"].pk), "chapter": str(world["texas"].pk)},
    )
    assert "Select a valid choice" in response.content.decode()
    assert not ChapterMembership.objects.filter(
        supporter=world["ca"], chapter=world["texas"]
    ).exists()


def test_staff_admin_grants_and_revokes_roles_on_the_roles_page_audited(
    client, staff_user, world
):
    newcomer = make_user("new@example.org")
    client.force_login(staff_user)
    response = client.post(
        reverse("accounts:roles"),
        {"email": "new@example.org", "role": "chapter_leader",
         "chapter": str(world["california"].pk)},
    )  # fmt: skip
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=newcomer)
    assert (grant.role, grant.chapter, grant.granted_by) == (
        "chapter_leader", world["california"], staff_user,
    )  # fmt: skip
    client.force_login(newcomer)
    assert _export(client) == {"ca@example.org"}

    client.force_login(staff_user)
    # A chapter leader's role needs a chapter; staff roles take none.
    response = client.post(
        reverse("accounts:roles"),
        {"email": "new@example.org", "role": "chapter_leader"},
    )
    assert response.status_code == 400
    assert "names one chapter" in response.content.decode()
    assert client.post(reverse("accounts:revoke", args=[grant.pk])).status_code == 302
    assert not RoleGrant.objects.filter(user=newcomer).exists()
    events = list(
        AuditEvent.objects.filter(action__startswith="role.")
        .order_by("pk")
        .values_list("action", "actor")
    )
    assert events == [
        ("role.granted", staff_user.pk), ("role.revoked", staff_user.pk),
    ]  # fmt: skip
    audit = client.get(reverse("accounts:audit"), {"action": "role.granted"})
    assert audit.status_code == 200
    assert "Role granted" in audit.content.decode()
    assert "Role revoked" not in audit.content.decode().split("<tbody>")[1]


def test_a_staff_admin_cannot_remove_their_own_admin_role(client, staff_user):
    client.force_login(staff_user)
    own = staff_user.grants.get()
    client.post(reverse("accounts:revoke", args=[own.pk]))
    assert staff_user.grants.exists()


def test_staff_see_everyone_but_cannot_manage_roles(client, world):
    staff = make_user("staff@example.org", role=Role.STAFF)
    client.force_login(staff)
    assert _export(client) == {"tx@example.org", "ca@example.org", "lead@example.org"}
    assert client.get(reverse("accounts:roles")).status_code == 403
    assert client.get("/admin/accounts/user/").status_code == 403


def test_audit_page_lists_events_with_a_bounded_number_of_queries(
    client, staff_user, django_assert_max_num_queries
):
    for i in range(30):
        services.record_audit(
            actor=staff_user, action="supporters.export", changes={"n": i}
        )
    client.force_login(staff_user)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("accounts:audit"))
    assert response.content.decode().count("Supporters exported") >= 30


def test_audit_filters_that_do_not_validate_show_nothing(client, staff_user):
    services.record_audit(actor=staff_user, action="supporters.export")
    client.force_login(staff_user)
    response = client.get(
        reverse("accounts:audit"), {"since": "not-a-date", "object_type": "a\x00b"}
    )
    assert response.status_code == 200
    assert "Nothing recorded" in response.content.decode()


# --- what a second probe found (all as the Texas leader with every permission) -------


def test_a_leader_cannot_approve_sign_ons_or_read_their_contacts(client, world):
    from petitions.models import OrganisationSignOn
    from tests.petitions.factories import PetitionFactory

    sign_on = OrganisationSignOn.objects.create(
        petition=PetitionFactory(), name="CA Org", kind="nonprofit", state="CA",
        contact_name="Private Person", contact_email="private@org.example",
    )  # fmt: skip
    leader = world["leader"]
    leader.user_permissions.clear()  # the leader's own role, nothing granted extra
    client.force_login(leader)
    response = client.post(
        "/admin/petitions/organisationsignon/",
        {"action": "approve", "_selected_action": [sign_on.pk], "index": 0},
    )
    assert response.status_code in (302, 403)
    sign_on.refresh_from_db()
    assert sign_on.status == "pending"
    page = client.get(f"/admin/petitions/organisationsignon/{sign_on.pk}/change/")
    assert "private@org.example" not in page.content.decode()


def test_a_leaders_import_joins_only_chapters_they_lead(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from supporters.models import Supporter, SupporterImport
    from supporters.tasks import run_import_task

    ChapterFactory(slug="ohio", state="OH", name="Harbor Ohio")
    client.force_login(world["leader"])
    client.post(
        reverse("supporters:import"),
        {
            "chapter": world["texas"].pk,
            "file": SimpleUploadedFile(
                "a.csv", b"email,state\nnew-oh@example.org,OH\n"
            ),
        },
    )
    run_import_task(SupporterImport.objects.get().pk)
    person = Supporter.objects.get(email="new-oh@example.org")
    assert set(person.chapters.values_list("slug", flat=True)) == {"texas"}
    # And the import's admin page does not tell the leader whether emails existed.
    page = client.get(
        f"/admin/supporters/supporterimport/{SupporterImport.objects.get().pk}/change/"
    ).content.decode()
    assert "Created count" not in page
    assert "Updated count" not in page


def test_consent_is_read_only_in_the_admin(client, world):
    client.force_login(world["leader"])
    page = client.get(f"/admin/supporters/supporter/{world['tx'].pk}/change/")
    html = page.content.decode()
    assert 'name="unsubscribed_at' not in html
    assert 'name="email_opt_in"' not in html


@pytest.mark.parametrize(
    "query",
    [
        "email__regex=(",
        "email__iregex=[",
        "id__range=1",
        "id__in=99999999999999999999",
        "chapters__id__exact=1",
        "state__exact=TX&first_name__startswith=A",
    ],
)
def test_admin_lookups_beyond_the_filters_are_refused_not_500(client, world, query):
    client.force_login(world["leader"])
    response = client.get(f"/admin/supporters/supporter/?{query}")
    assert response.status_code == 400  # refused as Django refuses an unknown lookup


def test_a_huge_tag_id_is_a_choice_error_not_a_500(client, staff_user, world):
    client.force_login(staff_user)
    url = reverse("admin:supporters_supporter_add")
    response = client.post(
        url, {"email": "x@example.org", "tags": "99999999999999999999"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
