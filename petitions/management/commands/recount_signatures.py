"""Rebuild petition counters from the confirmed signatures (after a restore or a manual
fix). Safe to run again; run it when no one is signing, or expect a few off."""

from django.core.management.base import BaseCommand

from petitions.models import Petition
from petitions.services import recount_signatures


class Command(BaseCommand):
    help = "Rebuild the sharded signature counters from the confirmed signatures."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="petition slugs (default: all)")

    def handle(self, *args, slugs: list[str], **options):
        petitions = Petition.objects.all()
        if slugs:
            petitions = petitions.filter(slug__in=slugs)
        for petition in petitions.order_by("pk"):
            total = recount_signatures(petition_id=petition.pk)
            self.stdout.write(f"{petition.slug}: {total}")
