"""Load the demo data (safe to run again) and print a staff login.

Each app that has demo objects provides ``<app>/demo.py`` with ``seed(log)``; they run in
the order of DEMO_APPS, so later apps can use earlier apps' objects.
"""

import importlib
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

DEMO_APPS = ["supporters", "legislators", "campaigns", "petitions"]


class Command(BaseCommand):
    help = (
        "Load demo chapters, supporters, legislators, bills, campaigns and petitions."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", help="staff password (default: a new random one)"
        )

    def handle(self, *args, password: str | None, **options):
        for app in DEMO_APPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            with transaction.atomic():
                module.seed(self.stdout.write)
        password = password or secrets.token_urlsafe(12)
        user, _created = get_user_model().objects.get_or_create(
            username="staff", defaults={"email": "staff@example.org"}
        )
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        self.stdout.write(self.style.SUCCESS(f"Staff login: staff / {password}"))
