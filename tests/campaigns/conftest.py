# Targeting is computed over the real legislators: reuse the shipped-data slices.
from tests.legislators.conftest import data_slice, districts  # noqa: F401
