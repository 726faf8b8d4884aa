"""Moderation: one mechanism for everything readers write (comments, distinctions).

Each such row is `Moderated`: a status (`ModerationStatus`), who decided it, when and why, and
the anonymous identity of the visitor who wrote it. One rule says who may read a row
(`visible_q`: published, or pending and the reader's own), used by every queryset
(`ModeratedQuerySet.visible_to`) and by the row itself (`Moderated.is_visible_to`). `moderate()`
is every moderator's decision, from the admin, commands and tests alike; one permission
(`definitions.can_moderate`, `can_moderate(user)`) allows it.

What spans both apps ("remove everything from this visitor") lives in comments/moderation.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from itertools import batched
from typing import Any, Self

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from smsn import pagecache as page_cache

# The permission a moderator needs for every decision here (app label and codename).
PERMISSION = "definitions.can_moderate"
# Rows per UPDATE ... WHERE id IN (...): well below SQLite's limit on query parameters.
UPDATE_BATCH = 10_000


class ModerationStatus(models.TextChoices):
    PUBLISHED = "published", "Published"
    PENDING = "pending", "Pending moderation"
    REMOVED = "removed", "Removed"
    SPAM = "spam", "Spam"


# Statuses nobody but a moderator sees.
HIDDEN = [ModerationStatus.REMOVED, ModerationStatus.SPAM]

STATUS_LOG_LABELS = {
    ModerationStatus.PUBLISHED: "Published",
    ModerationStatus.PENDING: "Held as pending",
    ModerationStatus.REMOVED: "Removed",
    ModerationStatus.SPAM: "Marked as spam",
}


def edit_window() -> timedelta:
    """Return how long after posting an author may edit or delete a comment or distinction."""
    return timedelta(minutes=settings.SMSN_COMMENT_EDIT_MINUTES)


def edit_minutes() -> int:
    """Return the edit window in whole minutes, as pages say it."""
    return int(edit_window().total_seconds() // 60)


def report_threshold() -> int:
    """Return how many different visitors' reports hold a comment or distinction for review."""
    return int(settings.SMSN_COMMENT_REPORT_THRESHOLD)


def visible_q(visitor_id: uuid.UUID | None) -> Q:
    """Return the condition for rows a visitor may read: published, or their own pending."""
    q = Q(status=ModerationStatus.PUBLISHED)
    if visitor_id:
        q |= Q(status=ModerationStatus.PENDING, visitor_id=visitor_id)
    return q


class ModeratedQuerySet(models.QuerySet):
    def published(self) -> Any:
        return self.filter(status=ModerationStatus.PUBLISHED)

    def visible_to(self, visitor_id: uuid.UUID | None) -> Any:
        """Return published rows plus the visitor's own pending ones."""
        return self.filter(visible_q(visitor_id))


class Moderated(models.Model):
    """Fields shared by everything a moderator can publish, hold, remove or mark as spam."""

    status = models.CharField(
        max_length=16, choices=ModerationStatus.choices, default=ModerationStatus.PUBLISHED
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderation_reason = models.CharField(max_length=300, blank=True)
    # Anonymous visitor identity: a random id from the signed cookie and a keyed hash of the IP
    # address (never the address itself). Both are erased after the retention period.
    visitor_id = models.UUIDField(null=True, blank=True, db_index=True)
    ip_hash = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        abstract = True

    @property
    def is_public(self) -> bool:
        """Return True if everybody may see this."""
        return self.status == ModerationStatus.PUBLISHED

    def is_visible_to(self, visitor_id: uuid.UUID | None) -> bool:
        """Return True if this visitor may read the row (the rule of `visible_q`)."""
        if self.status == ModerationStatus.PUBLISHED:
            return True
        return bool(
            visitor_id and self.status == ModerationStatus.PENDING and self.visitor_id == visitor_id
        )


@dataclass(frozen=True)
class Identities:
    """Visitor ids and IP-network hashes: who wrote some rows (empty values left out)."""

    visitor_ids: frozenset[uuid.UUID]
    ip_hashes: frozenset[str]

    @classmethod
    def of(cls, pairs: Iterable[tuple[uuid.UUID | None, str]]) -> Self:
        """Return the identities of (visitor_id, ip_hash) pairs, skipping empty values."""
        pairs = list(pairs)
        return cls(frozenset(v for v, _ in pairs if v), frozenset(h for _, h in pairs if h))

    def __bool__(self) -> bool:
        return bool(self.visitor_ids or self.ip_hashes)

    def __len__(self) -> int:
        return len(self.visitor_ids) + len(self.ip_hashes)


def can_moderate(user: Any) -> bool:
    """Return True if this user may take moderators' decisions."""
    return bool(user and user.has_perm(PERMISSION))


def log_message(action: str, reason: str = "") -> str:
    """Return the admin log text for a moderation decision."""
    return f"{action}. Reason: {reason}" if reason else f"{action}."


def set_status(
    model: type[models.Model],
    rows: list[Any],
    *,
    status: str,
    user: Any,
    reason: str,
    log: str,
) -> None:
    """Record one decision on these rows (in batches) and in the admin log, one entry per row."""
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
    user: Any,
    reason: str = "",
    only_from: Iterable[str] | None = None,
) -> int:
    """Set the status of the rows (comments or distinctions) in `queryset`; return how many
    changed. Rows already in `status` are left alone; with `only_from`, so are rows in other
    statuses."""
    if status not in ModerationStatus.values:
        raise ValueError(f"{status!r} is not a moderation status")
    model = queryset.model
    targets = model._default_manager.filter(pk__in=queryset.values("pk")).exclude(status=status)
    if only_from is not None:
        targets = targets.filter(status__in=list(only_from))
    rows = list(targets.order_by("pk"))
    set_status(
        model,
        rows,
        status=status,
        user=user,
        reason=reason,
        log=log_message(STATUS_LOG_LABELS[ModerationStatus(status)], reason),
    )
    return len(rows)
