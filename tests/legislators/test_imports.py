"""Imports of the shipped upstream files (real data) and their failure paths."""

import shutil
from pathlib import Path

import pytest
import yaml

from legislators import importers, selectors, services
from legislators.importers import DataFileError
from legislators.models import (
    Chamber,
    Legislator,
    Office,
    SafeHarborLaw,
    SyncRun,
    ZipDistrict,
)

pytestmark = pytest.mark.django_db


def write_yaml(path: Path, data) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def congress_people():
    with open(importers.CONGRESS_CURRENT, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=yaml.CSafeLoader)


@pytest.fixture
def small_congress(tmp_path, congress_people):
    """Three real members: a senator, a representative, an at-large representative."""

    def pick(pred):
        return next(p for p in congress_people if pred(p["terms"][-1]))

    people = [
        pick(lambda t: t["type"] == "sen" and t["state"] == "TX"),
        pick(
            lambda t: t["type"] == "rep" and t["state"] == "TX" and t["district"] == 37
        ),
        pick(lambda t: t["type"] == "rep" and t["state"] == "AK"),
    ]
    return write_yaml(tmp_path / "legislators-current.yaml", people), people


def test_importing_the_shipped_yaml_gives_every_current_member(congress_people):
    summary = services.import_congress()
    assert summary["created"] == len(congress_people) == 537
    assert Legislator.objects.current().filter(chamber=Chamber.US_SENATE).count() == 100
    assert Legislator.objects.current().filter(chamber=Chamber.US_HOUSE).count() == 437
    assert Office.objects.filter(kind=Office.Kind.DISTRICT).count() > 1000
    doggett = Legislator.objects.get(bioguide_id="D000399")
    assert doggett.district == "37"
    assert doggett.photo_url.endswith("/D000399.jpg")
    assert SyncRun.objects.filter(kind="import_congress").count() == 1


def test_district_offices_keep_their_city_zip_and_position(small_congress):
    path, _people = small_congress
    services.import_congress(current_path=path)
    cornyn = Legislator.objects.get(bioguide_id="C001056")
    houston = cornyn.offices.get(kind=Office.Kind.DISTRICT, city="Houston")
    assert (houston.zip_code, houston.phone) == ("77007", "713-572-3337")
    assert houston.location == pytest.approx((29.7620424, -95.4159496))
    assert houston.label == "Houston office"
    assert cornyn.offices.get(kind=Office.Kind.DC).label == "Washington, DC office"
    assert sorted(
        cornyn.offices.filter(kind=Office.Kind.DISTRICT).values_list("city", flat=True)
    ) == ["Austin", "Dallas", "Harlingen", "Houston", "Lubbock", "San Antonio", "Tyler"]


def test_an_office_with_an_impossible_position_keeps_no_position(tmp_path):
    # Upstream puts a Rock Island, IL office at latitude 441.5 (for 41.5).
    offices = importers.parse_congress_offices()
    (rock_island,) = [o for o in offices["S001225"] if o["city"] == "Rock Island"]
    assert (rock_island["latitude"], rock_island["longitude"]) == (None, None)
    assert rock_island["phone"] == "309-786-3406"
    bad = write_yaml(
        tmp_path / "offices.yaml",
        [
            {
                "id": {"bioguide": "D000399"},
                "offices": [
                    {"city": "Austin", "phone": "1", "latitude": "north"},
                    {"city": "Austin", "phone": "2", "latitude": 30.2},
                    {"city": "Austin", "phone": "3", "latitude": 30, "longitude": -97},
                ],
            }
        ],
    )
    positions = [
        (o["latitude"], o["longitude"])
        for o in importers.parse_congress_offices(bad)["D000399"]
    ]
    assert positions == [(None, None), (None, None), (30.0, -97.0)]


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("5606 N. Navarro St. Suite 200-A, Victoria, TX 77904", ("Victoria", "77904")),
        ("Room E1.418, P.O. Box 12910, Austin, TX 78711", ("Austin", "78711")),
        (
            "100 Rev. Dr. Martin Luther King Jr. Blvd.; St. Paul MN 55155-1234",
            ("St. Paul", "55155"),
        ),
        ("MN", ("", "")),
        ("Capitol Building", ("", "")),
    ],
)
def test_open_states_office_city_and_zip_come_from_the_address(address, expected):
    assert importers.city_and_zip(address) == expected


