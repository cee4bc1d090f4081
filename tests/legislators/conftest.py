import pytest

from legislators import selectors

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
