"""Everything that writes comments and reports: the views, the admin and the tests call these."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from comments import conf
from comments.models import Comment, Report
from definitions import spam
from definitions.models import Comparison, Distinction, Source
from definitions.moderation import ModerationStatus

HONEYPOT_REASON = "spam trap field filled in"


@dataclass(frozen=True)
class Posted:
    comment: Comment
    created: bool


def post_comment(
    *,
    target: Comparison | Source | Distinction,
    visitor_id: uuid.UUID,
    ip_hash: str,
    author_name: str,
    body: str,
    author_url: str = "",
    author_email: str = "",
    parent: Comment | None = None,
    submission_token: str | None = None,
    honeypot_filled: bool = False,
    token_checked: bool = False,
) -> Posted:
    """Post a comment or a reply, held for a moderator if it looks like spam.

    The same submission token twice is one comment: the second call returns the first one
    (`token_checked`: the caller has just looked for it; the unique constraint still decides
    a race). The comment is one INSERT, so it needs no transaction of its own: outside one
    it commits by itself, with no BEGIN and COMMIT round trips.
    """
    if submission_token and not token_checked:
        existing = Comment.objects.filter(submission_token=submission_token).first()
        if existing is not None:
            return Posted(existing, created=False)
    if parent is not None and parent.parent_id:
        parent = parent.parent
    if honeypot_filled:
        status, reason = ModerationStatus.SPAM, HONEYPOT_REASON
    else:
        verdict = spam.check(author_name, body)
        status = ModerationStatus.PENDING if verdict.hold else ModerationStatus.PUBLISHED
        reason = verdict.reason
    comment = Comment(
        comparison=target if isinstance(target, Comparison) else target.comparison,
        source=target if isinstance(target, Source) else None,
        distinction=target if isinstance(target, Distinction) else None,
        parent=parent,
        author_name=author_name,
        author_url=author_url,
        author_email=author_email,
        body=body,
        status=status,
        moderation_reason=reason,
        visitor_id=visitor_id,
        ip_hash=ip_hash,
        submission_token=submission_token or None,
    )
    try:
        if connection.in_atomic_block:
            # A savepoint, so a concurrent double submit that wins the race leaves the
            # caller's transaction usable for fetching the comment it created.
            with transaction.atomic():
                comment.save()
        else:
            comment.save()
    except IntegrityError:
        if not submission_token:
            raise
        return Posted(Comment.objects.get(submission_token=submission_token), created=False)
    return Posted(comment, created=True)


class NotAllowed(Exception):
    """The visitor may not change this comment (not theirs, or too late)."""


@transaction.atomic
def edit_comment(*, comment: Comment, visitor_id: uuid.UUID | None, body: str) -> Comment:
    """Replace the text of the visitor's own recent comment; an edit is checked for spam again."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if not comment.can_be_changed_by(visitor_id):
        raise NotAllowed
    if body == comment.body:
        return comment
    comment.body = body
    comment.edited = timezone.now()
    verdict = spam.check(comment.author_name, body)
    if verdict.hold and comment.status == ModerationStatus.PUBLISHED:
        comment.status = ModerationStatus.PENDING
        comment.moderation_reason = f"edited: {verdict.reason}"
    comment.save(update_fields=["body", "edited", "status", "moderation_reason"])
    return comment


@transaction.atomic
def delete_comment(*, comment: Comment, visitor_id: uuid.UUID | None) -> Comment:
    """Remove the visitor's own recent comment from the thread; the row stays for moderators."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if not comment.can_be_changed_by(visitor_id):
        raise NotAllowed
    comment.status = ModerationStatus.REMOVED
    comment.moderation_reason = "deleted by its author"
    comment.save(update_fields=["status", "moderation_reason"])
    return comment


@transaction.atomic
def report_comment(
    *, comment: Comment, visitor_id: uuid.UUID, ip_hash: str, reason: str = ""
) -> bool:
    """Record a visitor's report; return False if this visitor or address already reported it.

    Enough distinct reporters since a moderator last decided hold the comment as pending.
    """
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    same_reporter = Q(visitor_id=visitor_id)
    if ip_hash:
        same_reporter |= Q(ip_hash=ip_hash)
    if comment.reports.filter(same_reporter).exists():
        return False
    try:
        with transaction.atomic():
            Report.objects.create(
                comment=comment, visitor_id=visitor_id, ip_hash=ip_hash, reason=reason
            )
    except IntegrityError:
        return False
    since_decision = comment.reports.all()
    if comment.moderated_at is not None:
        # A moderator who kept the comment up has decided on the reports before that.
        since_decision = since_decision.filter(created__gt=comment.moderated_at)
    if (
        comment.status == ModerationStatus.PUBLISHED
        and since_decision.count() >= conf.report_threshold()
    ):
        comment.status = ModerationStatus.PENDING
        comment.moderation_reason = f"reported by {comment.reports.count()} visitors"
        comment.save(update_fields=["status", "moderation_reason"])
    return True
