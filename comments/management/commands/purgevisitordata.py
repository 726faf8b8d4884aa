"""Erase visitor ids, IP hashes and email addresses older than the retention period.

Run it daily (cron, a scheduled container); the privacy page and the README promise it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.functions import UUID4
from django.utils import timezone

from comments.models import Comment, Report
from definitions.models import Distinction, DistinctionReport, ExampleAnswer, Placement, Vote

BATCH_SIZE = 1000


@dataclass
class PurgeResult:
    comments: int
    distinctions: int
    reports: int
    votes: int
    placements: int = 0
    answers: int = 0


def _unlink(queryset: models.QuerySet) -> int:
    """Give every row a fresh random visitor id and no IP hash; return how many rows changed.

    Votes and reports need a visitor id (it makes "one per visitor" a constraint), so the id is
    replaced, never cleared: the row still counts but no longer leads back to anybody. Each row
    gets its own id, so no two rows can be linked to each other either.
    """
    if connection.features.supports_uuid4_function:
        # One statement; the database draws a new id per row. Vote.updated (auto_now) is left
        # alone by update(), so a purged vote stays old.
        return queryset.update(visitor_id=UUID4(), ip_hash="")
    changed = 0
    ids = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH_SIZE):
        rows = list(queryset.model.objects.filter(pk__in=ids[start : start + BATCH_SIZE]))
        for row in rows:
            row.visitor_id = uuid.uuid4()
            row.ip_hash = ""
        queryset.model.objects.bulk_update(rows, ["visitor_id", "ip_hash"])
        changed += len(rows)
    return changed


@transaction.atomic
def purge_visitor_data(*, before: datetime) -> PurgeResult:
    """Erase what identifies a visitor from everything created before `before`.

    Comments lose their visitor id, IP hash and email address; reader distinctions their visitor
    id and IP hash. Reports, votes, placements and answers to examples keep counting, under a
    fresh random visitor id. A vote's, placement's or answer's age is its last change, since
    changing it is the visitor coming back.
    """
    identified = Q(visitor_id__isnull=False) | ~Q(ip_hash="")
    comments = Comment.objects.filter(identified | ~Q(author_email=""), created__lt=before).update(
        visitor_id=None, ip_hash="", author_email=""
    )
    distinctions = Distinction.objects.filter(identified, created__lt=before).update(
        visitor_id=None, ip_hash=""
    )
    reports = _unlink(Report.objects.filter(created__lt=before)) + _unlink(
        DistinctionReport.objects.filter(created__lt=before)
    )
    votes = _unlink(Vote.objects.filter(updated__lt=before))
    placements = _unlink(Placement.objects.filter(updated__lt=before))
    answers = _unlink(ExampleAnswer.objects.filter(updated__lt=before))
    return PurgeResult(
        comments=comments,
        distinctions=distinctions,
        reports=reports,
        votes=votes,
        placements=placements,
        answers=answers,
    )


class Command(BaseCommand):
    help = (
        "Erase visitor ids, IP hashes and email addresses older than the retention period "
        "(SMSN_RETENTION_DAYS, or --days)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Keep this many days instead of settings.SMSN_RETENTION_DAYS.",
        )

    def handle(self, *args, days: int | None = None, **options) -> None:
        if days is None:
            days = settings.SMSN_RETENTION_DAYS
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        result = purge_visitor_data(before=timezone.now() - timedelta(days=days))
        self.stdout.write(
            f"Erased visitor data older than {days} days: {result.comments} comments, "
            f"{result.distinctions} distinctions, {result.reports} reports, {result.votes} votes, "
            f"{result.placements} placements, {result.answers} answers to examples."
        )
