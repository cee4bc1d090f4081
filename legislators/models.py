"""Legislators, districts and bills (issue #3)."""
