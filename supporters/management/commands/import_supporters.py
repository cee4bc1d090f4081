"""Import supporters from a CSV file: ``manage.py import_supporters FILE [--chapter SLUG]``."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Chapter
from supporters import importing
from supporters.models import SupporterImport


class Command(BaseCommand):
    help = (
        "Import supporters from a CSV file (validated whole; nothing changes on error)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--chapter", help="slug of a chapter to add everyone to")
        parser.add_argument("--tag", default="", help="a tag to add to everyone")
        parser.add_argument(
            "--queue",
            action="store_true",
            help="queue the import for a Celery worker instead of running it here",
        )

    def handle(
        self, *args, path: Path, chapter: str | None, tag: str, queue: bool, **options
    ):
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        chapter_obj = None
        if chapter:
            chapter_obj = Chapter.objects.filter(slug=chapter).first()
            if chapter_obj is None:
                raise CommandError(f"No chapter with slug {chapter!r}.")
        try:
            supporter_import = importing.create_import(
                file_name=path.name,
                content=content,
                chapter=chapter_obj,
                tag=tag,
                enqueue=queue,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if queue:
            self.stdout.write(f"Queued import #{supporter_import.pk}.")
            return
        result = importing.run_import(import_id=supporter_import.pk) or supporter_import
        if result.status != SupporterImport.Status.DONE:
            for error in result.errors:
                self.stderr.write(f"line {error['line']}: {error['reason']}")
            raise CommandError(
                f"Import #{result.pk} rejected: {result.error_count} bad row(s); "
                "nothing was imported."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Import #{result.pk}: {result.total_rows} rows, "
                f"{result.created_count} new, {result.updated_count} updated."
            )
        )
