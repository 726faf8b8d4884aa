"""Import the original reader comments that came with the shipped source articles."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from comments.models import Comment, CommentKind
from definitions.models import Source
from definitions.moderation import ModerationStatus


@transaction.atomic
def import_original_comments(source: Source, rows: list[list[Any]]) -> int:
    """Create the source's imported comments that are missing; return how many were created.

    Each row is [author, body, status] or [author, body, status, created]: a comment whose page
    gave its date (created, aware) keeps it; the others are dated now, a microsecond apart so
    that they keep the thread's order. Existing imported comments are left as they are, so a
    moderator's decision survives a reload.
    """
    existing = set(
        Comment.objects.filter(source=source, is_imported=True).values_list(
            "import_position", flat=True
        )
    )
    base = timezone.now()
    created = 0
    for position, (author, body, status, *when) in enumerate(rows):
        if position in existing:
            continue
        Comment.objects.create(
            comparison_id=source.comparison_id,
            source=source,
            author_name=author or "",
            body=body,
            # A pingback is a kind of comment, published as the original site kept it.
            kind=CommentKind.PINGBACK if status == "pingback" else CommentKind.COMMENT,
            status=ModerationStatus.PUBLISHED if status == "pingback" else status,
            is_imported=True,
            import_position=position,
            created=when[0] if when and when[0] else base + timedelta(microseconds=position),
        )
        created += 1
    return created
