"""Moderation that spans both apps: everything one visitor left, removing it, and undoing that.

The decisions themselves (publish, hold, remove, mark as spam) and the one status and visibility
rule live in definitions/moderation.py; this module adds what needs comments too: a visitor's
footprint (comments, distinctions, votes and placements found by visitor id, or by the hash of
the network too)
and "remove everything from this visitor", recorded as a `VisitorRemoval` so that
`undo_removal` can put every row back. The admin reaches both pages by their URL names.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import batched
from typing import Any

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import models, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from comments.models import Comment, RemovalScope, RemovedRow, VisitorRemoval
from definitions.examples import recount_examples
from definitions.models import Distinction, ExampleAnswer, Placement, Vote
from definitions.moderation import (
    HIDDEN,
    UPDATE_BATCH,
    Identities,
    ModerationStatus,
    log_message,
    set_status,
)
from definitions.placements import recount_dimensions
from definitions.votes import recount_distinctions
from smsn import pagecache as page_cache


@dataclass(frozen=True)
class Counts:
    """How many rows of each kind a removal touches (or touched, or puts back)."""

    comments: int
    distinctions: int
    votes: int
    # The distinctions whose vote counts change.
    recounted: int
    placements: int = 0
    # The points whose placement counts change.
    recounted_points: int = 0
    # Answers to examples ("Is YouTube social media…?"): voided like votes.
    answers: int = 0

    def __bool__(self) -> bool:
        return bool(
            self.comments or self.distinctions or self.votes or self.placements or self.answers
        )


class VisitorFootprint(Identities):
    """Everything some visitors left, found by their visitor ids or by their networks' hashes."""

    def within(self, scope: str) -> VisitorFootprint:
        """Return the part a removal of this scope reaches: the visitor ids alone by default,
        or everyone on the visitors' networks too."""
        if scope == RemovalScope.NETWORK:
            return self
        return VisitorFootprint(self.visitor_ids, frozenset())

    def _filter(self, queryset: QuerySet) -> QuerySet:
        if not self:
            return queryset.none()
        q = Q()
        if self.visitor_ids:
            q |= Q(visitor_id__in=self.visitor_ids)
        if self.ip_hashes:
            q |= Q(ip_hash__in=self.ip_hashes)
        return queryset.filter(q)

    def comments(self) -> QuerySet[Comment]:
        """Return the visitors' comments that are still shown or waiting to be."""
        return self._filter(Comment.objects.exclude(status__in=HIDDEN))

    def distinctions(self) -> QuerySet[Distinction]:
        """Return the visitors' distinctions that are still shown or waiting to be."""
        return self._filter(Distinction.objects.exclude(status__in=HIDDEN))

    def votes(self) -> QuerySet[Vote]:
        """Return the visitors' votes that still count."""
        return self._filter(Vote.objects.counted())

    def placements(self) -> QuerySet[Placement]:
        """Return the visitors' placements that still count."""
        return self._filter(Placement.objects.counted())

    def answers(self) -> QuerySet[ExampleAnswer]:
        """Return the visitors' answers to examples that still count."""
        return self._filter(ExampleAnswer.objects.counted())

    def counts(self) -> Counts:
        """Return how many rows of each kind removing this footprint would touch."""
        votes = self.votes()
        placements = self.placements()
        return Counts(
            comments=self.comments().count(),
            distinctions=self.distinctions().count(),
            votes=votes.count(),
            recounted=votes.order_by().values("distinction").distinct().count(),
            placements=placements.count(),
            recounted_points=placements.order_by().values("dimension").distinct().count(),
            answers=self.answers().count(),
        )


@dataclass(frozen=True)
class Removal:
    # None when the footprint held nothing to remove (nothing is recorded then).
    record: VisitorRemoval | None
    comments: int
    distinctions: int
    votes: int
    recounted: int
    placements: int = 0
    recounted_points: int = 0
    answers: int = 0


def removal_log_action(scope: str, removal: VisitorRemoval) -> str:
    """Return the start of the admin log text for the rows one removal changed."""
    whose = "network" if scope == RemovalScope.NETWORK else "visitor"
    return f"Removed with everything else from this {whose} (removal {removal.pk})"


