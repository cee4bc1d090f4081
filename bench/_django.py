"""Shared start-up for in-process benchmarks: environment, ``django.setup()``, migrations.

Uses a fresh var directory (its own SQLite database) unless HARBOR_VAR_DIR or DATABASE_URL
say otherwise.
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    """Configure and start Django for a benchmark, then migrate its database."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("HARBOR_VAR_DIR", tempfile.mkdtemp(prefix="harbor-bench-"))
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harbor.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
