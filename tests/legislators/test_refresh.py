"""manage.py sync_legislators against a loopback fake of the upstream hosts serving
good, truncated, malformed and partial congress-legislators and Open States data."""

import io
import json
import tarfile

import pytest
import yaml
from django.core.management import CommandError, call_command

from legislators import importers, refresh, tasks
from legislators.models import Chamber, Legislator, SyncRun

pytestmark = pytest.mark.django_db

CURRENT = "/congress/legislators-current.yaml"
OFFICES = "/congress/legislators-district-offices.yaml"
ARCHIVE = "/openstates/people-main.tar.gz"


@pytest.fixture
def upstream(fake_api, settings, districts):
    settings.LEGISLATORS_CONGRESS_CURRENT_URL = fake_api.url + CURRENT
    settings.LEGISLATORS_CONGRESS_OFFICES_URL = fake_api.url + OFFICES
    settings.LEGISLATORS_OPENSTATES_ARCHIVE_URL = fake_api.url + ARCHIVE
    settings.LEGISLATORS_SYNC_MIN_RATIO = 0.9
    settings.LEGISLATORS_PORTRAIT_URL_PREFIXES = []
    fake_api.people = yaml.safe_load(districts["congress"].read_text())
    fake_api.serve(CURRENT, districts["congress"].read_bytes())
    fake_api.serve(OFFICES, importers.CONGRESS_OFFICES.read_bytes())
    fake_api.serve(ARCHIVE, _archive(districts["openstates"]))
    return fake_api


