"""Signals the definitions app sends for other apps to act on.

`definitions` never imports `comments` (a comment belongs to a source, not the other way round),
yet a source added from an article arrives with its readers' comments. So the intake saves what
belongs to definitions (source, definitions, distinction, stances) and then announces the new
source together with the comments it came with; the comments app, which knows how to store
comments, listens (comments/receivers.py, connected in CommentsConfig.ready()). The signal is sent
inside the intake's transaction: if storing the comments fails, the whole source is undone.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent with `source` (the new Source) and `comments`: a list of (author, body, status) or
# (author, body, status, created) tuples in their original order, status being "published",
# "spam" or "pingback" (stored as a published comment of the kind pingback, never shown in a
# thread), created the aware datetime the page gave the comment, or None when it gave none.
source_imported = Signal()
