"""Load the demo data (safe to run again) and print the demo logins.

Each app that has demo objects provides ``<app>/demo.py`` with ``seed(log)``; they run in
the order of DEMO_APPS, so later apps can use earlier apps' objects.
"""

import importlib
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Chapter, Role, RoleGrant

DEMO_APPS = ["supporters", "legislators", "campaigns", "petitions", "advocacy"]


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
        with transaction.atomic():
            logins = seed_logins(password)
        for email, role in logins:
            self.stdout.write(self.style.SUCCESS(f"{role}: {email} / {password}"))


def seed_logins(password: str) -> list[tuple[str, str]]:
    """A staff admin and a Texas chapter leader, with ``password`` (reset each run)."""
    User = get_user_model()
    wanted = [
        ("staff@example.org", "Staff admin", Role.STAFF_ADMIN, None),
        ("leader.tx@example.org", "Chapter leader (Texas)", Role.CHAPTER_LEADER, "tx"),
    ]
    logins = []
    for email, label, role, state in wanted:
        user, _created = User.objects.get_or_create(email=email)
        user.is_active = True
        user.set_password(password)
        user.save()
        chapter = Chapter.objects.filter(state=state.upper()).first() if state else None
        if state and chapter is None:
            continue
        RoleGrant.objects.get_or_create(user=user, role=role, chapter=chapter)
        logins.append((email, label))
    return logins
