"""Districts carry their Congress: a 120th-Congress crosswalk loaded beside the 119th
takes over on its date, and the lookups keep their interface."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from legislators import selectors, services
from legislators.models import SyncRun, ZipDistrict, congress_start

pytestmark = pytest.mark.django_db

BEFORE = dt.date(2027, 1, 2)
ON = dt.date(2027, 1, 3)


def _csv(tmp_path, name, *lines):
    path = tmp_path / name
    path.write_text("state_fips,state_abbr,zcta,cd\n" + "\n".join(lines) + "\n")
    return path


@pytest.fixture
def two_maps(tmp_path):
    # 78701 moves from TX-37 to TX-10; 35062 stops being split.
    services.import_zip_crosswalk(
        path=_csv(
            tmp_path, "119.csv", "48,TX,78701,37", "01,AL,35062,4", "01,AL,35062,6"
        )
    )
    call_command(
        "import_zip_crosswalk",
        "--congress",
        "120",
        "--path",
        str(_csv(tmp_path, "120.csv", "48,TX,78701,10", "01,AL,35062,6")),
    )
    selectors.reset_zip_index()


def test_the_shipped_crosswalk_is_the_119th_congress(tmp_path):
    services.import_zip_crosswalk(path=_csv(tmp_path, "z.csv", "48,TX,78701,37"))
    assert list(ZipDistrict.objects.values_list("congress", flat=True)) == [119]
    [district] = selectors.districts_for_zip("78701")
    assert (district.label, district.congress) == ("TX-37", 119)
    assert SyncRun.objects.get(kind="import_zip_crosswalk").summary["congress"] == 119


def test_a_second_congress_is_loaded_beside_the_first(two_maps):
    assert ZipDistrict.objects.filter(congress=119).count() == 3
    assert ZipDistrict.objects.filter(congress=120).count() == 2


def test_the_lookup_switches_to_the_120th_on_january_3_2027(two_maps):
    for lookup in (selectors.districts_for_zip, selectors.districts_for_zip_query):
        assert [d.label for d in lookup("78701", on=BEFORE)] == ["TX-37"]
        assert [d.label for d in lookup("35062", on=BEFORE)] == ["AL-04", "AL-06"]
        assert [d.label for d in lookup("78701", on=ON)] == ["TX-10"]
        assert [d.congress for d in lookup("35062", on=ON)] == [120]
    assert selectors.zip_congress(on=BEFORE) == 119
    assert selectors.zip_congress(on=ON) == 120


def test_a_switch_date_from_the_setting_moves_the_change(two_maps, settings):
    settings.HARBOR_CONGRESS_SWITCHES = {120: dt.date(2027, 2, 1)}
    assert congress_start(120) == dt.date(2027, 2, 1)
    assert [d.label for d in selectors.districts_for_zip("78701", on=ON)] == ["TX-37"]
    assert [
        d.label for d in selectors.districts_for_zip("78701", on=dt.date(2027, 2, 1))
    ] == ["TX-10"]


def test_without_a_dated_argument_the_lookup_uses_today(two_maps, settings):
    # Today (2026-12) is before the 120th Congress; move its switch into the past.
    settings.HARBOR_CONGRESS_SWITCHES = {120: dt.date(2020, 1, 1)}
    assert [d.label for d in selectors.districts_for_zip("78701")] == ["TX-10"]
    settings.HARBOR_CONGRESS_SWITCHES = {120: dt.date(2999, 1, 1)}
    assert [d.label for d in selectors.districts_for_zip("78701")] == ["TX-37"]


def test_a_crosswalk_of_a_future_congress_alone_is_used(tmp_path):
    # Nothing else is loaded: the newest map there is beats no answer.
    services.import_zip_crosswalk(
        path=_csv(tmp_path, "121.csv", "48,TX,78701,9"), congress=121
    )
    assert [d.label for d in selectors.districts_for_zip("78701", on=BEFORE)] == [
        "TX-09"
    ]


def test_reimporting_one_congress_leaves_the_other_alone(two_maps, tmp_path):
    summary = services.import_zip_crosswalk(
        path=_csv(tmp_path, "120b.csv", "48,TX,78701,10"), congress=120
    )
    assert summary["removed"] == 1
    assert ZipDistrict.objects.filter(congress=119).count() == 3


def test_the_representation_carries_the_congress_of_its_districts(two_maps):
    # Petitions and advocacy call these without a date and need no change.
    result = selectors.representation_for(zip_code="78701")
    assert result.known_district.label == "TX-37"
    assert result.known_district.congress == 119


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--congress", "0"], "not a Congress number"),
        (["--path", "/nonexistent.csv"], "is not a file"),
    ],
)
def test_the_command_refuses_bad_arguments(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("import_zip_crosswalk", *args)


def test_the_command_refuses_a_malformed_file_and_changes_nothing(two_maps, tmp_path):
    bad = _csv(tmp_path, "bad.csv", "48,TX,787,10")
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import_zip_crosswalk", "--congress", "120", "--path", str(bad))
    assert ZipDistrict.objects.filter(congress=120).count() == 2
