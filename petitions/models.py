"""Petitions and signatures (issue #4)."""
