"""What visitors do that writes more than one row: vote on a distinction, add a distinction.

Views, the admin and tests all call these functions, so the rules live in one place.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from definitions import cache as page_cache
from definitions import spam
from definitions.models import Comparison, Distinction, Vote
from definitions.moderation import ModerationStatus


class VoteRefused(Exception):
    """The distinction cannot be voted on (gone, or not published)."""


@dataclass(frozen=True)
class VoteOutcome:
    distinction: Distinction
    # The visitor's vote after the action: 1, -1, or 0 for none.
    value: int


@transaction.atomic
def cast_vote(
    *, distinction_id: int, visitor_id: uuid.UUID, ip_hash: str, value: int
) -> VoteOutcome:
    """Record a visitor's vote (1 up, -1 down, 0 withdraw) and update the distinction's counts.

    The distinction's row is found and locked in one query, so concurrent votes on it run one
    after another: each adds its change to the stored counts, which therefore always equal the
    vote rows (moderation recounts under the same lock). A vote a moderator voided stays as it
    is. Four queries whatever the number of votes.
    """
    if value not in (Vote.Value.UP, Vote.Value.DOWN, 0):
        raise ValueError(f"A vote is 1, -1 or 0, not {value!r}.")
    # Only the columns the vote widget and the counts need, no ordering: this runs per vote.
    fields = ("id", "comparison_id", "axis_a", "axis_b", "text_a", "upvotes", "downvotes")
    found = list(
        Distinction.objects.select_for_update(of=("self",))
        .filter(pk=distinction_id, status=ModerationStatus.PUBLISHED, comparison__is_published=True)
        .order_by()
        .values_list(*fields)
    )
    if not found:
        raise VoteRefused(
            "This distinction cannot be voted on: it is not published (any more). "
            "Nothing was changed."
        )
    locked = Distinction(**dict(zip(fields, found[0], strict=True)))
    votes = Vote.objects.filter(distinction_id=locked.pk, visitor_id=visitor_id).order_by()
    # One row at most: a visitor has one vote per distinction (a unique constraint).
    existing = list(votes.values_list("pk", "value", "is_void"))
    vote_pk, before, is_void = existing[0] if existing else (None, 0, False)
    if is_void or value == before:
        locked.visitor_vote = before
        return VoteOutcome(locked, before)
    if value == 0:
        votes.delete()
    elif vote_pk is None:
        Vote.objects.create(distinction=locked, visitor_id=visitor_id, ip_hash=ip_hash, value=value)
    else:
        votes.update(value=value, ip_hash=ip_hash, updated=timezone.now())
    locked.add_vote_change(before, value)
    # update(), not save(): only the counts change, and the page's version is bumped here.
    Distinction.objects.filter(pk=locked.pk).update(
        upvotes=locked.upvotes, downvotes=locked.downvotes, score=locked.score
    )
    page_cache.bump(locked.comparison_id)
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
