"""Readers' distinctions: adding one, with its spam checks and double-submit safety."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import transaction

from definitions import spam
from definitions.models import Comparison, Distinction
from definitions.moderation import ModerationStatus


@dataclass(frozen=True)
class Submission:
    distinction: Distinction
    # False when the same form had already been sent: nothing new was created.
    created: bool

    @property
    def is_published(self) -> bool:
        return self.distinction.status == ModerationStatus.PUBLISHED


@transaction.atomic
def add_distinction(
    *,
    comparison: Comparison,
    text_a: str,
    text_b: str,
    axis_a: str,
    axis_b: str,
    author_name: str,
    visitor_id: uuid.UUID,
    ip_hash: str,
    submission_token: uuid.UUID,
) -> Submission:
    """Save a reader's distinction: published at once, or held for a moderator if it looks like
    spam. The same submission token twice returns the first distinction and creates nothing."""
    verdict = spam.check(text_a, text_b, axis_a, axis_b, author_name)
    distinction, created = Distinction.objects.get_or_create(
        submission_token=submission_token,
        defaults={
            "comparison": comparison,
            "text_a": text_a,
            "text_b": text_b,
            "axis_a": axis_a,
            "axis_b": axis_b,
            "author_name": author_name,
            "visitor_id": visitor_id,
            "ip_hash": ip_hash,
            "status": ModerationStatus.PENDING if verdict.hold else ModerationStatus.PUBLISHED,
            "moderation_reason": f"Held automatically: {verdict.reason}" if verdict.hold else "",
        },
    )
    return Submission(distinction, created)