def test_a_known_zip_resolves_to_the_representative_the_data_names(congress_people):
    services.import_congress()
    services.import_zip_crosswalk()
    by_seat = {
        (p["terms"][-1]["state"], p["terms"][-1]["district"]): p["id"]["bioguide"]
        for p in congress_people
        if p["terms"][-1]["type"] == "rep"
    }
    # 78701: Austin, one district; 99501: Alaska at-large (0); 01001: a leading zero.
    for zip_code, seat in (
        ("78701", ("TX", 37)),
        ("99501", ("AK", 0)),
        ("01001", ("MA", 1)),
    ):
        result = selectors.representation_for(zip_code=zip_code)
        house = [s for s in result.seats if s.chamber == Chamber.US_HOUSE]
        assert [s.district for s in house] == [selectors.District(*seat).label]
        assert [leg.bioguide_id for leg in house[0].legislators] == [by_seat[seat]]
        senate = [s for s in result.seats if s.chamber == Chamber.US_SENATE]
        assert len(senate[0].legislators) == 2


def test_zip_crosswalk_keeps_leading_zeros_and_all_districts_of_a_split_zip():
    summary = services.import_zip_crosswalk()
    assert summary == {"rows": 42033, "zctas": 33774, "added": 42033, "removed": 0}
    assert ZipDistrict.objects.filter(zcta="00601", state="PR", district=0).exists()
    assert [d.label for d in selectors.districts_for_zip("35062")] == [
        "AL-04",
        "AL-06",
        "AL-07",
    ]
    assert {d.state for d in selectors.districts_for_zip("30165")} == {"AL", "GA"}


def test_reimporting_the_crosswalk_changes_only_the_difference(tmp_path):
    path = tmp_path / "zccd.csv"
    path.write_text("state_fips,state_abbr,zcta,cd\n48,TX,78701,37\n48,TX,78702,35\n")
    services.import_zip_crosswalk(path=path)
    path.write_text("state_fips,state_abbr,zcta,cd\n48,TX,78701,37\n48,TX,78702,37\n")
    summary = services.import_zip_crosswalk(path=path)
    assert summary["added"] == 1
    assert summary["removed"] == 1
    assert services.import_zip_crosswalk(path=path)["added"] == 0
    assert [d.label for d in selectors.districts_for_zip("78702")] == ["TX-37"]


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("48,TX,7870,37", "zcta"),
        ("48,XX,78701,37", "state_abbr"),
        ("48,TX,78701,x", "cd"),
    ],
)
def test_a_malformed_crosswalk_names_the_line_and_field_and_changes_nothing(
    tmp_path, line, field
):
    services.import_zip_crosswalk(path=_csv(tmp_path, "48,TX,78799,37"))
    with pytest.raises(DataFileError, match=rf"line 3: field '{field}'"):
        services.import_zip_crosswalk(path=_csv(tmp_path, "48,TX,78701,37", line))
    assert list(ZipDistrict.objects.values_list("zcta", flat=True)) == ["78799"]


def _csv(tmp_path, *lines):
    path = tmp_path / "zccd.csv"
    path.write_text("state_fips,state_abbr,zcta,cd\n" + "\n".join(lines) + "\n")
    return path


