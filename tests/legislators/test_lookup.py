"""ZIP and address → districts → legislators, and the targeting rule."""

import pytest

from legislators import geocoder, selectors
from legislators.http import MalformedPayload
from legislators.models import Chamber

from .fakes import fixture

pytestmark = pytest.mark.django_db


def house(result):
    return [s for s in result.seats if s.chamber == Chamber.US_HOUSE]


def test_single_district_zip_gives_two_senators_and_the_representative(districts):
    result = selectors.representation_for(zip_code="78701")
    assert not result.is_ambiguous
    assert result.known_district.code == "TX-37"
    assert [len(s.legislators) for s in result.seats] == [2, 1]
    assert house(result)[0].legislators[0].bioguide_id == "D000399"


def test_split_zip_returns_every_candidate_and_says_so(districts):
    result = selectors.representation_for(zip_code="35062")
    assert result.is_ambiguous
    assert result.known_district is None
    assert [s.district for s in house(result)] == ["AL-04", "AL-06", "AL-07"]
    assert all(len(s.legislators) == 1 for s in house(result))


def test_zip_in_two_states_shows_both_states_senators(districts):
    result = selectors.representation_for(zip_code="30165")
    senate = [s for s in result.seats if s.chamber == Chamber.US_SENATE]
    assert [s.state for s in senate] == ["AL", "GA"]


@pytest.mark.parametrize(("zip_code", "seat"), [("94541", "CA-14"), ("76932", "TX-23")])
def test_vacant_seat_is_an_empty_seat_not_a_missing_one(districts, zip_code, seat):
    result = selectors.representation_for(zip_code=zip_code)
    (only,) = house(result)
    assert only.district == seat
    assert only.is_vacant


def test_at_large_is_district_zero(districts):
    result = selectors.representation_for(zip_code="99501")
    assert result.known_district.code == "AK-00"
    assert house(result)[0].district == "AK-AL"
    assert len(house(result)[0].legislators) == 1


@pytest.mark.parametrize(
    ("zip_code", "place", "bioguide_id", "title"),
    [
        ("20001", "District of Columbia", "N000147", "Delegate"),
        ("00901", "Puerto Rico", "H001103", "Resident Commissioner"),
    ],
)
def test_dc_and_puerto_rico_have_no_senate_seat_and_a_non_voting_member(
    districts, zip_code, place, bioguide_id, title
):
    result = selectors.representation_for(zip_code=zip_code)
    assert [s.chamber for s in result.seats] == [Chamber.US_HOUSE]
    assert result.places_without_senators == [place]
    (seat,) = result.seats
    assert not seat.is_vacant
    assert seat.member_title == title
    (member,) = seat.legislators
    assert (member.bioguide_id, member.title) == (bioguide_id, title)


def test_states_have_senators_and_representatives(districts):
    result = selectors.representation_for(zip_code="78701")
    assert result.places_without_senators == []
    assert [s.member_title for s in result.seats] == ["Senator", "Representative"]
    senators, (rep,) = result.seats[0].legislators, result.seats[1].legislators
    assert {x.title for x in senators} == {"Senator"}
    assert rep.title_and_name == "Representative Lloyd Doggett"


@pytest.mark.parametrize(
    ("chamber", "state", "title"),
    [
        (Chamber.US_SENATE, "TX", "Senator"),
        (Chamber.US_HOUSE, "TX", "Representative"),
        (Chamber.US_HOUSE, "AK", "Representative"),
        (Chamber.US_HOUSE, "DC", "Delegate"),
        (Chamber.US_HOUSE, "PR", "Resident Commissioner"),
        (Chamber.US_HOUSE, "GU", "Delegate"),
        (Chamber.US_HOUSE, "VI", "Delegate"),
        (Chamber.US_HOUSE, "AS", "Delegate"),
        (Chamber.US_HOUSE, "MP", "Delegate"),
        (Chamber.STATE_UPPER, "TX", "State senator"),
        (Chamber.STATE_UPPER, "NE", "State senator"),
        (Chamber.STATE_UPPER, "DC", "Councilmember"),
        (Chamber.STATE_LOWER, "PR", "State representative"),
    ],
)
def test_member_title_names_each_kind_of_seat(chamber, state, title):
    from legislators.models import member_title

    assert member_title(chamber, state) == title


def test_unknown_zip_is_none(districts):
    assert selectors.representation_for(zip_code="00000") is None


def test_in_memory_and_indexed_lookups_agree(districts):
    for zip_code in ("78701", "35062", "30165", "00000"):
        assert selectors.districts_for_zip(
            zip_code
        ) == selectors.districts_for_zip_query(zip_code)


@pytest.fixture
def census(fake_api, settings):
    settings.CENSUS_GEOCODER_URL = fake_api.url + "/geocoder"
    fake_api.serve(
        "/geocoder/geographies/onelineaddress", fixture("census-geocoder/match.json")
    )
    return fake_api


def test_address_resolves_congressional_and_state_districts(districts, census):
    result = selectors.representation_for(zip_code="78701", address="1100 Congress Ave")
    assert result.geocoded
    titles = {
        (s.chamber, s.district): [x.name for x in s.legislators] for s in result.seats
    }
    assert titles[(Chamber.STATE_UPPER, "14")] == ["Sarah Eckhardt"]
    assert titles[(Chamber.STATE_LOWER, "49")] == ["Gina Hinojosa"]
    query = census.requests[0]["query"]
    assert query["address"] == ["1100 Congress Ave, 78701"]
    assert query["benchmark"] == ["Public_AR_Current"]


