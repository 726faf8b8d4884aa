"""Moderation that spans both apps: everything one visitor left, and removing it at once.

The decisions themselves (publish, hold, remove, mark as spam) and the one status and visibility
rule live in definitions/moderation.py; this module adds what needs comments too: a visitor's
footprint (comments, distinctions, votes found by visitor id or IP-network hash) and "remove
everything from this visitor", which the admin reaches by its URL name.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import batched

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q, QuerySet

from comments.models import Comment
from definitions.models import Distinction, Vote
from definitions.moderation import (
    HIDDEN,
    UPDATE_BATCH,
    Identities,
    ModerationStatus,
    log_message,
    set_status,
)
from definitions.votes import recount_distinctions


class VisitorFootprint(Identities):
    """Everything one visitor left, found by their visitor id or by the hash of their network."""

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
    set_status(
        Comment, comments, status=ModerationStatus.REMOVED, user=user, reason=reason, log=log
    )
    distinctions = list(footprint.distinctions().order_by("pk"))
    set_status(
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