@transaction.atomic
def remove_visitor_content(
    *,
    footprint: VisitorFootprint,
    user: Any,
    scope: str = RemovalScope.VISITOR,
    reason: str = "",
) -> Removal:
    """Remove every comment and distinction of a visitor and void their votes and placements.

    By default only the visitor ids count; with the network scope, every row from the same
    IP-network hashes too. The distinctions voted on and the points placed are recounted, so
    the voided votes and placements stop counting at once. What changed is recorded
    (`VisitorRemoval`) for `undo_removal`.
    """
    reach = footprint.within(scope)
    comments = list(reach.comments().order_by("pk"))
    distinctions = list(reach.distinctions().order_by("pk"))
    votes = list(reach.votes().order_by("pk"))
    placements = list(reach.placements().order_by("pk"))
    answers = list(reach.answers().order_by("pk"))
    if not (comments or distinctions or votes or placements or answers):
        return Removal(record=None, comments=0, distinctions=0, votes=0, recounted=0)

    record = VisitorRemoval.objects.create(
        scope=scope,
        moderator=user,
        reason=reason,
        comments=len(comments),
        distinctions=len(distinctions),
        votes=len(votes),
        placements=len(placements),
        answers=len(answers),
    )
    RemovedRow.objects.bulk_create(
        [
            *(_removed_row(record, comment=row) for row in comments),
            *(_removed_row(record, distinction=row) for row in distinctions),
            *(RemovedRow(removal=record, vote=vote) for vote in votes),
            *(RemovedRow(removal=record, placement=placement) for placement in placements),
            *(RemovedRow(removal=record, answer=answer) for answer in answers),
        ]
    )
    action = removal_log_action(scope, record)
    removed: list[tuple[type[models.Model], list[Any]]] = [
        (Comment, comments),
        (Distinction, distinctions),
    ]
    for model, rows in removed:
        set_status(
            model,
            rows,
            status=ModerationStatus.REMOVED,
            user=user,
            reason=reason,
            log=log_message(action, reason),
        )
    voided = log_message(action.replace("Removed", "Voided", 1), reason)
    _set_void(Vote, votes, void=True, user=user, message=voided)
    recounted = recount_distinctions({vote.distinction_id for vote in votes})
    _set_void(Placement, placements, void=True, user=user, message=voided)
    recounted_points = recount_dimensions({p.dimension_id for p in placements})
    _set_void(ExampleAnswer, answers, void=True, user=user, message=voided)
    recount_examples({answer.example_id for answer in answers})
    return Removal(
        record=record,
        comments=len(comments),
        distinctions=len(distinctions),
        votes=len(votes),
        recounted=recounted,
        placements=len(placements),
        recounted_points=recounted_points,
        answers=len(answers),
    )


def _removed_row(removal: VisitorRemoval, **row: Comment | Distinction) -> RemovedRow:
    [obj] = row.values()
    return RemovedRow(
        removal=removal,
        previous_status=obj.status,
        previous_moderated_by_id=obj.moderated_by_id,
        previous_moderated_at=obj.moderated_at,
        previous_reason=obj.moderation_reason,
        **row,
    )


class AlreadyUndone(Exception):
    """The removal was undone already; undoing it twice would undo later decisions."""


def undo_counts(removal: VisitorRemoval) -> Counts:
    """Return what undoing the removal would put back now, in one query.

    Only rows still as the removal left them count: a comment or distinction still removed, a
    vote or placement still void. A moderator's later decision on a row stands.
    """
    found = removal.rows.aggregate(
        comments=Count("pk", filter=Q(comment__status=ModerationStatus.REMOVED)),
        distinctions=Count("pk", filter=Q(distinction__status=ModerationStatus.REMOVED)),
        votes=Count("pk", filter=Q(vote__is_void=True)),
        recounted=Count("vote__distinction", filter=Q(vote__is_void=True), distinct=True),
        placements=Count("pk", filter=Q(placement__is_void=True)),
        recounted_points=Count(
            "placement__dimension", filter=Q(placement__is_void=True), distinct=True
        ),
        answers=Count("pk", filter=Q(answer__is_void=True)),
    )
    return Counts(**found)


