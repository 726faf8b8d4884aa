"""Load the comparisons and source articles shipped with smsn, with their original comments."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from comments.seeding import import_original_comments
from definitions.seeding import load_comparison, read_seed, seed_files


class Command(BaseCommand):
    help = "Load (or refresh) the shipped sources idempotently; visitors' data is never touched."

    def handle(self, *args, **options) -> None:
        for path in seed_files():
            with transaction.atomic():
                result = load_comparison(read_seed(path))
                new_comments = sum(
                    import_original_comments(source, data["comments"])
                    for source, data in result.sources
                )
            self.stdout.write(
                f"{result.comparison}: {len(result.sources)} sources, "
                f"{new_comments} new original comments"
            )
