"""Votes: a visitor's vote on a distinction, and recounting what moderators' decisions change.

Views, the admin, the benchmark and tests all call these functions, so the rules live in one
place. The stored counts on each distinction are kept equal to its counted vote rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from definitions.models import Comparison, Distinction, Vote
from definitions.moderation import ModerationStatus
from smsn import pagecache as page_cache


class VoteRefused(Exception):
    """The distinction cannot be voted on (gone, or not published)."""


@dataclass(frozen=True)
class VoteOutcome:
    distinction: Distinction
    # The visitor's vote after the action: 1, -1, or 0 for none.
    value: int


def cast_vote(
    *, distinction_id: int, visitor_id: uuid.UUID, ip_hash: str, value: int
) -> VoteOutcome:
    """Record a visitor's vote (1 up, -1 down, 0 withdraw) and update the distinction's counts.

    The distinction's row is locked first, so concurrent votes on it run one after another:
    each adds its change to the stored counts, which therefore always equal the vote rows
    (moderation recounts under the same lock). A vote a moderator voided stays as it is.

    On PostgreSQL a vote cast or changed is one round trip: one call of the function
    `smsn_cast_vote` (migration definitions 0005), which does in the database what the portable
    path does in four queries. A vote withdrawn takes the portable path after that call, so
    Django deletes the vote with whatever points at it (moderators' removal records).
    The returned distinction carries what the vote widget and the redirect need, its comparison
    included, so answering costs no further query.
    """
    if value not in (Vote.Value.UP, Vote.Value.DOWN, 0):
        raise ValueError(f"A vote is 1, -1 or 0, not {value!r}.")
    if connection.vendor == "postgresql":
        outcome = _cast_vote_in_one_statement(distinction_id, visitor_id, ip_hash, value)
    else:
        outcome = _cast_vote_portably(distinction_id, visitor_id, ip_hash, value)
    if outcome is None:
        raise VoteRefused(
            "This distinction cannot be voted on: it is not published (any more). "
            "Nothing was changed."
        )
    return outcome


# What the vote widget, the notice and the redirect to the listing read of the distinction.
OUTCOME_FIELDS = (
    "comparison_id",
    "comparison__slug",
    "source_id",
    "axis_a",
    "axis_b",
    "text_a",
    "created",
    "upvotes",
    "downvotes",
    "score",
)


def _outcome(distinction_id: int, row: tuple, value: int) -> VoteOutcome:
    fields = dict(zip(OUTCOME_FIELDS, row, strict=True))
    comparison = Comparison(pk=fields.pop("comparison_id"), slug=fields.pop("comparison__slug"))
    distinction = Distinction(pk=distinction_id, comparison=comparison, **fields)
    distinction.visitor_vote = value
    return VoteOutcome(distinction, value)


def _cast_vote_in_one_statement(
    distinction_id: int, visitor_id: uuid.UUID, ip_hash: str, value: int
) -> VoteOutcome | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM smsn_cast_vote(%s::bigint, %s::uuid, %s::varchar, %s::smallint)",
            [distinction_id, visitor_id, ip_hash, value],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    *fields, after, changed = row
    if changed is None:
        # A vote withdrawn: the ORM deletes it, with the rows that point at it (on_delete).
        return _cast_vote_portably(distinction_id, visitor_id, ip_hash, value)
    if changed:
        page_cache.bump(fields[0])
    return _outcome(distinction_id, tuple(fields), after)


@transaction.atomic
def _cast_vote_portably(
    distinction_id: int, visitor_id: uuid.UUID, ip_hash: str, value: int
) -> VoteOutcome | None:
    """Cast the vote with the ORM: four queries whatever the number of votes."""
    # Only the columns the answer needs, no ordering: this runs per vote.
    found = list(
        Distinction.objects.select_for_update(of=("self",))
        .filter(pk=distinction_id, status=ModerationStatus.PUBLISHED, comparison__is_published=True)
        .order_by()
        .values_list(*OUTCOME_FIELDS)
    )
    if not found:
        return None
    locked = _outcome(distinction_id, found[0], 0).distinction
    votes = Vote.objects.filter(distinction_id=distinction_id, visitor_id=visitor_id).order_by()
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
    Distinction.objects.filter(pk=distinction_id).update(
        upvotes=locked.upvotes, downvotes=locked.downvotes, score=locked.score
    )
    page_cache.bump(locked.comparison_id)
    locked.visitor_vote = value
    return VoteOutcome(locked, value)


def recount_distinctions(pks: Iterable[int]) -> int:
    """Recompute the stored vote counts of these distinctions; return how many there were.

    Call it inside the transaction that changed the votes (the rows are locked while counting).
    """
    recounted = Distinction.objects.filter(pk__in=list(pks)).recount()
    if recounted:
        page_cache.bump_all()
    return recounted


@transaction.atomic
def delete_votes(*, queryset: QuerySet[Vote]) -> int:
    """Delete votes (a superuser's cleanup) and recount what they were cast on."""
    voted_on = set(queryset.values_list("distinction_id", flat=True))
    deleted, _ = queryset.delete()
    recount_distinctions(voted_on)
    return deleted