@transaction.atomic
def undo_removal(*, removal: VisitorRemoval, user: Any, reason: str = "") -> Counts:
    """Put back what a removal changed, record who undid it, and return what was put back.

    Each comment and distinction it removed that is still removed gets back its previous
    status and decision (who, when, why); each vote or placement it voided that is still void
    counts again, and the distinctions and points they are on are recounted. Rows a moderator
    decided on since stay as that decision left them.
    """
    locked = VisitorRemoval.objects.select_for_update().get(pk=removal.pk)
    if locked.undone_at is not None:
        raise AlreadyUndone(f"Removal {locked.pk} was undone already; nothing changed.")
    log = log_message(f"Put back by undoing removal {locked.pk}", reason)
    rows = locked.rows.order_by("pk")
    comments = _put_back(
        Comment,
        list(rows.filter(comment__status=ModerationStatus.REMOVED).select_related("comment")),
        "comment",
        user=user,
        log=log,
    )
    distinctions = _put_back(
        Distinction,
        list(
            rows.filter(distinction__status=ModerationStatus.REMOVED).select_related("distinction")
        ),
        "distinction",
        user=user,
        log=log,
    )
    votes = [
        row.vote
        for row in rows.filter(vote__is_void=True).select_related("vote")
        if row.vote is not None
    ]
    counted = log_message(f"Counted again by undoing removal {locked.pk}", reason)
    _set_void(Vote, votes, void=False, user=user, message=counted)
    recounted = recount_distinctions({vote.distinction_id for vote in votes})
    placements = [
        row.placement
        for row in rows.filter(placement__is_void=True).select_related("placement")
        if row.placement is not None
    ]
    _set_void(Placement, placements, void=False, user=user, message=counted)
    recounted_points = recount_dimensions({p.dimension_id for p in placements})
    answers = [
        row.answer
        for row in rows.filter(answer__is_void=True).select_related("answer")
        if row.answer is not None
    ]
    _set_void(ExampleAnswer, answers, void=False, user=user, message=counted)
    recount_examples({answer.example_id for answer in answers})
    if comments or distinctions:
        # queryset.update() sends no signals: the cached comparison pages start anew here.
        page_cache.bump_all()
    locked.undone_by = user
    locked.undone_at = timezone.now()
    locked.save(update_fields=["undone_by", "undone_at"])
    return Counts(
        comments=comments,
        distinctions=distinctions,
        votes=len(votes),
        recounted=recounted,
        placements=len(placements),
        recounted_points=recounted_points,
        answers=len(answers),
    )


def _set_void(
    model: type[models.Model], rows: list[Any], *, void: bool, user: Any, message: str
) -> None:
    """Void (or count again) these votes, placements or answers, in batches, and log it."""
    for batch in batched([row.pk for row in rows], UPDATE_BATCH):
        model._default_manager.filter(pk__in=batch).update(is_void=void)
    if rows:
        LogEntry.objects.log_actions(user.pk, rows, CHANGE, message)


def _put_back(
    model: type[models.Model], rows: list[RemovedRow], field: str, *, user: Any, log: str
) -> int:
    """Give each row's comment or distinction back its previous status and decision."""
    groups: defaultdict[tuple, list[int]] = defaultdict(list)
    for row in rows:
        key = (
            row.previous_status,
            row.previous_moderated_by_id,
            row.previous_moderated_at,
            row.previous_reason,
        )
        groups[key].append(getattr(row, f"{field}_id"))
    for (status, moderated_by, moderated_at, reason), pks in groups.items():
        for batch in batched(pks, UPDATE_BATCH):
            model._default_manager.filter(pk__in=batch).update(
                status=status,
                moderated_by=moderated_by,
                moderated_at=moderated_at,
                moderation_reason=reason,
            )
    if rows:
        LogEntry.objects.log_actions(user.pk, [getattr(row, field) for row in rows], CHANGE, log)
    return len(rows)
