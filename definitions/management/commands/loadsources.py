"""Load the comparisons and source articles shipped with smsn, with their original comments."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from definitions.seeding import load_comparison, read_seed, seed_files
from definitions.signals import source_imported


class Command(BaseCommand):
    help = "Load (or refresh) the shipped sources idempotently; visitors' data is never touched."

    def handle(self, *args, **options) -> None:
        for path in seed_files():
            with transaction.atomic():
                result = load_comparison(read_seed(path))
                # The original comments go to the comments app the way the intake's do.
                new_comments = sum(
                    int(created or 0)
                    for source, data in result.sources
                    for _, created in source_imported.send(
                        sender=self.__class__, source=source, comments=data["comments"]
                    )
                )
            self.stdout.write(
                f"{result.comparison}: {len(result.sources)} sources, "
                f"{new_comments} new original comments"
            )
