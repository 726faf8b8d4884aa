from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def thread_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Start a new version of the cached page whose thread or counts this row changes."""
    from smsn import pagecache as cache

    comment = instance.comment if sender.__name__ == "Report" else instance
    cache.bump(comment.comparison_id)


def has_own_comments(request: Any, comparison_id: int) -> bool | list[Any]:
    """Say whether the thread shows this visitor anything of their own (or their name).

    True if known from the cookies, else the queries that find their comments and reports.
    """
    from comments.models import Comment, Report
    from comments.views import AUTHOR_COOKIE

    if AUTHOR_COOKIE in request.COOKIES:
        return True
    visitor_id = request.visitor.id
    if visitor_id is None:
        return []
    return [
        Comment.objects.filter(comparison_id=comparison_id, visitor_id=visitor_id),
        Report.objects.filter(visitor_id=visitor_id, comment__comparison_id=comparison_id),
    ]


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Reader comments"

    def ready(self) -> None:
        # A source added from an article's text brings its reader comments; definitions cannot
        # store them itself (it never imports comments), so it sends a signal and we store them.
        from comments import receivers
        from definitions.signals import source_imported

        source_imported.connect(
            receivers.store_imported_comments, dispatch_uid="comments.store_imported_comments"
        )
        # The comparison page is cached per version (smsn/pagecache.py): a new, edited,
        # deleted or reported comment starts a new version; the form's ticket is new per view.
        from comments.forms import new_ticket
        from comments.models import Comment, Report
        from smsn import pagecache as cache

        for model in (Comment, Report):
            post_save.connect(thread_changed, sender=model, dispatch_uid=f"bump-{model}")
            post_delete.connect(thread_changed, sender=model, dispatch_uid=f"bump-d-{model}")
        cache.register_fresh_value("ticket", lambda comparison_id: new_ticket())
        cache.register_personal(has_own_comments)
