import csv

import pytest
import yaml

from legislators import importers, selectors, services

from .fakes import FakeApi


@pytest.fixture
def fake_api():
    api = FakeApi()
    yield api
    api.close()


@pytest.fixture(autouse=True)
def _fresh_zip_index():
    # The per-process crosswalk copy must not leak between tests' databases.
    selectors.reset_zip_index()
    yield
    selectors.reset_zip_index()


SLICE_STATES = {"TX", "CA", "AK", "OH", "AL", "GA", "MS", "DC", "PR", "GU"}
SLICE_ZIPS = {
    *("78701", "94541", "99501", "43215", "35062", "30165", "38852", "76932", "77002"),
    *("20001", "00901"),  # DC and Puerto Rico: no senators, a non-voting member
}


@pytest.fixture(scope="session")
def data_slice(tmp_path_factory):
    """Small slices of the real shipped files: members of Congress from a few states and
    a few ZIPs (single district, split, vacant seat, at-large, two states, DC and Puerto
    Rico)."""
    folder = tmp_path_factory.mktemp("slice")
    with open(importers.CONGRESS_CURRENT, encoding="utf-8") as fh:
        people = yaml.load(fh, Loader=yaml.CSafeLoader)
    current = folder / "legislators-current.yaml"
    current.write_text(
        yaml.safe_dump([p for p in people if p["terms"][-1]["state"] in SLICE_STATES]),
        encoding="utf-8",
    )
    zccd = folder / "zccd.csv"
    with open(importers.ZCCD_CSV, encoding="utf-8", newline="") as src:
        rows = list(csv.reader(src))
    with open(zccd, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(rows[0])
        writer.writerows(row for row in rows[1:] if row[2] in SLICE_ZIPS)
    # Texas state legislators of the districts the fake geocoder answers (upper 14,
    # lower 49), plus a few others.
    people = folder / "openstates" / "data" / "tx" / "legislature"
    people.mkdir(parents=True)
    source = sorted(
        (importers.OPENSTATES_DIR / "data" / "tx" / "legislature").glob("*.yml")
    )
    for index, path in enumerate(source):
        text = path.read_text(encoding="utf-8")
        if index < 5 or "district: '14'" in text or "district: '49'" in text:
            (people / path.name).write_text(text, encoding="utf-8")
    return {"congress": current, "zccd": zccd, "openstates": folder / "openstates"}


@pytest.fixture
def districts(db, data_slice):
    """The slices imported."""
    services.import_congress(current_path=data_slice["congress"])
    services.import_zip_crosswalk(path=data_slice["zccd"])
    services.import_openstates(root=data_slice["openstates"])
    selectors.reset_zip_index()
    return data_slice