def _archive(root, *, skip=(), extra=()) -> bytes:
    """A .tar.gz in the layout of GitHub's archive of openstates/people."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path in sorted((root / "data").rglob("*.yml")):
            if path.name in skip:
                continue
            tar.add(path, arcname=f"people-main/{path.relative_to(root)}")
        for name, text in extra:
            info = tarfile.TarInfo(name)
            data = text.encode()
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _snapshot():
    return sorted(
        Legislator.objects.values_list("pk", "name", "district", "is_current")
    )


def test_good_upstream_data_refreshes_both_and_records_the_runs(upstream):
    people = upstream.people
    people[0]["name"]["official_full"] = "Renamed Upstream"
    upstream.serve(CURRENT, yaml.safe_dump(people))

    call_command("sync_legislators")

    bioguide = people[0]["id"]["bioguide"]
    assert Legislator.objects.get(bioguide_id=bioguide).name == "Renamed Upstream"
    congress = SyncRun.objects.get(kind="sync_congress")
    assert congress.ok
    assert congress.summary["updated"] == 1
    assert SyncRun.objects.get(kind="sync_openstates").ok
    assert SyncRun.objects.filter(kind="fetch_portraits").exists()


def test_the_json_format_is_accepted_too(upstream):
    upstream.serve(CURRENT, json.dumps(upstream.people, default=str))
    assert refresh.refresh_congress()["ok"]


def test_a_member_who_left_upstream_is_retired_not_deleted(upstream):
    leaving = upstream.people.pop()
    upstream.serve(CURRENT, yaml.safe_dump(upstream.people))
    result = refresh.refresh_congress()
    assert result["retired"] == 1
    member = Legislator.objects.get(bioguide_id=leaving["id"]["bioguide"])
    assert not member.is_current


def test_a_truncated_file_that_collapses_the_counts_is_refused(upstream):
    before = _snapshot()
    half = upstream.people[: len(upstream.people) // 2]
    upstream.serve(CURRENT, yaml.safe_dump(half))

    with pytest.raises(CommandError, match="refused"):
        call_command("sync_legislators", "--no-portraits")

    assert _snapshot() == before
    run = SyncRun.objects.get(kind="sync_congress")
    assert not run.ok
    assert "below 90%" in run.message


def test_a_response_cut_off_in_transit_changes_nothing(upstream):
    before = _snapshot()
    body = upstream.people and yaml.safe_dump(upstream.people).encode()
    upstream.serve(CURRENT, body, cut_after=len(body) // 3)
    result = refresh.refresh_congress()
    assert not result["ok"]
    assert "cut off" in result["error"]
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("- id: {bioguide: [unclosed\n", "(syntax)"),
        ('{"not": "a list"}', "expected a list of people"),
        ("<html>Service unavailable</html>", "expected a list of people"),
        (b"\xff\xfe\x00 not utf-8", "utf-8"),
    ],
)
def test_a_malformed_file_is_refused_and_changes_nothing(upstream, body, problem):
    before = _snapshot()
    upstream.serve(CURRENT, body)
    result = refresh.refresh_congress()
    assert not result["ok"]
    assert problem in result["error"]
    assert _snapshot() == before
    assert not SyncRun.objects.get(kind="sync_congress").ok


def test_a_record_missing_a_required_field_is_named_and_nothing_changes(upstream):
    before = _snapshot()
    people = upstream.people
    del people[3]["terms"][-1]["state"]
    upstream.serve(CURRENT, yaml.safe_dump(people))
    result = refresh.refresh_congress()
    assert "record 4" in result["error"]
    assert "terms[-1].state" in result["error"]
    assert _snapshot() == before


def test_a_server_error_or_an_oversized_file_is_refused(upstream, settings):
    upstream.serve(OFFICES, "oops", status=503)
    assert "HTTP 503" in refresh.refresh_congress()["error"]
    upstream.serve(OFFICES, importers.CONGRESS_OFFICES.read_bytes())
    settings.LEGISLATORS_SYNC_MAX_BYTES = 1000
    assert "larger than 1000 bytes" in refresh.refresh_congress()["error"]


def test_one_congress_url_without_the_other_is_refused(upstream, settings):
    settings.LEGISLATORS_CONGRESS_OFFICES_URL = ""
    assert "both" in refresh.refresh_congress()["error"]


def test_nothing_is_fetched_while_no_url_is_configured(fake_api, settings, db):
    settings.LEGISLATORS_CONGRESS_CURRENT_URL = ""
    settings.LEGISLATORS_CONGRESS_OFFICES_URL = ""
    settings.LEGISLATORS_OPENSTATES_ARCHIVE_URL = ""
    settings.LEGISLATORS_PORTRAIT_URL_PREFIXES = []
    assert refresh.refresh_congress() is None
    assert refresh.refresh_openstates() is None
    tasks.sync_legislators_task()
    assert fake_api.requests == []
    assert tasks.sync_legislators_task.name == "legislators.sync_legislators"


# --- Open States ----------------------------------------------------------------------


def test_a_partial_archive_missing_a_state_is_refused(upstream, districts, tmp_path):
    before = _snapshot()
    other = tmp_path / "people" / "data" / "ok" / "legislature"
    other.mkdir(parents=True)
    for path in (districts["openstates"] / "data" / "tx" / "legislature").glob("*"):
        (other / path.name).write_text(path.read_text())
    upstream.serve(ARCHIVE, _archive(tmp_path / "people"))
    result = refresh.refresh_openstates()
    assert "lacks states Harbor has: TX" in result["error"]
    assert _snapshot() == before


def test_an_archive_that_lost_most_of_a_state_is_refused(upstream, districts):
    files = sorted(
        p.name for p in (districts["openstates"] / "data" / "tx").rglob("*.yml")
    )
    upstream.serve(ARCHIVE, _archive(districts["openstates"], skip=files[:4]))
    result = refresh.refresh_openstates()
    assert "Open States TX" in result["error"]
    assert Legislator.objects.current().filter(chamber__startswith="state").count() == (
        len(files)
    )


def test_a_truncated_archive_is_refused(upstream, districts):
    body = _archive(districts["openstates"])
    upstream.serve(ARCHIVE, body[: len(body) // 2])
    result = refresh.refresh_openstates()
    assert "not a complete .tar.gz" in result["error"]
    assert not SyncRun.objects.get(kind="sync_openstates").ok


def test_a_malformed_person_file_is_named_and_nothing_changes(upstream, districts):
    before = _snapshot()
    upstream.serve(
        ARCHIVE,
        _archive(
            districts["openstates"],
            extra=[
                ("people-main/data/tx/legislature/Bad-1.yml", "id: nope\nname: X\n")
            ],
        ),
    )
    result = refresh.refresh_openstates()
    assert "Bad-1.yml" in result["error"]
    assert "is not an ocd-person id" in result["error"]
    assert _snapshot() == before


def test_archive_members_outside_the_people_folders_are_never_written(
    upstream, districts, tmp_path
):
    upstream.serve(
        ARCHIVE,
        _archive(
            districts["openstates"],
            extra=[
                ("people-main/../../escape.yml", "id: x\n"),
                ("people-main/data/tx/committees/c.yml", "id: x\n"),
                ("people-main/scripts/run.py", "print(1)\n"),
            ],
        ),
    )
    result = refresh.refresh_openstates()
    assert result["ok"], result
    count = Legislator.objects.filter(chamber=Chamber.STATE_UPPER).count()
    assert count + Legislator.objects.filter(chamber=Chamber.STATE_LOWER).count() == 8