def test_reimport_is_idempotent_and_retires_members_who_left(small_congress):
    path, people = small_congress
    first = services.import_congress(current_path=path)
    assert first["created"] == 3
    again = services.import_congress(current_path=path)
    assert again == {
        "created": 0,
        "updated": 0,
        "unchanged": 3,
        "retired": 0,
        "in_file": 3,
    }
    offices = Office.objects.count()
    services.import_congress(current_path=path)
    assert Office.objects.count() == offices

    leaving = people[1]["id"]["bioguide"]
    changed = [
        people[0],
        {**people[2], "name": {**people[2]["name"], "official_full": "New Name"}},
    ]
    write_yaml(path, changed)
    summary = services.import_congress(current_path=path)
    assert summary["retired"] == 1
    assert summary["updated"] == 1
    gone = Legislator.objects.get(bioguide_id=leaving)
    assert gone.is_current is False
    assert (
        Legislator.objects.get(bioguide_id=people[2]["id"]["bioguide"]).name
        == "New Name"
    )

    # Coming back (re-elected) makes the same row current again.
    write_yaml(path, people)
    summary = services.import_congress(current_path=path)
    assert (summary["created"], summary["updated"]) == (
        0,
        2,
    )  # the returner, the rename
    assert Legislator.objects.get(bioguide_id=leaving).is_current is True


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda p: p["terms"][-1].update(state="XX"),
            r"bioguide \w+\): field 'terms\[-1\].state'",
        ),
        (
            lambda p: p["terms"][-1].update(district="7"),
            r"field 'terms\[-1\].district'",
        ),
        (
            lambda p: p["terms"][-1].update(start="last week"),
            r"field 'terms\[-1\].start'",
        ),
        (lambda p: p["id"].update(bioguide="nope"), r"record 2: field 'id.bioguide'"),
        (lambda p: p.update(terms=[]), r"field 'terms'"),
    ],
)
def test_malformed_congress_yaml_names_record_and_field_and_changes_nothing(
    small_congress, mutate, message
):
    path, people = small_congress
    services.import_congress(current_path=path)
    before = list(Legislator.objects.order_by("pk").values())
    broken = yaml.safe_load(yaml.safe_dump(people[1]))
    mutate(broken)
    write_yaml(path, [people[0], broken, people[2]])
    with pytest.raises(DataFileError, match=message):
        services.import_congress(current_path=path)
    assert list(Legislator.objects.order_by("pk").values()) == before


def test_yaml_syntax_error_is_reported_with_its_line(tmp_path):
    path = tmp_path / "legislators-current.yaml"
    path.write_text("- id:\n    bioguide: [unclosed\n")
    with pytest.raises(DataFileError, match=r"legislators-current.yaml: line \d+"):
        services.import_congress(current_path=path)
    assert not Legislator.objects.exists()


def test_management_command_prints_a_summary_and_refuses_a_bad_file(
    tmp_path, small_congress
):
    from django.core.management import CommandError, call_command

    path, _people = small_congress
    out = []

    class Out:
        def write(self, text):
            out.append(text)

    call_command(
        "import_legislators",
        "--only",
        "congress",
        "--congress-current",
        str(path),
        stdout=Out(),
    )
    assert "congress: created 3" in "".join(out)
    bad = write_yaml(tmp_path / "bad.yaml", [{"id": {"bioguide": "X"}}])
    with pytest.raises(
        CommandError, match=r"bad.yaml: record 1: field 'id.bioguide'.*nothing"
    ):
        call_command(
            "import_legislators", "--only", "congress", "--congress-current", str(bad)
        )


# --- Open States ----------------------------------------------------------------------


@pytest.fixture
def openstates_slice(tmp_path):
    """Five real Texas legislators, in the upstream layout."""
    src = sorted(
        (importers.OPENSTATES_DIR / "data" / "tx" / "legislature").glob("*.yml")
    )[:5]
    dest = tmp_path / "people" / "data" / "tx" / "legislature"
    dest.mkdir(parents=True)
    for path in src:
        shutil.copy(path, dest / path.name)
    return tmp_path / "people", dest


