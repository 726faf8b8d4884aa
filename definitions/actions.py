"""What visitors do that writes more than one row: vote on a distinction, add a distinction.

Views, the admin and tests all call these functions, so the rules live in one place.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import transaction

from definitions import spam
from definitions.models import Comparison, Distinction, ModerationStatus, Vote


class VoteRefused(Exception):
    """The distinction cannot be voted on (not published, or gone)."""


@dataclass(frozen=True)
class VoteOutcome:
    distinction: Distinction
    # The visitor's vote after the action: 1, -1, or 0 for none.
    value: int


@transaction.atomic
def cast_vote(
    *, distinction: Distinction, visitor_id: uuid.UUID, ip_hash: str, value: int
) -> VoteOutcome:
    """Record a visitor's vote (1 up, -1 down, 0 withdraw) and update the distinction's counts.

    The distinction's row is locked first, so concurrent votes on it run one after another and
    the stored counts always equal the vote rows. A vote a moderator voided stays as it is.
    """
    if value not in (Vote.Value.UP, Vote.Value.DOWN, 0):
        raise ValueError(f"A vote is 1, -1 or 0, not {value!r}.")
    try:
        locked = Distinction.objects.select_for_update().get(pk=distinction.pk)
    except Distinction.DoesNotExist as exc:
        raise VoteRefused("This distinction no longer exists.") from exc
    if locked.status != ModerationStatus.PUBLISHED:
        raise VoteRefused("Only published distinctions can be voted on.")

    vote = Vote.objects.filter(distinction=locked, visitor_id=visitor_id).first()
    if vote is not None and vote.is_void:
        locked.visitor_vote = vote.value
        return VoteOutcome(locked, vote.value)
    if value == 0:
        if vote is not None:
            vote.delete()
    elif vote is None:
        Vote.objects.create(distinction=locked, visitor_id=visitor_id, ip_hash=ip_hash, value=value)
    elif vote.value != value:
        vote.value = value
        vote.ip_hash = ip_hash
        vote.save(update_fields=["value", "ip_hash", "updated"])

    locked.recount()
    locked.save(update_fields=["upvotes", "downvotes", "score"])
    locked.visitor_vote = value
    return VoteOutcome(locked, value)


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
