"""The alerts app's chapter, leader and member fixtures, for the CSP browser test."""

from tests.alerts.conftest import (  # noqa: F401 (fixtures used by name)
    _alert_settings,
    leader,
    texans,
    texas,
)
