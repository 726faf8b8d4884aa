"""What moderators do to comments, distinctions and votes, with a record of who did it and why.

Every decision is stored on the row itself (moderated_by, moderated_at, moderation_reason) and in
Django's admin log, one entry per row, in a bounded number of queries however many rows it
touches. The admin, management commands and tests all go through these functions.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import batched

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from comments.models import Comment, CommentStatus
from definitions import cache as page_cache
from definitions.models import Distinction, Vote
from definitions.moderation import ModerationStatus

# Rows per UPDATE ... WHERE id IN (...): well below SQLite's limit on query parameters.
UPDATE_BATCH = 10_000

HIDDEN = [ModerationStatus.REMOVED, ModerationStatus.SPAM]

STATUS_LOG_LABELS = {
    ModerationStatus.PUBLISHED: "Published",
    ModerationStatus.PENDING: "Held as pending",
    ModerationStatus.REMOVED: "Removed",
    ModerationStatus.SPAM: "Marked as spam",
    CommentStatus.PINGBACK: "Marked as pingback",
}


def log_message(action: str, reason: str = "") -> str:
    """Return the admin log text for a moderation decision."""
    return f"{action}. Reason: {reason}" if reason else f"{action}."


def _set_status(
    model: type[models.Model],
    rows: list[models.Model],
    *,
    status: str,
    user: AbstractBaseUser,
    reason: str,
    log: str,
) -> None:
    pks = [row.pk for row in rows]
    now = timezone.now()
    for batch in batched(pks, UPDATE_BATCH):
        model._default_manager.filter(pk__in=batch).update(
            status=status, moderated_by=user, moderated_at=now, moderation_reason=reason
        )
    if rows:
        LogEntry.objects.log_actions(user.pk, rows, CHANGE, log)
        # queryset.update() sends no signals: the cached comparison pages start anew here.
        page_cache.bump_all()


@transaction.atomic
def moderate(
    *,
    queryset: QuerySet,
    status: str,
    user: AbstractBaseUser,
    reason: str = "",
    only_from: Iterable[str] | None = None,
) -> int:
    """Set the status of the comments or distinctions in `queryset`; return how many changed.

    Rows already in `status` are left alone; with `only_from`, so are rows in other statuses.
    """
    model = queryset.model
    allowed = {value for value, _ in model._meta.get_field("status").choices}
    if status not in allowed:
        raise ValueError(f"{status!r} is not a status of {model._meta.verbose_name}")
    targets = model._default_manager.filter(pk__in=queryset.values("pk")).exclude(status=status)
    if only_from is not None:
        targets = targets.filter(status__in=list(only_from))
    rows = list(targets.order_by("pk"))
    _set_status(
        model,
        rows,
        status=status,
        user=user,
        reason=reason,
        log=log_message(STATUS_LOG_LABELS.get(status, f"Status set to {status}"), reason),
    )
    return len(rows)


@dataclass(frozen=True)
class VisitorFootprint:
    """Everything one visitor left, found by their visitor id or by the hash of their IP."""

    visitor_ids: frozenset[uuid.UUID]
    ip_hashes: frozenset[str]

    @classmethod
    def of(cls, identities: Iterable[tuple[uuid.UUID | None, str]]) -> VisitorFootprint:
        """Return the footprint of the (visitor_id, ip_hash) pairs, skipping empty values."""
        visitor_ids, ip_hashes = set(), set()
        for visitor_id, ip_hash in identities:
            if visitor_id:
                visitor_ids.add(visitor_id)
            if ip_hash:
                ip_hashes.add(ip_hash)
        return cls(frozenset(visitor_ids), frozenset(ip_hashes))

    def __bool__(self) -> bool:
        return bool(self.visitor_ids or self.ip_hashes)

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
        """Return the visitor's comments that are still shown or waiting to be."""
        return self._filter(Comment.objects.exclude(status__in=HIDDEN))

    def distinctions(self) -> QuerySet[Distinction]:
        """Return the visitor's distinctions that are still shown or waiting to be."""
        return self._filter(Distinction.objects.exclude(status__in=HIDDEN))

    def votes(self) -> QuerySet[Vote]:
        """Return the visitor's votes that still count."""
        return self._filter(Vote.objects.counted())


@dataclass(frozen=True)
class Removal:
    comments: int
    distinctions: int
    votes: int
    recounted: int


@transaction.atomic
def remove_visitor_content(
    *, footprint: VisitorFootprint, user: AbstractBaseUser, reason: str = ""
) -> Removal:
    """Remove every comment and distinction of a visitor and void their votes.

    The distinctions they voted on are recounted, so the voided votes stop counting at once.
    """
    log = log_message("Removed with everything else from this visitor", reason)
    comments = list(footprint.comments().order_by("pk"))
    _set_status(Comment, comments, status=CommentStatus.REMOVED, user=user, reason=reason, log=log)
    distinctions = list(footprint.distinctions().order_by("pk"))
    _set_status(
        Distinction,
        distinctions,
        status=ModerationStatus.REMOVED,
        user=user,
        reason=reason,
        log=log,
    )

    votes = list(footprint.votes().order_by("pk"))
    for batch in batched([vote.pk for vote in votes], UPDATE_BATCH):
        Vote.objects.filter(pk__in=batch).update(is_void=True)
    if votes:
        LogEntry.objects.log_actions(
            user.pk,
            votes,
            CHANGE,
            log_message("Voided with everything else from this visitor", reason),
        )
    recounted = recount_distinctions({vote.distinction_id for vote in votes})
    return Removal(
        comments=len(comments),
        distinctions=len(distinctions),
        votes=len(votes),
        recounted=recounted,
    )


def recount_distinctions(pks: Iterable[int]) -> int:
    """Recompute the stored vote counts of these distinctions; return how many there were."""
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