def test_geocoder_parses_at_large_and_no_match(census):
    payload = (
        fixture("census-geocoder/match.json")
        .decode()
        .replace('"CD119": "37"', '"CD119": "00"')
    )
    census.serve("/geocoder/geographies/onelineaddress", payload)
    assert geocoder.geocode_address("x").congressional == 0
    census.serve(
        "/geocoder/geographies/onelineaddress", {"result": {"addressMatches": []}}
    )
    assert geocoder.geocode_address("nowhere") is None
    census.serve("/geocoder/geographies/onelineaddress", {"result": {}})
    with pytest.raises(MalformedPayload, match="addressMatches"):
        geocoder.geocode_address("x")


def test_geocoder_failure_falls_back_to_every_zip_candidate(districts, census):
    census.serve("/geocoder/geographies/onelineaddress", {"error": "down"}, status=500)
    result = selectors.representation_for(zip_code="35062", address="1 Main St")
    assert result.geocoder_failed
    assert result.is_ambiguous


def test_geocoding_off_when_url_is_empty(districts, settings, fake_api):
    settings.CENSUS_GEOCODER_URL = ""
    result = selectors.representation_for(zip_code="35062", address="1 Main St")
    assert result.is_ambiguous
    assert result.address_unused
    assert not fake_api.requests


def test_a_chosen_district_settles_a_split_zip(districts, settings):
    settings.CENSUS_GEOCODER_URL = ""
    result = selectors.representation_for(zip_code="35062", district="AL-06")
    assert not result.is_ambiguous
    assert result.chosen_district == selectors.District("AL", 6)
    assert [d.code for d in result.zip_districts] == ["AL-04", "AL-06", "AL-07"]
    assert [s.district for s in house(result)] == ["AL-06"]
    other = selectors.representation_for(zip_code="35062", district="AL-05")
    assert other.is_ambiguous
    assert other.district_not_in_zip
    assert other.chosen_district is None
    # A ZIP with one district has nothing to choose.
    single = selectors.representation_for(zip_code="78701", district="TX-10")
    assert single.known_district.code == "TX-37"
    assert not single.district_not_in_zip


def _office(kind, city, zip_code="", location=None, phone="1"):
    from legislators.models import Office

    lat, lon = location or (None, None)
    return Office(
        kind=kind,
        city=city,
        zip_code=zip_code,
        latitude=lat,
        longitude=lon,
        phone=phone,
    )


def test_offices_are_nearest_first_after_the_first_comes_the_washington_office():
    dc = _office("dc", "Washington")
    austin = _office("district", "Austin", "78701", (30.27, -97.74))
    dallas = _office("district", "Dallas", "75244", (32.94, -96.84))
    houston = _office("district", "Houston", "77007", (29.76, -95.42))
    no_phone = _office("district", "Waco", "76701", (31.55, -97.15), phone="")
    offices = [dc, austin, dallas, no_phone, houston]
    near_dallas = (32.78, -96.80)
    assert selectors.offices_nearest_first(offices, origin=near_dallas) == [
        dallas,
        dc,
        austin,
        houston,
    ]
    near_houston = (29.75, -95.36)
    assert selectors.offices_nearest_first(offices, origin=near_houston)[:2] == [
        houston,
        dc,
    ]


def test_without_a_location_offices_in_the_zip_area_come_first():
    dc = _office("dc", "Washington")
    austin = _office("district", "Austin", "78701")
    houston = _office("district", "Houston", "77007")
    unplaced = _office("district", "Houston", "77002")  # same ZIP area, no position
    placed = _office("district", "Tyler", "75702", (32.35, -95.30))
    offices = [dc, austin, houston, placed, unplaced]
    assert selectors.offices_nearest_first(offices, origin=None, zip_code="77010") == [
        houston,
        dc,
        unplaced,
        austin,
        placed,
    ]
    # With an origin, offices with a position come before those without one.
    ordered = selectors.offices_nearest_first(
        offices, origin=(29.75, -95.36), zip_code="77010"
    )
    assert ordered[:3] == [placed, dc, houston]


def test_a_zip_location_is_the_mean_of_its_offices_else_of_its_zip_area(districts):
    # 77002 (downtown Houston): the mean of the offices the data places in 77002.
    lat, lon = selectors.zip_location("77002")
    assert lat == pytest.approx(29.76, abs=0.01)
    assert lon == pytest.approx(-95.36, abs=0.01)
    # 77010 has no office: the mean of the Houston-area (770) offices.
    lat, lon = selectors.zip_location("77010")
    assert lat == pytest.approx(29.8, abs=0.15)
    assert lon == pytest.approx(-95.4, abs=0.15)
    assert selectors.zip_location("00000") is None
    assert selectors.zip_location("7") is None


def test_a_zip_with_no_office_of_its_own_is_placed_by_its_area_and_districts(
    districts,
):
    # 35062 (Dora, AL) has no office; its ZIP area (350) has one, in Cullman, which
    # alone would make Huntsville the senators' nearest office. With the offices of its
    # three House members it lands near Birmingham.
    lat, lon = selectors.zip_location("35062")
    assert (round(lat, 2), round(lon, 2)) == (34.18, -86.84)  # Cullman alone
    result = selectors.representation_for(zip_code="35062")
    first = {
        leg.last_name: leg.contact_offices[0].city
        for seat in result.seats
        for leg in seat.legislators
    }
    assert first == {
        "Britt": "Birmingham",
        "Tuberville": "Birmingham",
        "Aderholt": "Jasper",
        "Palmer": "Birmingham",
        "Sewell": "Birmingham",
    }