def test_shipped_openstates_states_import_with_current_roles_only():
    summary = services.import_openstates()
    assert summary["states"] == 3
    assert set(
        Legislator.objects.filter(chamber__startswith="state")
        .values_list("state", flat=True)
        .distinct()
    ) == {"TX", "OH", "MN"}
    # MN Joe Schomacker's role ended 2026-06-21 (data README): not a current legislator.
    assert not Legislator.objects.filter(name__contains="Schomacker").exists()
    assert (
        Legislator.objects.filter(state="TX", chamber=Chamber.STATE_UPPER).count() == 31
    )
    louderback = Legislator.objects.get(
        openstates_id="ocd-person/dd3e49ca-2b2b-4a83-ae63-0ade6ccef73f"
    )
    assert (louderback.chamber, louderback.district, louderback.email) == (
        Chamber.STATE_LOWER,
        "30",
        "aj.louderback@house.texas.gov",
    )
    assert louderback.offices.filter(kind=Office.Kind.CAPITOL).exists()
    victoria = louderback.offices.get(kind=Office.Kind.DISTRICT)
    assert (victoria.city, victoria.zip_code, victoria.label) == (
        "Victoria",
        "77904",
        "Victoria office",
    )


def test_openstates_reimport_retires_people_no_longer_in_the_directory(
    openstates_slice,
):
    root, folder = openstates_slice
    assert services.import_openstates(root=root)["created"] == 5
    assert services.import_openstates(root=root)["unchanged"] == 5
    removed = sorted(folder.glob("*.yml"))[0]
    removed_id = yaml.safe_load(removed.read_text())["id"]
    removed.unlink()
    assert services.import_openstates(root=root)["retired"] == 1
    assert Legislator.objects.get(openstates_id=removed_id).is_current is False


def test_openstates_role_that_ended_is_not_current(openstates_slice):
    root, folder = openstates_slice
    path = sorted(folder.glob("*.yml"))[0]
    person = yaml.safe_load(path.read_text())
    for role in person["roles"]:
        role["end_date"] = "2020-01-01"
    write_yaml(path, person)
    summary = services.import_openstates(root=root)
    assert summary["created"] == 4
    assert summary["not_current"] == 1


def test_malformed_openstates_file_names_person_and_field(openstates_slice):
    root, folder = openstates_slice
    services.import_openstates(root=root)
    before = Legislator.objects.count()
    path = sorted(folder.glob("*.yml"))[2]
    person = yaml.safe_load(path.read_text())
    person["roles"][-1]["start_date"] = "someday"
    write_yaml(path, person)
    with pytest.raises(
        DataFileError, match=rf"{person['id']}: field 'roles\[\d+\].start_date'"
    ):
        services.import_openstates(root=root)
    assert Legislator.objects.count() == before


# --- Safe Harbor and bills ------------------------------------------------------------


def test_safe_harbor_records_keep_source_and_year_and_never_merge_sources():
    summary = services.import_safe_harbor()
    assert summary["states"] == 51
    assert summary["created"] == 51
    mn = SafeHarborLaw.objects.get(state="MN")
    assert (mn.status, mn.source_id, mn.immunity, mn.services) == (
        "full",
        "MN-MDH",
        "yes",
        "yes",
    )
    assert "Other sources: " in mn.notes
    assert "SH2015" in mn.notes
    tx = SafeHarborLaw.objects.get(state="TX")
    assert (tx.status, tx.source_id) == ("partial", "TX-InReBW-2010")
    oh = SafeHarborLaw.objects.get(state="OH")
    assert (oh.status, oh.source_id, oh.as_of) == ("none", "SH2015", "2015")
    assert services.import_safe_harbor()["updated"] == 0


