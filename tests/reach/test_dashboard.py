"""The reach dashboard (issue #12): figures that match known actions exactly, per role
(national staff, each chapter's leader, no role), the filters, the CSV of every table,
the rollups' exactness check, and a pinned query budget."""

import csv
import datetime as dt
import io
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Chapter
from advocacy.models import AdvocacyCampaign, Outreach
from alerts.models import Alert, AlertRecipient
from campaigns.models import CampaignBill
from legislators.models import Bill, BillAction, Legislator, Sponsorship
from petitions.models import Signature
from reach import dashboard, rollups
from reach.models import DailyReach, RollupRun
from supporters.models import ChapterMembership
from tests.accounts.factories import make_leader, make_user
from tests.petitions.factories import PetitionFactory, SupporterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Known actions in two chapters and two campaigns."""
    now = timezone.now()
    texas = Chapter.objects.create(name="Texas", slug="tx", kind="state", state="TX")
    california = Chapter.objects.create(
        name="California", slug="ca", kind="state", state="CA"
    )
    petition_a = PetitionFactory()
    petition_b = PetitionFactory()
    a, b = petition_a.campaign, petition_b.campaign
    call = AdvocacyCampaign.objects.create(
        campaign=a, kind="call", targets_own_us_representative=True, script="Act."
    )
    letter = AdvocacyCampaign.objects.create(campaign=a, kind="letter", script="Act.")
    fletcher = Legislator.objects.create(
        bioguide_id="F000468", name="Lizzie Fletcher", last_name="Fletcher",
        chamber="us_house", state="TX", district="7",
    )  # fmt: skip
    doggett = Legislator.objects.create(
        bioguide_id="D000399", name="Lloyd Doggett", last_name="Doggett",
        chamber="us_house", state="TX", district="37",
    )  # fmt: skip
    alert_tx = Alert.objects.create(
        chapter=texas, campaign=a, subject="Call Fletcher", body="x",
        from_name="H", from_email="h@example.org", frozen_at=now, status="sent",
    )  # fmt: skip
    alert_ca = Alert.objects.create(
        chapter=california, campaign=a, subject="California, sign", body="x",
        from_name="H", from_email="h@example.org", frozen_at=now, status="sent",
    )  # fmt: skip

    def person(name, state, chapter):
        supporter = SupporterFactory(first_name=name, state=state)
        ChapterMembership.objects.create(chapter=chapter, supporter=supporter)
        return supporter

    p1 = person("Rosa", "TX", texas)
    p2 = person("Li", "TX", texas)
    p3 = person("Carla", "CA", california)
    p4 = person("Unconfirmed", "TX", texas)
    tx07 = {"state": "TX", "congressional_district": "TX-07"}
    tx37 = {"state": "TX", "congressional_district": "TX-37"}
    ca12 = {"state": "CA", "congressional_district": "CA-12"}

    def sign(petition, supporter, place, chapter, confirmed=True, **extra):
        return Signature.objects.create(
            petition=petition, supporter=supporter, campaign=petition.campaign,
            referral_code=uuid.uuid4().hex[:16], chapter=chapter,
            confirmed_at=now if confirmed else None, **place, **extra,
        )  # fmt: skip

    first = sign(
        petition_a, p1, tx07, texas, referred_by_code=alert_tx.source_code,
        channel="email",
    )  # fmt: skip
    sign(
        petition_a,
        p2,
        tx37,
        texas,
        utm_source="fb",
        referred_by_code=first.referral_code,
    )
    sign(petition_a, p3, ca12, california, channel="page")
    sign(petition_b, p3, ca12, california)
    sign(petition_a, p4, tx07, texas, confirmed=False)

    def reach(supporter, legislator, kind, place, **extra):
        Outreach.objects.create(
            advocacy_campaign=call if kind == "call" else letter, campaign=a,
            kind=kind, legislator=legislator, supporter=supporter,
            session=uuid.uuid4(), method="click_to_call" if kind == "call" else "email",
            chapter=texas, **place, **extra,
        )  # fmt: skip

    reach(p1, fletcher, "call", tx07, outcome="talked_to_staff")
    reach(None, doggett, "call", tx37, outcome="busy_or_no_answer")
    reach(None, doggett, "call", tx37, outcome="skipped")
    reach(p2, doggett, "letter", tx37, delivery_status="sent")
    reach(p2, fletcher, "letter", tx37, delivery_status="no_route")

    AlertRecipient.objects.create(
        alert=alert_tx, supporter=p1, email=p1.email, status="sent", sent_at=now,
        delivered_at=now, opened_at=now, clicked_at=now, acted_at=now,
    )  # fmt: skip
    AlertRecipient.objects.create(
        alert=alert_tx, supporter=p2, email=p2.email, status="sent", sent_at=now,
        bounced_at=now,
    )  # fmt: skip
    AlertRecipient.objects.create(
        alert=alert_ca, supporter=p3, email=p3.email, status="sent", sent_at=now,
        unsubscribed_at=now,
    )  # fmt: skip

    bill = Bill.objects.create(
        jurisdiction="US", session="119", identifier="H.R. 1",
        title="Trafficking Victims Protection Reauthorization Act",
    )  # fmt: skip
    CampaignBill.objects.create(campaign=a, bill=bill)
    BillAction.objects.create(
        bill=bill, date=timezone.localdate(), text="Referred to committee"
    )
    Sponsorship.objects.create(
        bill=bill, legislator=fletcher, name="Fletcher", kind="cosponsor",
        sponsored_on=timezone.localdate(),
    )  # fmt: skip
    Sponsorship.objects.create(
        bill=bill, legislator=doggett, name="Doggett", kind="sponsor",
        sponsored_on=timezone.localdate() - dt.timedelta(days=30),
    )  # fmt: skip
    rollups.rebuild()
    return {"texas": texas, "california": california, "a": a, "b": b,
            "alert_tx": alert_tx, "first": first}  # fmt: skip


def _board(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("reach:dashboard"), params)
    assert response.status_code == 200
    return response.context["board"]


def _figures(board):
    return {**board.totals, "people": board.people}


NATIONAL = {"signature": 4, "call": 2, "letter": 1, "actions": 7, "supporters": 4,
            # Rosa (signed, called, opened), Li, Carla (two petitions), one anonymous
            # caller; the unconfirmed signer reached nobody.
            "people": 4}  # fmt: skip
TEXAS = {"signature": 2, "call": 2, "letter": 1, "actions": 5, "supporters": 3,
         "people": 3}  # fmt: skip
CALIFORNIA = {"signature": 2, "call": 0, "letter": 0, "actions": 2, "supporters": 1,
              "people": 1}  # fmt: skip


def test_national_staff_see_every_action_once(client, world, staff_user):
    board = _board(client, staff_user)
    assert _figures(board) == NATIONAL
    states = {r["code"]: r for r in board.states}
    assert (states["TX"]["actions"], states["TX"]["supporters"]) == (5, 3)
    assert states["TX"]["per_supporter"] == round(5 / 3, 2)
    assert states["CA"]["actions"] == 2
    assert states["NY"]["actions"] == 0
    assert states["NY"]["shade"] == 0
    assert states["TX"]["shade"] == 5  # the highest rate
    assert {r["district"]: r["actions"] for r in board.districts} == {
        "TX-07": 2, "TX-37": 3, "CA-12": 2,
    }  # fmt: skip
    assert {str(r["chapter"]): r["actions"] for r in board.chapters} == {
        "Texas": 5, "California": 2,
    }  # fmt: skip
    funnels = {r["alert"]: r for r in board.funnels}
    assert {k: funnels["Call Fletcher"][k] for k in
            ("recipients", "sent", "delivered", "opened", "clicked", "acted",
             "unsubscribed", "bounced")} == {
        "recipients": 2, "sent": 2, "delivered": 1, "opened": 1, "clicked": 1,
        "acted": 1, "unsubscribed": 0, "bounced": 1,
    }  # fmt: skip
    assert funnels["California, sign"]["unsubscribed"] == 1
    sources = {(str(r["kind"]), r["source"]): r["actions"] for r in board.sources}
    assert sources == {
        ("Alert", "Call Fletcher"): 1, ("Channel", "email"): 1,
        ("Channel", "page"): 1, ("UTM", "fb / - / -"): 1,
    }  # fmt: skip
    assert [(r["name"], r["actions"]) for r in board.sharers] == [("Rosa", 1)]
    targets = {r["name"]: r for r in board.targets}
    assert targets["Lizzie Fletcher"]["calls"] == 1
    assert targets["Lizzie Fletcher"]["outcomes"] == {"Talked to staff": 1}
    assert targets["Lloyd Doggett"]["outcomes"] == {"Busy or no answer": 1}
    assert targets["Lloyd Doggett"]["statuses"] == {"Sent": 1}


@pytest.mark.parametrize(
    ("chapter", "expected"), [("texas", TEXAS), ("california", CALIFORNIA)]
)
def test_a_chapter_leader_sees_their_chapters_numbers_exactly(
    client, world, chapter, expected
):
    leader = make_leader(world[chapter])
    board = _board(client, leader)
    assert _figures(board) == expected
    assert sum(r["actions"] for r in board.states) == expected["actions"]
    assert {str(r["chapter"]) for r in board.chapters} == {world[chapter].name}
    assert len(board.funnels) == 1
    # Asking for the other chapter is refused (not a choice): their own numbers stay.
    other = "ca" if chapter == "texas" else "tx"
    response = client.get(reverse("reach:dashboard"), {"chapter": other})
    assert response.context["form"].errors
    assert _figures(response.context["board"]) == expected


def test_a_leader_of_both_chapters_counts_each_person_once(client, world):
    both = make_leader(world["texas"], world["california"])
    assert _figures(_board(client, both)) == NATIONAL


def test_national_staff_filter_by_chapter_and_campaign(client, world, staff_user):
    assert _figures(_board(client, staff_user, chapter="tx")) == TEXAS
    board = _board(client, staff_user, campaign=world["b"].slug)
    assert (board.totals["signature"], board.totals["actions"], board.people) == (
        1,
        1,
        1,
    )
    board = _board(client, staff_user, campaign=world["a"].slug, chapter="ca")
    assert (board.totals["actions"], board.people) == (1, 1)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    start = yesterday - dt.timedelta(days=500)
    board = _board(client, staff_user, start=start, end=yesterday)
    assert board.totals["actions"] == 0
    assert board.people == 0


def test_the_campaign_against_its_bills(client, world, staff_user):
    board = _board(client, staff_user, campaign=world["a"].slug)
    assert [e["text"] for e in board.bill_events] == [
        "Sponsor: Doggett",
        "Referred to committee",
        "Cosponsor: Fletcher",
    ]
    legs = {r["name"]: r for r in board.legislators}
    # Fletcher's own constituent (TX-07) called; the TX-37 letter to her was refused
    # (no route) and is not counted. She cosponsored today: after the contact.
    assert legs["Lizzie Fletcher"]["own"] == 1
    assert legs["Lizzie Fletcher"]["after"] is True
    # Doggett sponsored a month before his constituents' contacts.
    assert legs["Lloyd Doggett"]["own"] == 2
    assert legs["Lloyd Doggett"]["after"] is False


def test_bad_filters_are_a_message_not_a_500(client, world, staff_user):
    client.force_login(staff_user)
    for params in (
        {"start": "2026-13-01"},
        {"start": "2026-02-01", "end": "2026-01-01"},
        {"start": "1900-01-01", "end": "2026-01-01"},
        {"campaign": "no-such-campaign"},
        {"chapter": "\x00"},
    ):
        response = client.get(reverse("reach:dashboard"), params)
        assert response.status_code in (200, 400), params
        if response.status_code == 200:
            assert response.context["form"].errors, params
            assert _figures(response.context["board"]) == NATIONAL


def test_no_role_no_dashboard(client, world):
    client.force_login(make_user("nobody@example.org"))
    assert client.get(reverse("reach:dashboard")).status_code == 403
    assert (
        client.get(reverse("reach:export", kwargs={"table": "days"})).status_code == 403
    )
    client.logout()
    assert client.get(reverse("reach:dashboard")).status_code == 302


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_every_table_has_a_csv_with_the_same_figures(client, world):
    leader = make_leader(world["texas"])
    board = _board(client, leader, campaign=world["a"].slug)
    tables = dashboard.csv_tables(board)
    assert set(tables) == {
        "days", "states", "districts", "chapters", "sources", "sharers", "alerts",
        "legislators", "bill-actions", "targets",
    }  # fmt: skip
    page = client.get(reverse("reach:dashboard"), {"campaign": world["a"].slug})
    for name in tables:
        url = reverse("reach:export", kwargs={"table": name})
        assert url in page.content.decode(), name
        rows = _csv(client.get(url, {"campaign": world["a"].slug}))
        assert rows[0] == tables[name][0]
        assert len(rows) == len(tables[name][1]) + 1
    rows = _csv(client.get(reverse("reach:export", kwargs={"table": "chapters"})))
    assert rows[1:] == [["Texas", "2", "2", "1", "5"]]
    days = _csv(client.get(reverse("reach:export", kwargs={"table": "days"})))
    assert sum(int(r[1]) for r in days[1:]) == TEXAS["signature"]
    assert client.get("/staff/reach/export/nope.csv").status_code == 404


def test_every_chart_has_its_table_and_the_page_has_no_inline_script(
    client, world, staff_user
):
    client.force_login(staff_user)
    html = client.get(
        reverse("reach:dashboard"), {"campaign": world["a"].slug}
    ).content.decode()
    charts = html.count('data-chart="')
    assert charts == 5
    # Each chart and the map have their table (open until the script draws them).
    assert html.count('<details class="chart-table" open>') == charts + 1
    assert 'id="reach-charts" type="application/json"' in html
    assert " style=" not in html
    assert "<style" not in html
    import re

    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert 'class="reach-shade-5" data-state="TX"' in html


def test_the_rollups_follow_new_actions_and_the_check_finds_what_they_missed(
    world, staff_user
):
    petition = world["first"].petition
    newcomer = SupporterFactory(first_name="New", state="TX")
    Signature.objects.create(
        petition=petition, supporter=newcomer, campaign=petition.campaign,
        referral_code="newcomer", chapter=world["texas"], confirmed_at=timezone.now(),
    )  # fmt: skip
    filters = dashboard.Filters(start=timezone.localdate(), end=timezone.localdate())
    assert dashboard.dashboard(staff_user, filters).totals["signature"] == 4
    rollups.refresh_recent()
    board = dashboard.dashboard(staff_user, filters)
    assert (board.totals["signature"], board.people) == (5, 5)
    assert rollups.check_exact() == {}
    # An erasure (or a confirmation older than the recent window) is not seen by the
    # recent refresh; the nightly rebuild's check records it, and corrects it.
    Signature.objects.filter(supporter=newcomer).delete()
    assert rollups.check_exact()["signature"] == [5, 4]
    run = rollups.rebuild()
    assert run.mismatches["signature"] == [5, 4]
    assert rollups.check_exact() == {}
    assert RollupRun.objects.filter(is_full=True).count() == 2
    assert dashboard.dashboard(staff_user, filters).totals["signature"] == 4


def test_the_refresh_tasks_and_command(world, capsys):
    from django.core.management import call_command

    from reach import tasks

    tasks.refresh_rollups_task()
    tasks.rebuild_rollups_task()
    call_command("reach_rollups", "--check")
    assert capsys.readouterr().out.strip() == "exact"
    assert DailyReach.objects.filter(dimension="total").exists()


def test_query_budget_does_not_grow_with_the_data(
    client, world, staff_user, django_assert_max_num_queries
):
    client.force_login(staff_user)
    url = reverse("reach:dashboard")
    with django_assert_max_num_queries(26):
        client.get(url, {"campaign": world["a"].slug})
    petition = world["first"].petition
    for i in range(30):
        supporter = SupporterFactory(state="NY")
        Signature.objects.create(
            petition=petition, supporter=supporter, campaign=petition.campaign,
            referral_code=f"more{i}", confirmed_at=timezone.now(),
            state="NY", congressional_district=f"NY-{i:02d}", utm_source=f"s{i}",
        )  # fmt: skip
    rollups.rebuild()
    with django_assert_max_num_queries(26):
        client.get(url, {"campaign": world["a"].slug})
    with django_assert_max_num_queries(26):
        client.get(url)


def test_the_staff_dashboard_links_to_reach(client, world, staff_user):
    client.force_login(staff_user)
    html = client.get("/staff/").content.decode()
    assert reverse("reach:dashboard") in html


def test_the_dashboard_and_its_csv_speak_spanish(client, world, staff_user):
    client.force_login(staff_user)
    html = client.get(
        reverse("reach:dashboard"), {"lang": "es", "campaign": world["a"].slug}
    ).content.decode()
    for text in ("Alcance: ", "Acciones a lo largo del tiempo", "Por estado",
                 "Tabla del gráfico", "Descargar esta tabla (CSV)",
                 "Quienes más compartieron", "Hablé con el personal"):  # fmt: skip
        assert text in html, text
    rows = _csv(client.get(reverse("reach:export", kwargs={"table": "chapters"})))
    assert rows[0] == ["Capítulo", "Firmas", "Llamadas", "Cartas", "Acciones"]


def test_a_late_open_of_an_older_alert_is_counted_by_the_recent_refresh(
    world, staff_user
):
    alert = world["alert_tx"]
    Alert.objects.filter(pk=alert.pk).update(
        frozen_at=timezone.now() - dt.timedelta(days=20)
    )
    rollups.rebuild()
    late = SupporterFactory(first_name="Late", state="TX")
    AlertRecipient.objects.create(
        alert=alert, supporter=late, email=late.email, status="sent",
        sent_at=timezone.now(), opened_at=timezone.now(),
    )  # fmt: skip
    rollups.refresh_recent()
    assert rollups.check_exact() == {}
    board = dashboard.dashboard(
        staff_user,
        dashboard.Filters(
            start=timezone.localdate() - dt.timedelta(days=30),
            end=timezone.localdate(),
        ),
    )
    assert {f["alert"]: f["opened"] for f in board.funnels}["Call Fletcher"] == 2
    assert board.people == NATIONAL["people"] + 1


def test_the_rollup_tasks_are_pinned_and_scheduled():
    from harbor.celery import app

    app.loader.import_default_modules()
    assert {"reach.refresh_rollups", "reach.rebuild_rollups"} <= set(app.tasks)
    scheduled = {e["task"]: e["schedule"] for e in app.conf.beat_schedule.values()}
    assert scheduled["reach.refresh_rollups"] == 300
    assert scheduled["reach.rebuild_rollups"] == 24 * 3600


def test_the_dashboard_says_how_many_signatures_wait_in_the_intake(
    client, world, staff_user
):
    from petitions.models import Petition
    from petitions.services import sign_petition

    client.force_login(staff_user)
    page = client.get(reverse("reach:dashboard")).content.decode()
    assert "waiting to be written" not in page
    petition = (
        Petition.objects.filter(status="open").first() or Petition.objects.first()
    )
    for n in range(2):
        sign_petition(
            petition=petition,
            email=f"waiting{n}@example.org",
            first_name="Wai",
            last_name="Ting",
            zip_code="78701",
        )
    page = client.get(reverse("reach:dashboard")).content.decode()
    assert "2 signatures are waiting to be written" in page
