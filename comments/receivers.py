"""Receivers for what the definitions app announces (it never imports comments)."""

from __future__ import annotations

from typing import Any

from comments.models import CommentStatus
from comments.seeding import import_original_comments
from definitions.models import Source


def store_imported_comments(
    sender: Any, *, source: Source, comments: list[tuple[str, str, str]], **kwargs: Any
) -> None:
    """Store the reader comments that came with a source added from an article's text."""
    allowed = {CommentStatus.PUBLISHED, CommentStatus.PINGBACK, CommentStatus.SPAM}
    rows = [
        [author, body, status if status in allowed else CommentStatus.PENDING]
        for author, body, status in comments
    ]
    if rows:
        import_original_comments(source, rows)
