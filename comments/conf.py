"""Tunable rules for reader comments, read from settings with the defaults the site ships with.

Each value can be set in settings (or overridden in tests) without touching the code:
SMSN_COMMENTS_PER_PAGE, SMSN_COMMENT_EDIT_MINUTES, SMSN_COMMENT_MIN_SECONDS,
SMSN_COMMENT_FORM_MAX_AGE, SMSN_COMMENT_REPORT_THRESHOLD. The edit window and the report
threshold are shared with readers' distinctions (definitions.moderation). Rate limits are in
SMSN_RATE_LIMITS (smsn/ratelimit.py), with every other limit.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from definitions import moderation


def per_page() -> int:
    """Return how many top-level comments a thread shows before "Show more comments"."""
    return getattr(settings, "SMSN_COMMENTS_PER_PAGE", 50)


def edit_window() -> timedelta:
    """Return how long after posting the author may edit or delete a comment (the same window
    as for readers' distinctions: definitions.moderation)."""
    return moderation.edit_window()


def min_fill_seconds() -> float:
    """Return the least time a person needs between loading the form and sending it.

    Bots post the instant they fetch the form; people read and type first.
    """
    return getattr(settings, "SMSN_COMMENT_MIN_SECONDS", 3)


def form_max_age() -> int:
    """Return how many seconds a comment form stays valid (a tab left open over a weekend)."""
    return getattr(settings, "SMSN_COMMENT_FORM_MAX_AGE", 3 * 24 * 3600)


def report_threshold() -> int:
    """Return how many distinct visitors' reports hold a comment for a moderator (the same
    number as for readers' distinctions: definitions.moderation)."""
    return moderation.report_threshold()