def test_a_state_whose_own_source_records_a_safe_harbor_act_is_not_low_progress():
    import csv

    services.import_safe_harbor()
    with open(importers.SAFE_HARBOR_CSV, encoding="utf-8", newline="") as fh:
        with_act = {
            row["state"]
            for row in csv.DictReader(fh)
            if "safe harbo" in row["law_name_or_citation"].lower()
        }
    assert with_act == {"NY", "FL", "GA", "MN"}
    for law in SafeHarborLaw.objects.filter(state__in=with_act):
        assert law.status != SafeHarborLaw.Status.LOW_PROGRESS, law.state
        assert law.source_id not in importers.GENERIC_SOURCES, law.state
    ny = SafeHarborLaw.objects.get(state="NY")
    assert (ny.status, ny.source_id, ny.as_of) == ("partial", "NY-SOS-447", "2008")
    assert "SH2015 (2015): immunity no" in ny.notes  # kept, not merged
    fl = SafeHarborLaw.objects.get(state="FL")
    assert (fl.status, fl.source_id, fl.services) == (
        "partial",
        "FL-HB99-2012",
        "partial",  # "yes (per bill)"
    )
    assert "enactment not verified" in fl.year


def test_the_undated_table_never_colours_a_state():
    services.import_safe_harbor()
    assert not SafeHarborLaw.objects.filter(source_id="DJ-undated").exists()
    # Shared Hope 2015 could not be read for these states; the undated table's "No"
    # is listed among the other sources, and the colour is unknown.
    for state in ("NV", "UT", "VA", "WV", "WI", "WY"):
        law = SafeHarborLaw.objects.get(state=state)
        assert (law.status, law.source_id) == ("unknown", "SH2015"), state
        assert "DJ-undated (undated): immunity no" in law.notes
    records = importers.parse_safe_harbor()
    assert {r["status"] for r in records.values()} <= set(SafeHarborLaw.Status.values)
    with_source = {
        state: r for state, r in records.items() if r["source_id"] == "DJ-undated"
    }
    assert with_source == {}


@pytest.mark.parametrize(
    ("answers", "status"),
    [
        ({"immunity": "yes", "diversion": "no", "services": "yes"}, "full"),
        ({"immunity": "yes", "diversion": "unknown", "services": "unknown"}, "partial"),
        ({"immunity": "unknown", "diversion": "unknown", "services": "yes"}, "partial"),
        (
            {"immunity": "unknown", "diversion": "unknown", "services": "partial"},
            "partial",
        ),
        ({"immunity": "no", "diversion": "yes", "services": "partial"}, "partial"),
        ({"immunity": "no", "diversion": "unknown", "services": "unknown"}, "none"),
        ({"immunity": "unknown", "diversion": "no", "services": "unknown"}, "unknown"),
    ],
)
def test_derived_status_is_low_progress_only_when_nothing_protective_is_recorded(
    answers, status
):
    assert importers.derive_status(**answers) == status


@pytest.mark.parametrize(
    ("as_of", "end"),
    [
        ("2015", "2015-12-31"),
        ("2025-10", "2025-10-31"),
        ("2011-2016", "2016-12-31"),
        ("2015-2016", "2016-12-31"),
        ("2022-06-30", "2022-06-30"),
        ("undated", None),
        ("", None),
        ("2015-13", None),
        ("2015-02-30", None),
    ],
)
def test_as_of_texts_are_read_as_the_last_day_they_can_mean(as_of, end):
    from legislators.models import as_of_end

    assert (str(as_of_end(as_of)) if as_of_end(as_of) else None) == end


@pytest.mark.parametrize(
    ("as_of", "today", "needs_review"),
    [
        ("2015", "2026-12-01", True),
        ("2021", "2026-12-01", False),  # 2021-12-31 is less than five years ago
        ("2021", "2027-01-01", True),
        ("2021-12-31", "2026-12-31", False),
        ("2021-12-30", "2026-12-31", True),
        ("2011-2016", "2021-06-01", False),
        ("2022-06-30", "2026-12-01", False),
        ("undated", "2026-12-01", True),
        ("2019", "2024-02-29", False),
    ],
)
def test_a_record_needs_review_when_its_source_is_more_than_five_years_old(
    as_of, today, needs_review
):
    import datetime as dt

    law = SafeHarborLaw(state="OH", as_of=as_of)
    assert law.needs_review_on(dt.date.fromisoformat(today)) is needs_review


