"""Receivers for what the definitions app announces (it never imports comments)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from comments.seeding import import_original_comments
from definitions.models import Source


def store_imported_comments(
    sender: Any, *, source: Source, comments: Sequence[Sequence[Any]], **kwargs: Any
) -> int:
    """Store the reader comments that came with a source (from an article's text or the shipped
    seed data) that are not stored yet; return how many were created.

    Each is (author, body, status) or (author, body, status, created): created is when the page
    said the comment was written (an aware datetime), or None.
    """
    known = {"published", "pingback", "spam"}
    rows = [
        [author, body, status if status in known else "pending", *rest[:1]]
        for author, body, status, *rest in comments
    ]
    return import_original_comments(source, rows) if rows else 0
