"""Readers' distinctions: adding one (spam checks, double-submit safety), its author's edit or
delete within the comments' window, and visitors' reports (the comments' threshold)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from definitions import spam
from definitions.models import Comparison, Distinction, DistinctionReport
from definitions.moderation import ModerationStatus, report_threshold


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


class NotAllowed(Exception):
    """The visitor may not change this distinction (not theirs, or too late)."""


@transaction.atomic
def edit_distinction(
    *,
    distinction: Distinction,
    visitor_id: uuid.UUID | None,
    text_a: str,
    text_b: str,
    axis_a: str,
    axis_b: str,
) -> Distinction:
    """Change the visitor's own recent distinction; the new text is checked for spam again."""
    distinction = Distinction.objects.select_for_update().get(pk=distinction.pk)
    if not distinction.can_be_changed_by(visitor_id):
        raise NotAllowed
    new = {"text_a": text_a, "text_b": text_b, "axis_a": axis_a, "axis_b": axis_b}
    if all(getattr(distinction, name) == value for name, value in new.items()):
        return distinction
    for name, value in new.items():
        setattr(distinction, name, value)
    distinction.edited = timezone.now()
    verdict = spam.check(text_a, text_b, axis_a, axis_b, distinction.author_name)
    if verdict.hold and distinction.status == ModerationStatus.PUBLISHED:
        distinction.status = ModerationStatus.PENDING
        distinction.moderation_reason = f"edited: {verdict.reason}"
    distinction.save(update_fields=[*new, "edited", "status", "moderation_reason"])
    return distinction


@transaction.atomic
def delete_distinction(*, distinction: Distinction, visitor_id: uuid.UUID | None) -> Distinction:
    """Take the visitor's own recent distinction off the page; the row stays for moderators."""
    distinction = Distinction.objects.select_for_update().get(pk=distinction.pk)
    if not distinction.can_be_changed_by(visitor_id):
        raise NotAllowed
    distinction.status = ModerationStatus.REMOVED
    distinction.moderation_reason = "deleted by its author"
    distinction.save(update_fields=["status", "moderation_reason"])
    return distinction


@transaction.atomic
def report_distinction(
    *, distinction: Distinction, visitor_id: uuid.UUID, ip_hash: str, reason: str = ""
) -> bool:
    """Record a visitor's report; return False if this visitor or address already reported it.

    As many distinct reporters as hold a comment (definitions.moderation.report_threshold),
    since a moderator last decided, hold the distinction as pending.
    """
    distinction = Distinction.objects.select_for_update().get(pk=distinction.pk)
    same_reporter = Q(visitor_id=visitor_id)
    if ip_hash:
        same_reporter |= Q(ip_hash=ip_hash)
    if distinction.reports.filter(same_reporter).exists():
        return False
    try:
        with transaction.atomic():
            DistinctionReport.objects.create(
                distinction=distinction, visitor_id=visitor_id, ip_hash=ip_hash, reason=reason
            )
    except IntegrityError:
        return False
    since_decision = distinction.reports.all()
    if distinction.moderated_at is not None:
        # A moderator who kept it up has decided on the reports before that.
        since_decision = since_decision.filter(created__gt=distinction.moderated_at)
    if (
        distinction.status == ModerationStatus.PUBLISHED
        and since_decision.count() >= report_threshold()
    ):
        distinction.status = ModerationStatus.PENDING
        distinction.moderation_reason = f"reported by {distinction.reports.count()} visitors"
        distinction.save(update_fields=["status", "moderation_reason"])
    return True