def test_safe_harbor_reimport_keeps_staff_edits(staff_user):
    services.import_safe_harbor()
    oh = SafeHarborLaw.objects.get(state="OH")
    services.update_safe_harbor(
        law_id=oh.pk, user=staff_user, status="partial", notes="Checked."
    )
    summary = services.import_safe_harbor()
    assert summary["kept_staff_edits"] == 1
    assert SafeHarborLaw.objects.get(state="OH").status == "partial"


def test_malformed_safe_harbor_csv_changes_nothing(tmp_path):
    services.import_safe_harbor()
    text = importers.SAFE_HARBOR_CSV.read_text().replace(
        "\nOH,Ohio,SH2015", "\nOX,Ohio,SH2015"
    )
    bad = tmp_path / "sh.csv"
    bad.write_text(text)
    with pytest.raises(DataFileError, match=r"line \d+: field 'state'"):
        services.import_safe_harbor(path=bad)
    assert SafeHarborLaw.objects.count() == 51


def test_tvpa_bills_import_with_known_actions_once():
    assert services.import_tvpa_bills() == {"created": 3}
    assert services.import_tvpa_bills() == {"created": 0}
    from legislators.models import Bill

    signed = Bill.objects.get(identifier="H.R. 2200")
    assert (signed.session, signed.stage) == ("115", "signed")
    hr5856 = Bill.objects.get(session="118", identifier="H.R. 5856")
    assert hr5856.stage == "passed_one"
    assert [a.date.isoformat() for a in hr5856.actions.all()] == [
        "2024-02-13",
        "2024-02-26",
    ]


@pytest.mark.parametrize(
    ("jurisdiction", "text", "expected"),
    [
        ("US", "hr2200", "H.R. 2200"),
        ("US", "H.R. 2200", "H.R. 2200"),
        ("US", " S  1 ", "S. 1"),
        ("US", "hjres 7", "H.J.Res. 7"),
        ("TX", "hb12", "HB 12"),
        ("TX", "H.B. 0012", "HB 12"),
        ("MN", "SF 2", "SF 2"),
        ("NJ", "A4012b", "A 4012B"),
        ("TX", "HCR 1-2", "HCR 1-2"),
    ],
)
def test_bill_identifiers_are_normalized(jurisdiction, text, expected):
    assert importers.normalize_identifier(jurisdiction, text) == expected


def test_unknown_federal_bill_type_is_refused():
    with pytest.raises(ValueError, match="not a bill of Congress"):
        importers.normalize_identifier("US", "XB 1")


def test_safe_harbor_reimport_records_its_changes_in_the_history(tmp_path):
    from accounts.models import AuditEvent as EditRecord

    services.import_safe_harbor()
    text = importers.SAFE_HARBOR_CSV.read_text().replace(
        "OH,Ohio,SH2015,2015,No,no,", "OH,Ohio,SH2015,2015,Yes,yes,"
    )
    changed = tmp_path / "sh.csv"
    changed.write_text(text)
    assert services.import_safe_harbor(path=changed)["updated"] == 1
    edit = EditRecord.objects.get(object_type="legislators.safeharborlaw")
    assert edit.via == "import"
    assert edit.actor is None
    assert edit.changes["immunity"] == ["no", "yes"]
    # An import's own change is not a staff edit: the next import may change it again.
    assert services.import_safe_harbor()["updated"] == 1


def test_malformed_district_offices_name_the_entry_and_change_nothing(
    tmp_path, small_congress
):
    path, _people = small_congress
    services.import_congress(current_path=path)
    before = Office.objects.count()
    bad = write_yaml(
        tmp_path / "offices.yaml", [{"id": {"bioguide": "D000399"}, "offices": "x"}]
    )
    with pytest.raises(
        DataFileError,
        match=r"offices.yaml: record 1 \(bioguide D000399\): field 'offices'",
    ):
        services.import_congress(current_path=path, offices_path=bad)
    assert Office.objects.count() == before
